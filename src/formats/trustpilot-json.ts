// The record shape of trustpilot's kafka-connect-dynamodb (its RecordConverter and SourceInfo, releases 0.9.0 to
// 0.12.0) as schemaless JSON: what a trustpilot consumer reads when the worker ran Kafka Connect's JsonConverter
// with schemas.enable=false. Written by the source under output.envelope=trustpilot, recognised by the sink.
//
//   key    {"<hash key>":"<value>","<range key>":"<value>"}: every value a string, as trustpilot's key schema
//          (all STRING fields) makes it; a binary key attribute (which trustpilot refuses) is written as base64.
//   value  {"version":"1.0","document":"<item>","source":{"version":"1.0","table_name":…,"init_sync":…,
//          "init_sync_state":…,"init_sync_start":…,"init_sync_end":…,"init_sync_count":…},"op":…,"ts_ms":…}
//
// Fields follow trustpilot's Connect schema, in its order. Its docs/data.md shows an older draft (version "0.1",
// init_sync holding "RUNNING", Avro-JSON unions like {"string": "r"}); every release wrote the form above.
// - document: the item in DynamoDB JSON with lower-case type tags ({"s": …}, {"n": "1"}, {"null": true}), as
//   Jackson writes the Java SDK v1's AttributeValue. A change without a new image (a delete) holds the item's keys.
// - op: r while snapshotting, c / u / d from the stream; a delete is followed by a tombstone, always.
// - ts_ms: the snapshot's start for r records (trustpilot stamps them with it), the change's
//   ApproximateCreationDateTime for c / u / d.
// - init_sync: true with state RUNNING on snapshot records (end and count null: with parallel segments no record
//   is known to be the last, where trustpilot writes FINISHED); false with state FINISHED, the snapshot's start,
//   end and item count on stream records; false with state UNDEFINED and nulls when the stream is read without a
//   snapshot (dynamodb.table.sync.mode=CDC), which trustpilot never does.
// - Attribute names (in the document and the key) are rewritten as trustpilot does for Avro: a first character
//   outside [A-Za-z_] and later characters outside [A-Za-z0-9_] are removed ("attribute-1" → "attribute1",
//   "1-a" → "a"). Unlike trustpilot, which drops the whole record, a name with nothing left is kept as it is; of
//   attributes rewritten to one name, an attribute already named so wins, else the first (trustpilot: the first).
import { keyOf, serializeDynamoDbJson, type Item, type KeySchema } from '../domain/attribute-codec.js';
import { setOwn } from '../domain/attribute-path.js';
import { CHANGE_OPS, type ChangeOp, type SnapshotPage, type SnapshotSummary } from '../domain/change.js';
import type { RecordBytes } from '../domain/outgoing-message.js';
import { avroName } from './avro/names.js';
import { EnvelopeError } from './confluent-json.js';
import type { ChangeEncoder, EncodedRecord, RecordFormat } from './ports.js';

/** Where trustpilot's Connect schemas are named (com.trustpilot.connector.dynamodb.envelope, .source, .json). */
export const TRUSTPILOT_NAMESPACE = 'com.trustpilot.connector.dynamodb';

/** version and source.version of every record trustpilot's connector wrote. */
export const TRUSTPILOT_RECORD_VERSION = '1.0';

/** trustpilot's InitSyncStatus. */
export type InitSyncState = 'RUNNING' | 'FINISHED' | 'UNDEFINED';

/** trustpilot's record shape as schemaless JSON: nothing to ask of a server. */
export function trustpilotJsonFormat(): RecordFormat {
  return { description: "JSON (trustpilot's record shape)", forTable: async (table) => trustpilotJsonEncoder(table.keySchema) };
}

export function trustpilotJsonEncoder(keySchema: KeySchema): ChangeEncoder {
  const writeKey = keyWriter(keySchema);
  // Stream records of one reader share one snapshot summary object: its source member is written once.
  let sourceOf: { snapshot: SnapshotSummary | null; tableName: string; text: string } | undefined;
  return {
    snapshotPage(items, page) {
      const tail = `,"source":${sourceJson(page.tableName, runningSnapshot(page))},"op":"r","ts_ms":${integer(page.snapshotStartTime)}}`;
      return items.map((item) => ({ key: writeKey(item), value: `${VALUE_HEAD}${trustpilotDocumentJson(item)}${tail}`, timestampMs: page.readAtMs }));
    },
    streamChange(change) {
      const snapshot = change.snapshot ?? null;
      if (sourceOf === undefined || sourceOf.snapshot !== snapshot || sourceOf.tableName !== change.tableName) {
        sourceOf = { snapshot, tableName: change.tableName, text: sourceJson(change.tableName, streamState(snapshot)) };
      }
      const key = writeKey(change.keys);
      const document = trustpilotDocumentJson(change.after ?? change.keys);
      const value = `${VALUE_HEAD}${document},"source":${sourceOf.text},"op":"${change.op}","ts_ms":${integer(change.changedAtMs)}}`;
      const records: EncodedRecord[] = [{ key, value, timestampMs: change.changedAtMs }];
      if (change.op === 'd') records.push({ key, value: null, timestampMs: change.changedAtMs });
      return records;
    },
  };
}

// ---------------------------------------------------------------------------------------------- registry forms

/** The value's fields as the registry forms (AVRO, PROTOBUF) encode them, in trustpilot's order. */
export interface TrustpilotValue {
  version: string;
  document: string;
  source: TrustpilotSource;
  op: string;
  ts_ms: number;
}

/**
 * The records of a form that encodes the value's fields and the key item by item (AVRO, PROTOBUF): the same
 * records, fields and tombstones as the JSON form, in other bytes.
 */
export function trustpilotFieldsEncoder(encodeKey: (item: Item) => RecordBytes, encodeValue: (value: TrustpilotValue) => RecordBytes): ChangeEncoder {
  const value = (document: Item, source: TrustpilotSource, op: string, tsMs: number) =>
    encodeValue({ version: TRUSTPILOT_RECORD_VERSION, document: trustpilotDocument(document), source, op, ts_ms: tsMs });
  return {
    snapshotPage(items, page) {
      const source = trustpilotSource(page.tableName, runningSnapshot(page));
      return items.map((item) => ({ key: encodeKey(item), value: value(item, source, 'r', page.snapshotStartTime), timestampMs: page.readAtMs }));
    },
    streamChange(change) {
      const key = encodeKey(change.keys);
      const source = trustpilotSource(change.tableName, streamState(change.snapshot ?? null));
      const records: EncodedRecord[] = [{ key, value: value(change.after ?? change.keys, source, change.op, change.changedAtMs), timestampMs: change.changedAtMs }];
      // As in the JSON form: every delete is followed by a tombstone.
      if (change.op === 'd') records.push({ key, value: null, timestampMs: change.changedAtMs });
      return records;
    },
  };
}

/** The key's fields (named by `fieldName` from trustpilot's names) with their string values, for a registry form. */
export function trustpilotKeyObject(table: { name: string; keySchema: KeySchema }, fieldName: (name: string) => string): (item: Item) => Record<string, string> {
  const fields = trustpilotKeyFields(table.keySchema).map(({ attribute, field }) => ({ attribute, name: fieldName(field) }));
  return (item) => {
    const key: Record<string, string> = {};
    for (const field of fields) {
      const value = Object.hasOwn(item, field.attribute) ? item[field.attribute] : undefined;
      if (value === undefined) throw new Error(`table ${table.name}: key attribute ${JSON.stringify(field.attribute)} is missing`);
      key[field.name] = keyText(value, field.attribute);
    }
    return key;
  };
}

// ---------------------------------------------------------------------------------------------- JSON writing

const VALUE_HEAD = `{"version":"${TRUSTPILOT_RECORD_VERSION}","document":`;

export interface InitSync {
  running: boolean;
  state: InitSyncState;
  startMs: number | null;
  endMs: number | null;
  count: number | null;
}

export function runningSnapshot(page: SnapshotPage): InitSync {
  return { running: true, state: 'RUNNING', startMs: page.snapshotStartTime, endMs: null, count: null };
}

export function streamState(snapshot: SnapshotSummary | null): InitSync {
  if (snapshot === null) return { running: false, state: 'UNDEFINED', startMs: null, endMs: null, count: null };
  return { running: false, state: 'FINISHED', startMs: snapshot.startedAtMs, endMs: snapshot.endedAtMs, count: snapshot.items };
}

/** trustpilot's source struct, its fields in its schema's order. */
export interface TrustpilotSource {
  version: string;
  table_name: string;
  init_sync: boolean;
  init_sync_state: InitSyncState;
  init_sync_start: number | null;
  init_sync_end: number | null;
  init_sync_count: number | null;
}

export function trustpilotSource(tableName: string, sync: InitSync): TrustpilotSource {
  return {
    version: TRUSTPILOT_RECORD_VERSION,
    table_name: tableName,
    init_sync: sync.running,
    init_sync_state: sync.state,
    init_sync_start: wholeOrNull(sync.startMs),
    init_sync_end: wholeOrNull(sync.endMs),
    init_sync_count: wholeOrNull(sync.count),
  };
}

/** Written once per page or snapshot summary, not per record: JSON.stringify keeps the fields' order. */
function sourceJson(tableName: string, sync: InitSync): string {
  return JSON.stringify(trustpilotSource(tableName, sync));
}

/** The document: the item's DynamoDB JSON (lower-case tags, names rewritten), as text. */
export function trustpilotDocument(item: Item): string {
  return serializeDynamoDbJson(withTrustpilotNames(item), 'lower-case');
}

/** The document member: the document as a JSON string. */
function trustpilotDocumentJson(item: Item): string {
  return JSON.stringify(trustpilotDocument(item));
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`trustpilot record: expected a whole number, got ${value}`);
  return String(value);
}

function wholeOrNull(value: number | null): number | null {
  if (value !== null && !Number.isSafeInteger(value)) throw new Error(`trustpilot record: expected a whole number, got ${value}`);
  return value;
}

/** Writes the key of an item (or of a stream record's Keys): its key attributes, renamed, with string values. */
export function keyWriter(keySchema: KeySchema): (item: Item) => string {
  const names = keySchema.rangeKey === undefined ? [keySchema.hashKey] : [keySchema.hashKey, keySchema.rangeKey];
  const prefixes = names.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(trustpilotName(name))}:`);
  return (item) => {
    const key = keyOf(item, keySchema);
    let text = '';
    for (let i = 0; i < names.length; i++) text += prefixes[i]! + JSON.stringify(keyText(key[names[i]!]!, names[i]!));
    return `${text}}`;
  };
}

/** A key attribute's value as trustpilot's key holds it: text (numbers as their digits, binary as base64). */
export function keyText(value: Item[string], name: string): string {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return value.N;
  if (value.B !== undefined) return Buffer.from(value.B.buffer, value.B.byteOffset, value.B.byteLength).toString('base64');
  throw new Error(`Attribute ${JSON.stringify(name)}: key attributes must be S, N or B`);
}

/**
 * A field name of the registry forms' key: trustpilot's name, unless it kept a name Avro and Protobuf refuse
 * (nothing was left of it): then our escaped form (src/formats/avro/names.ts).
 */
export function trustpilotIdentifier(name: string): string {
  return AVRO_NAME.test(name) ? name : avroName(name);
}

/** The key's attributes, hash key first, with the field names trustpilot gives them. */
export function trustpilotKeyFields(keySchema: KeySchema): Array<{ attribute: string; field: string }> {
  const names = keySchema.rangeKey === undefined ? [keySchema.hashKey] : [keySchema.hashKey, keySchema.rangeKey];
  return names.map((attribute) => ({ attribute, field: trustpilotName(attribute) }));
}

/**
 * The full name of trustpilot's key schema for a topic: `<topic>.Key`, every character not allowed in an Avro
 * full name made "_" (its SchemaNameAdjuster), and "_" put before a part that would start with a digit.
 */
export function trustpilotKeyRecordName(topic: string): string {
  const adjusted = `${topic}.Key`.replace(/^[^A-Za-z_]|(?<!^)[^A-Za-z0-9_.]/g, '_');
  return adjusted
    .split('.')
    .map((part) => (/^[A-Za-z_]/.test(part) ? part : `_${part}`))
    .join('.');
}

// ---------------------------------------------------------------------------------------------- attribute names

/** An Avro name: what trustpilot leaves as it is. */
const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What trustpilot removes: a first character that cannot start an Avro name, and later ones that cannot be in it. */
const NOT_IN_AVRO_NAME = /^[^A-Za-z_]|(?<!^)[^A-Za-z0-9_]/gu;

/** The name trustpilot gives an attribute; the name itself when its rewrite would leave nothing. */
export function trustpilotName(name: string): string {
  if (AVRO_NAME.test(name)) return name;
  return name.replace(NOT_IN_AVRO_NAME, '') || name;
}

/** The item with its top-level attributes renamed as trustpilot does (the same object when no name changes). */
export function withTrustpilotNames(item: Item): Item {
  let renamed: Item | undefined;
  const names = Object.keys(item);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (renamed === undefined) {
      if (AVRO_NAME.test(name)) continue;
      renamed = {};
      for (let j = 0; j < i; j++) setOwn(renamed, names[j]!, item[names[j]!]!);
    }
    const target = trustpilotName(name);
    // A rewritten name taken by an attribute so named, or by an earlier rewrite, loses.
    if (target !== name && (Object.hasOwn(item, target) || Object.hasOwn(renamed, target))) continue;
    setOwn(renamed, target, item[name]!);
  }
  return renamed ?? item;
}

// ---------------------------------------------------------------------------------------------- JSON reading

/** What a reader of trustpilot's record needs: the op, the table and the document. */
export interface TrustpilotRecord {
  op: ChangeOp;
  tableName: string;
  /** DynamoDB JSON with lower-case type tags (parse with fromDynamoDbJson(json, 'lower-case')); null when empty. */
  document: string | null;
}

/**
 * The record in a parsed JSON value when it has trustpilot's shape (op r/c/u/d, source.table_name, a document
 * member); undefined for any other value. Throws EnvelopeError when the document is not a string.
 */
export function readTrustpilotRecord(json: unknown): TrustpilotRecord | undefined {
  if (!isObject(json) || !('document' in json)) return undefined;
  const op = json.op;
  if (typeof op !== 'string' || !(CHANGE_OPS as readonly string[]).includes(op)) return undefined;
  const source = json.source;
  if (!isObject(source) || typeof source.table_name !== 'string') return undefined;
  const document = json.document;
  if (document !== null && typeof document !== 'string') {
    throw new EnvelopeError('trustpilot change record: document must be a string of DynamoDB JSON');
  }
  // trustpilot's docs describe a delete's document as empty; its code writes the keys.
  const blank = document === null || /^\s*(\{\s*\})?\s*$/.test(document);
  return { op: op as ChangeOp, tableName: source.table_name, document: blank ? null : document };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
