// Confluent's DynamoDB CDC Source envelope in Avro, in Confluent's wire format (magic byte 0, the schema's id as a
// big-endian int32, then Avro's binary encoding), so Confluent's deserializers, ksqlDB and every Schema-Registry-
// aware consumer read it. Schemas are registered once per table when its encoder is made; encoding is avsc's.
import avro from 'avsc';
import { serializeKey, type Item } from '../../domain/attribute-codec.js';
import type { SnapshotPage, StreamChange, SyncMode } from '../../domain/change.js';
import type { KeyAttributeType, TableInfo } from '../../domain/table-info.js';
import { CONNECTOR_VERSION } from '../../domain/version.js';
import { documentJson, type DocumentFormat } from '../confluent-json.js';
import type { ChangeEncoder, EncodedRecord, RecordFormat } from '../ports.js';
import type { SchemaRegistry } from '../registry/ports.js';
import { registeredHeader, type RegistryTarget } from '../registry/registration.js';
import type { SubjectNaming } from '../../domain/subject-names.js';
import { EXACT_LONG } from './exact-long.js';
import { avroName } from './names.js';

export interface ConfluentAvroOptions {
  registry: SchemaRegistry;
  document: DocumentFormat;
  tombstones: boolean;
  /** Keys in Avro too (output.data.key.format=AVRO), or as the JSON text of the key attributes. */
  avroKeys: boolean;
  keySubjects: SubjectNaming;
  valueSubjects: SubjectNaming;
}

/** Where value schemas live: io.confluent.connect.dynamodb.<table>, the table name made an Avro name. */
export const VALUE_NAMESPACE = 'io.confluent.connect.dynamodb';
const SOURCE_NAMESPACE = 'io.confluent.connector.dynamodb';

export function confluentAvroFormat(options: ConfluentAvroOptions): RecordFormat {
  return {
    description: `AVRO (confluent envelope, ${options.document} documents) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => confluentAvroEncoder(options, table, topic),
  };
}

/** Registers the table's schemas (or finds them registered) and returns its encoder. */
export async function confluentAvroEncoder(options: ConfluentAvroOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const valueSchema = envelopeSchema(table.name);
  const valueType = avro.Type.forSchema(valueSchema as avro.Schema, { registry: { long: EXACT_LONG } });
  const valueHeader = await registeredAvroSchema(options, topic, false, valueSchema);
  const encodeValue = (envelope: AvroEnvelope) => Buffer.concat([valueHeader, valueType.toBuffer(envelope)]);
  const encodeKey = options.avroKeys ? await avroKeyEncoder(options, table, topic) : serializeKey;
  const version = CONNECTOR_VERSION;

  return {
    snapshotPage(items, page) {
      const source = sourceRecord(page.tableName, 'SNAPSHOT', page.readAtMs, version, page);
      const nowMs = BigInt(page.nowMs);
      return items.map((item): EncodedRecord => {
        const envelope: AvroEnvelope = { op: 'r', ...timestamps(nowMs), source, before: null, after: { document: documentJson(item, options.document) } };
        return { key: encodeKey(item, page.keySchema), value: encodeValue(envelope), timestampMs: page.readAtMs };
      });
    },
    streamChange(change) {
      const key = encodeKey(change.keys, change.keySchema);
      const envelope: AvroEnvelope = {
        op: change.op,
        ...timestamps(BigInt(change.nowMs)),
        source: sourceRecord(change.tableName, 'CDC', change.changedAtMs, version, change),
        before: change.before === null ? null : { document: documentJson(change.before, options.document) },
        after: change.after === null ? null : { document: documentJson(change.after, options.document) },
      };
      const records: EncodedRecord[] = [{ key, value: encodeValue(envelope), timestampMs: change.changedAtMs }];
      if (change.op === 'd' && options.tombstones) records.push({ key, value: null, timestampMs: change.changedAtMs });
      return records;
    },
  };
}

// ---------------------------------------------------------------------------------------------- schemas

const optional = (type: unknown) => ({ type: ['null', type], default: null });
const LONG_TIMESTAMPS = ['ts_ms', 'ts_us', 'ts_ns'].map((name) => ({ name, type: 'long' }));

/** The value schema: the fields and order of the JSON envelope (src/formats/confluent-json.ts). */
export function envelopeSchema(tableName: string) {
  return {
    type: 'record',
    name: 'Envelope',
    namespace: `${VALUE_NAMESPACE}.${avroName(tableName)}`,
    fields: [
      { name: 'op', type: 'string' },
      ...LONG_TIMESTAMPS,
      {
        name: 'source',
        ...optional({
          type: 'record',
          name: 'Source',
          namespace: SOURCE_NAMESPACE,
          fields: [
            { name: 'version', ...optional('string') },
            { name: 'tableName', type: 'string' },
            { name: 'sync_mode', type: 'string' },
            ...LONG_TIMESTAMPS,
            { name: 'snapshotStartTime', ...optional('long') },
            { name: 'snapshotCount', ...optional('long') },
            { name: 'segment', ...optional('int') },
            { name: 'totalSegments', ...optional('int') },
            { name: 'shard_Id', ...optional('string') },
            { name: 'seq_No', ...optional('string') },
            { name: 'ttl_expired', ...optional('boolean') },
          ],
        }),
      },
      { name: 'before', ...optional({ type: 'record', name: 'Value', fields: [{ name: 'document', type: 'string' }] }) },
      { name: 'after', ...optional('Value') },
    ],
  };
}

/** Avro types of key attributes: numbers keep every digit as text (Avro has no arbitrary-precision number). */
const KEY_FIELD_TYPES: Record<KeyAttributeType, string> = { S: 'string', N: 'string', B: 'bytes' };

/**
 * Marks a key field whose text is a DynamoDB number ("dynamodb.type": "N"), so that a reader (our sink, for a
 * tombstone's key) writes it back as a number. Readers that do not know the attribute ignore it, as Avro says.
 */
export const DYNAMODB_TYPE_ATTRIBUTE = 'dynamodb.type';

/**
 * The key schema: the key attributes as typed fields, hash key first. Named per table (not Connect's shared
 * io.confluent.connect.avro.ConnectDefault) so that RecordNameStrategy gives each table's key its own subject.
 */
export function keySchema(table: TableInfo) {
  const names = table.keySchema.rangeKey === undefined ? [table.keySchema.hashKey] : [table.keySchema.hashKey, table.keySchema.rangeKey];
  return {
    type: 'record',
    name: 'Key',
    namespace: `${VALUE_NAMESPACE}.${avroName(table.name)}`,
    fields: names.map((name) => {
      const type = table.keyTypes[name] ?? 'S';
      return { name: avroName(name), type: KEY_FIELD_TYPES[type], ...(type === 'N' ? { [DYNAMODB_TYPE_ATTRIBUTE]: 'N' } : {}) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------- encoding

interface AvroSource {
  version: string | null;
  tableName: string;
  sync_mode: SyncMode;
  ts_ms: bigint;
  ts_us: bigint;
  ts_ns: bigint;
  snapshotStartTime: bigint | null;
  snapshotCount: bigint | null;
  segment: number | null;
  totalSegments: number | null;
  shard_Id: string | null;
  seq_No: string | null;
  ttl_expired: boolean | null;
}

interface AvroEnvelope {
  op: string;
  ts_ms: bigint;
  ts_us: bigint;
  ts_ns: bigint;
  source: AvroSource;
  before: { document: string } | null;
  after: { document: string } | null;
}

function timestamps(ms: bigint) {
  return { ts_ms: ms, ts_us: ms * 1_000n, ts_ns: ms * 1_000_000n };
}

function sourceRecord(tableName: string, syncMode: SyncMode, changedAtMs: number, version: string | null, from: Partial<SnapshotPage & StreamChange>): AvroSource {
  return {
    version,
    tableName,
    sync_mode: syncMode,
    ...timestamps(BigInt(changedAtMs)),
    snapshotStartTime: from.snapshotStartTime === undefined ? null : BigInt(from.snapshotStartTime),
    snapshotCount: from.snapshotCount === undefined ? null : BigInt(from.snapshotCount),
    segment: from.segment ?? null,
    totalSegments: from.totalSegments ?? null,
    shard_Id: from.shardId ?? null,
    seq_No: from.sequenceNumber ?? null,
    ttl_expired: from.ttlExpired ?? null,
  };
}

/** Registers an Avro record schema under its full name's subject; the wire header of its id. */
export function registeredAvroSchema(target: RegistryTarget, topic: string, isKey: boolean, schema: { name: string; namespace: string }): Promise<Buffer> {
  return registeredHeader(target, topic, isKey, `${schema.namespace}.${schema.name}`, { schemaType: 'AVRO', schema: JSON.stringify(schema) });
}

type KeyEncoder = (item: Item, schema: TableInfo['keySchema']) => Buffer | string;

async function avroKeyEncoder(options: ConfluentAvroOptions, table: TableInfo, topic: string): Promise<KeyEncoder> {
  const schema = keySchema(table);
  const type = avro.Type.forSchema(schema as avro.Schema);
  const header = await registeredAvroSchema(options, topic, true, schema);
  const fields = schema.fields.map((field, index) => ({ avro: field.name, attribute: index === 0 ? table.keySchema.hashKey : table.keySchema.rangeKey! }));
  return (item) => {
    const key: Record<string, string | Buffer> = {};
    for (const field of fields) key[field.avro] = keyValue(item, field.attribute, table.name);
    return Buffer.concat([header, type.toBuffer(key)]);
  };
}


function keyValue(item: Item, attribute: string, table: string): string | Buffer {
  const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
  if (value?.S !== undefined) return value.S;
  if (value?.N !== undefined) return value.N;
  if (value?.B !== undefined) return Buffer.from(value.B);
  throw new Error(`table ${table}: key attribute ${JSON.stringify(attribute)} is missing or not S, N or B`);
}
