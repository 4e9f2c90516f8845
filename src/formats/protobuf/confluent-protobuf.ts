// Confluent's DynamoDB CDC Source envelope in Protobuf, in Confluent's wire format: magic byte 0, the schema id as
// a big-endian int32, the message-indexes (the single byte 0: the file's first message), then protobuf's binary
// encoding. The .proto text registered is the text protobufjs encodes with, so the two cannot drift.
import protobuf from 'protobufjs';
import { serializeKey, type Item } from '../../domain/attribute-codec.js';
import type { SnapshotPage, StreamChange, SyncMode } from '../../domain/change.js';
import type { TableInfo } from '../../domain/table-info.js';
import { CONNECTOR_VERSION } from '../../domain/version.js';
import { avroName } from '../avro/names.js';
import { documentJson, type DocumentFormat } from '../confluent-json.js';
import type { ChangeEncoder, EncodedRecord, RecordFormat } from '../ports.js';
import { registeredHeader, type RegistryTarget } from '../registry/registration.js';
import { envelopeProto, keyProto, protoPackage } from './proto-schemas.js';

export interface ConfluentProtobufOptions extends RegistryTarget {
  document: DocumentFormat;
  tombstones: boolean;
  /** Keys in Protobuf too (output.data.key.format=PROTOBUF), or as the JSON text of the key attributes. */
  protobufKeys: boolean;
}

/** Message-indexes of a file's first message: Confluent writes [0] as the single byte 0. */
const FIRST_MESSAGE = Buffer.from([0]);

export function confluentProtobufFormat(options: ConfluentProtobufOptions): RecordFormat {
  return {
    description: `PROTOBUF (confluent envelope, ${options.document} documents) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => confluentProtobufEncoder(options, table, topic),
  };
}

/** Registers the table's schemas (or finds them registered) and returns its encoder. */
async function confluentProtobufEncoder(options: ConfluentProtobufOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const envelope = await registered(options, table, topic, false, envelopeProto(table.name), 'Envelope');
  const encodeKey = options.protobufKeys ? await protobufKeyEncoder(options, table, topic) : serializeKey;
  const version = CONNECTOR_VERSION;
  const documentValue = (item: Item) => ({ document: documentJson(item, options.document) });
  const encode = (message: object) => envelope.type.encode(message).finish();

  return {
    snapshotPage(items, page) {
      // Everything but `after` is the same for the page: encoded once. Protobuf merges repeated encodings of a
      // message, so the head followed by an encoding holding only `after` is the whole envelope.
      const head = encode({ op: 'r', ...timestamps(BigInt(page.nowMs)), source: sourceMessage(page.tableName, 'SNAPSHOT', page.readAtMs, version, page) });
      return items.map((item): EncodedRecord => {
        const after = encode({ after: documentValue(item) });
        const value = Buffer.concat([envelope.prefix, head, after], envelope.prefix.length + head.length + after.length);
        return { key: encodeKey(item, page.keySchema), value, timestampMs: page.readAtMs };
      });
    },
    streamChange(change) {
      const key = encodeKey(change.keys, change.keySchema);
      const body = encode({
        op: change.op,
        ...timestamps(BigInt(change.nowMs)),
        source: sourceMessage(change.tableName, 'CDC', change.changedAtMs, version, change),
        ...(change.before === null ? {} : { before: documentValue(change.before) }),
        ...(change.after === null ? {} : { after: documentValue(change.after) }),
      });
      const records: EncodedRecord[] = [{ key, value: Buffer.concat([envelope.prefix, body]), timestampMs: change.changedAtMs }];
      if (change.op === 'd' && options.tombstones) records.push({ key, value: null, timestampMs: change.changedAtMs });
      return records;
    },
  };
}

/** A schema registered under its subject: the message type to encode with and the wire prefix of its records. */
function registered(options: ConfluentProtobufOptions, table: TableInfo, topic: string, isKey: boolean, text: string, message: string) {
  return registeredProto(options, topic, isKey, text, `${protoPackage(table.name)}.${message}`);
}

/**
 * Registers a .proto file whose first message is `fullName` (RecordNameStrategy names the subject by it), and
 * returns that message's type, parsed from the very text registered, and the wire prefix of its records.
 */
export async function registeredProto(target: RegistryTarget, topic: string, isKey: boolean, text: string, fullName: string) {
  const type = protobuf.parse(text, { keepCase: true }).root.lookupType(fullName);
  const header = await registeredHeader(target, topic, isKey, fullName, { schemaType: 'PROTOBUF', schema: text });
  return { type, prefix: Buffer.concat([header, FIRST_MESSAGE]) };
}

type KeyEncoder = (item: Item, schema: TableInfo['keySchema']) => Buffer | string;

async function protobufKeyEncoder(options: ConfluentProtobufOptions, table: TableInfo, topic: string): Promise<KeyEncoder> {
  const { type, prefix } = await registered(options, table, topic, true, keyProto(table), 'Key');
  const names = table.keySchema.rangeKey === undefined ? [table.keySchema.hashKey] : [table.keySchema.hashKey, table.keySchema.rangeKey];
  const fields = names.map((attribute) => ({ field: avroName(attribute), attribute }));
  return (item) => {
    const key: Record<string, string | Uint8Array> = {};
    for (const { field, attribute } of fields) key[field] = keyValue(item, attribute, table.name);
    const body = type.encode(key).finish();
    return Buffer.concat([prefix, body], prefix.length + body.length);
  };
}

function keyValue(item: Item, attribute: string, table: string): string | Uint8Array {
  const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
  if (value?.S !== undefined) return value.S;
  if (value?.N !== undefined) return value.N;
  if (value?.B !== undefined) return value.B;
  throw new Error(`table ${table}: key attribute ${JSON.stringify(attribute)} is missing or not S, N or B`);
}

// ---------------------------------------------------------------------------------------------- int64

/** protobufjs takes a 64-bit integer as its two 32-bit halves: exact, without the `long` package. */
interface Int64 {
  low: number;
  high: number;
  unsigned: false;
}

function int64(value: bigint): Int64 {
  return { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)), unsigned: false };
}

function timestamps(ms: bigint) {
  return { ts_ms: int64(ms), ts_us: int64(ms * 1_000n), ts_ns: int64(ms * 1_000_000n) };
}

/** The Source message; unset optional fields are left out, so they are absent on the wire. */
function sourceMessage(tableName: string, syncMode: SyncMode, changedAtMs: number, version: string | null, from: Partial<SnapshotPage & StreamChange>) {
  const source: Record<string, unknown> = { tableName, sync_mode: syncMode, ...timestamps(BigInt(changedAtMs)) };
  if (version !== null) source.version = version;
  if (from.snapshotStartTime !== undefined) source.snapshotStartTime = int64(BigInt(from.snapshotStartTime));
  if (from.snapshotCount !== undefined) source.snapshotCount = int64(BigInt(from.snapshotCount));
  if (from.segment !== undefined) source.segment = from.segment;
  if (from.totalSegments !== undefined) source.totalSegments = from.totalSegments;
  if (from.shardId !== undefined) source.shard_Id = from.shardId;
  if (from.sequenceNumber !== undefined) source.seq_No = from.sequenceNumber;
  if (from.ttlExpired !== undefined) source.ttl_expired = from.ttlExpired;
  return source;
}
