// The change envelope of Confluent's DynamoDB CDC Source connector as schemaless JSON (Kafka Connect's
// JsonConverter with schemas off): written by the source, recognised by the sink. Confluent's Avro form wraps
// nullable fields in unions like {"string": …}; this form does not.
//
// The envelope text is written by hand, in a fixed field order, because ts_ns (ms × 10^6) is above 2^53 and
// JSON.stringify of a JS number would round it.
import { serializeDynamoDbJson, serializeKey, serializePlainJson, type Item } from '../domain/attribute-codec.js';
import { CHANGE_OPS, type ChangeOp, type SnapshotPage, type StreamChange, type SyncMode } from '../domain/change.js';
import { CONNECTOR_VERSION } from '../domain/version.js';
import type { ChangeEncoder, EncodedRecord, RecordFormat } from './ports.js';

export type DocumentFormat = 'dynamodb-json' | 'json';

export interface ConfluentJsonOptions {
  /** How `document` holds the item: DynamoDB JSON (typed) or plain JSON. */
  document: DocumentFormat;
  /** Follow each delete with a null-valued record so compacted topics forget the key. */
  tombstones: boolean;
  /** source.version; default this package's version. */
  version?: string | null;
}

/** Confluent's envelope as plain JSON text: no schemas, nothing to ask of a server. */
export function confluentJsonFormat(options: ConfluentJsonOptions): RecordFormat {
  const encoder = confluentJsonEncoder(options);
  return { description: `JSON (confluent envelope, ${options.document} documents)`, forTable: async () => encoder };
}

export function confluentJsonEncoder(options: ConfluentJsonOptions): ChangeEncoder {
  const version = options.version === undefined ? CONNECTOR_VERSION : options.version;
  return {
    snapshotPage: (items, page) => snapshotPageRecords(items, page, version, options.document),
    streamChange(change) {
      const key = serializeKey(change.keys, change.keySchema);
      const value = envelopeJson(streamEnvelope(change, version, options.document));
      const records: EncodedRecord[] = [{ key, value, timestampMs: change.changedAtMs }];
      if (change.op === 'd' && options.tombstones) records.push({ key, value: null, timestampMs: change.changedAtMs });
      return records;
    },
  };
}

/**
 * The records of one scan page, one per item. Everything but the document is the same for a whole page, so
 * that part of the envelope is written once per page.
 */
function snapshotPageRecords(items: readonly Item[], page: SnapshotPage, version: string | null, document: DocumentFormat): EncodedRecord[] {
  const head = envelopeHead({
    op: 'r',
    nowMs: page.nowMs,
    source: {
      version,
      tableName: page.tableName,
      syncMode: 'SNAPSHOT',
      changedAtMs: page.readAtMs,
      snapshotStartTime: page.snapshotStartTime,
      snapshotCount: page.snapshotCount,
      segment: page.segment,
      totalSegments: page.totalSegments,
      shardId: null,
      sequenceNumber: null,
      ttlExpired: null,
    },
    before: null,
  });
  return items.map((item) => ({
    key: serializeKey(item, page.keySchema),
    value: `${head}"after":${documentMember(documentJson(item, document))}}`,
    timestampMs: page.readAtMs,
  }));
}

/** Kafka timestamp = ApproximateCreationDateTime, so offsetsForTimes finds changes by when they happened. */
function streamEnvelope(change: StreamChange, version: string | null, document: DocumentFormat): EnvelopeFields {
  return {
    op: change.op,
    nowMs: change.nowMs,
    source: {
      version,
      tableName: change.tableName,
      syncMode: 'CDC',
      changedAtMs: change.changedAtMs,
      snapshotStartTime: null,
      snapshotCount: null,
      segment: null,
      totalSegments: null,
      shardId: change.shardId,
      sequenceNumber: change.sequenceNumber,
      ttlExpired: change.ttlExpired,
    },
    before: change.before === null ? null : documentJson(change.before, document),
    after: change.after === null ? null : documentJson(change.after, document),
  };
}

// ---------------------------------------------------------------------------------------------- JSON writing

interface SourceFields {
  version: string | null;
  tableName: string;
  syncMode: SyncMode;
  changedAtMs: number;
  snapshotStartTime: number | null;
  snapshotCount: number | null;
  segment: number | null;
  totalSegments: number | null;
  shardId: string | null;
  sequenceNumber: string | null;
  ttlExpired: boolean | null;
}

interface EnvelopeFields {
  op: ChangeOp;
  nowMs: number;
  source: SourceFields;
  /** Already-serialized document text, or null. */
  before: string | null;
  after: string | null;
}

/** The item as `document` holds it. */
export function documentJson(item: Item, format: DocumentFormat = 'dynamodb-json'): string {
  return format === 'json' ? serializePlainJson(item) : serializeDynamoDbJson(item);
}

function envelopeJson(e: EnvelopeFields): string {
  return `${envelopeHead(e)}"after":${documentMember(e.after)}}`;
}

/** The envelope up to (not including) its last member, "after", with the trailing comma. */
function envelopeHead(e: Omit<EnvelopeFields, 'after'>): string {
  const s = e.source;
  const source = [
    `"version":${jsonStringOrNull(s.version)}`,
    `"tableName":${JSON.stringify(s.tableName)}`,
    `"sync_mode":${JSON.stringify(s.syncMode)}`,
    timestampMembers(s.changedAtMs, 'source.ts_ms'),
    `"snapshotStartTime":${jsonIntegerOrNull(s.snapshotStartTime, 'snapshotStartTime')}`,
    `"snapshotCount":${jsonIntegerOrNull(s.snapshotCount, 'snapshotCount')}`,
    `"segment":${jsonIntegerOrNull(s.segment, 'segment')}`,
    `"totalSegments":${jsonIntegerOrNull(s.totalSegments, 'totalSegments')}`,
    `"shard_Id":${jsonStringOrNull(s.shardId)}`,
    `"seq_No":${jsonStringOrNull(s.sequenceNumber)}`,
    `"ttl_expired":${s.ttlExpired === null ? 'null' : String(s.ttlExpired)}`,
  ].join(',');
  return `{"op":"${e.op}",${timestampMembers(e.nowMs, 'ts_ms')},"source":{${source}},"before":${documentMember(e.before)},`;
}

/** "ts_ms":…,"ts_us":…,"ts_ns":… from whole milliseconds, exact (BigInt arithmetic, digits written as text). */
function timestampMembers(ms: number, field: string): string {
  if (!Number.isSafeInteger(ms)) throw new Error(`${field} must be a whole number of milliseconds, got ${ms}`);
  const exact = BigInt(ms);
  return `"ts_ms":${exact},"ts_us":${exact * 1_000n},"ts_ns":${exact * 1_000_000n}`;
}

function documentMember(document: string | null): string {
  return document === null ? 'null' : `{"document":${JSON.stringify(document)}}`;
}

function jsonStringOrNull(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function jsonIntegerOrNull(value: number | null, field: string): string {
  if (value === null) return 'null';
  if (!Number.isSafeInteger(value)) throw new Error(`${field} must be an integer, got ${value}`);
  return String(value);
}

// ---------------------------------------------------------------------------------------------- JSON reading

/** What a reader of the envelope needs: the op, the table, and the documents' text. */
export interface ReadEnvelope {
  op: ChangeOp;
  tableName: string;
  /** The document text (DynamoDB JSON or plain JSON), or null. */
  before: string | null;
  after: string | null;
}

/** A value that looks like a change envelope but is malformed; `message` says which member. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/**
 * The envelope in a parsed JSON value, when it is one written by the source connector (op r/c/u/d,
 * source.tableName, a before or after member); undefined for any other value. Throws EnvelopeError when a
 * document member is not `null` or `{"document": "<text>"}`.
 */
export function readEnvelope(json: unknown): ReadEnvelope | undefined {
  if (!isObject(json)) return undefined;
  const op = json.op;
  if (typeof op !== 'string' || !(CHANGE_OPS as readonly string[]).includes(op)) return undefined;
  const source = json.source;
  if (!isObject(source) || typeof source.tableName !== 'string') return undefined;
  if (!('before' in json) && !('after' in json)) return undefined;
  return { op: op as ChangeOp, tableName: source.tableName, before: documentText(json.before, 'before'), after: documentText(json.after, 'after') };
}

function documentText(member: unknown, what: string): string | null {
  if (member === null || member === undefined) return null;
  if (isObject(member) && typeof member.document === 'string') return member.document;
  throw new EnvelopeError(`source change record: ${what} must be null or {"document": "<JSON text>"}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
