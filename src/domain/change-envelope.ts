// Kafka records in the change envelope of Confluent's DynamoDB CDC Source connector, as plain JSON (Confluent's
// Avro form wraps nullable fields in unions like {"string": …}; the JSON converter form does not).
//
// The envelope text is written by hand, in a fixed field order, because ts_ns (ms × 10^6) is above 2^53 and
// JSON.stringify of a JS number would round it.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { serializeDynamoDbJson, serializeKey, serializePlainJson, type Item, type KeySchema } from './attribute-codec.js';

/** source.version of every envelope: this package's version. */
export const CONNECTOR_VERSION = '0.1.0';

export type DocumentFormat = 'dynamodb-json' | 'json';
export const CHANGE_OPS = ['r', 'c', 'u', 'd'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];
export type SyncMode = 'SNAPSHOT' | 'CDC';

/** One Kafka record to produce; value null is a tombstone. */
export interface OutgoingRecord {
  key: string;
  value: string | null;
  timestampMs: number;
}

export interface SnapshotRecordContext {
  tableName: string;
  keySchema: KeySchema;
  snapshotStartTime: number;
  snapshotCount: number;
  segment: number;
  totalSegments: number;
  /** When the scan page holding the item was read: the snapshot's "change time". */
  readAtMs: number;
  /** When the envelope is produced. */
  nowMs: number;
  format?: DocumentFormat;
  version?: string | null;
}

export interface StreamRecordContext {
  tableName: string;
  keySchema: KeySchema;
  shardId: string;
  /** Follow each delete with a null-valued record so compacted topics forget the key. */
  tombstones: boolean;
  nowMs: number;
  format?: DocumentFormat;
  version?: string | null;
  /** Leave the old image out (a delete keeps its keys): for a change too large to write with both images. */
  omitBefore?: boolean;
}

const OPS_BY_EVENT_NAME: Readonly<Record<string, ChangeOp>> = { INSERT: 'c', MODIFY: 'u', REMOVE: 'd' };

/**
 * The records of one scan page, one per item. Everything but the document is the same for a whole page (it was
 * read at one time, from one segment), so that part of the envelope is written once per page.
 */
export function snapshotPageRecords(items: readonly Item[], ctx: SnapshotRecordContext): OutgoingRecord[] {
  const head = envelopeHead({
    op: 'r',
    nowMs: ctx.nowMs,
    source: {
      version: ctx.version === undefined ? CONNECTOR_VERSION : ctx.version,
      tableName: ctx.tableName,
      syncMode: 'SNAPSHOT',
      changedAtMs: ctx.readAtMs,
      snapshotStartTime: ctx.snapshotStartTime,
      snapshotCount: ctx.snapshotCount,
      segment: ctx.segment,
      totalSegments: ctx.totalSegments,
      shardId: null,
      sequenceNumber: null,
      ttlExpired: null,
    },
    before: null,
  });
  return items.map((item) => ({
    key: serializeKey(item, ctx.keySchema),
    value: `${head}"after":${documentMember(documentJson(item, ctx.format))}}`,
    timestampMs: ctx.readAtMs,
  }));
}

/**
 * The envelope of one DynamoDB Streams record, followed for a delete (when tombstones are on) by a tombstone with
 * the same key. Kafka timestamp = ApproximateCreationDateTime, so offsetsForTimes finds changes by when they
 * happened.
 */
export function streamRecords(record: _Record, ctx: StreamRecordContext): OutgoingRecord[] {
  const change = record.dynamodb;
  const sequenceNumber = change?.SequenceNumber;
  const where = () => `table ${JSON.stringify(ctx.tableName)}, shard ${ctx.shardId}, sequence number ${sequenceNumber ?? '(none)'}`;

  const op = record.eventName === undefined ? undefined : OPS_BY_EVENT_NAME[record.eventName];
  if (op === undefined) throw new Error(`Stream record has unknown eventName ${JSON.stringify(record.eventName)} (${where()})`);
  const keys: Item | undefined = change?.Keys;
  if (keys === undefined || Object.keys(keys).length === 0) throw new Error(`Stream record has no Keys (${where()})`);
  if (sequenceNumber === undefined) throw new Error(`Stream record has no SequenceNumber (${where()})`);
  const changedAt = change?.ApproximateCreationDateTime;
  if (!(changedAt instanceof Date) || Number.isNaN(changedAt.getTime())) {
    throw new Error(`Stream record has no valid ApproximateCreationDateTime (${where()})`);
  }
  const changedAtMs = changedAt.getTime();

  const oldImage: Item | undefined = change?.OldImage;
  const newImage: Item | undefined = change?.NewImage;
  // A NEW_IMAGE stream has no OldImage on REMOVE (nor a change written without it): the keys still tell
  // consumers which item went away.
  const beforeItem = (ctx.omitBefore ? undefined : oldImage) ?? (op === 'd' ? keys : undefined);
  const afterItem = op === 'd' ? undefined : newImage;

  const key = serializeKey(keys, ctx.keySchema);
  const value = envelopeJson({
    op,
    nowMs: ctx.nowMs,
    source: {
      version: ctx.version === undefined ? CONNECTOR_VERSION : ctx.version,
      tableName: ctx.tableName,
      syncMode: 'CDC',
      changedAtMs,
      snapshotStartTime: null,
      snapshotCount: null,
      segment: null,
      totalSegments: null,
      shardId: ctx.shardId,
      sequenceNumber,
      ttlExpired: isTtlExpiry(record),
    },
    before: beforeItem === undefined ? null : documentJson(beforeItem, ctx.format),
    after: afterItem === undefined ? null : documentJson(afterItem, ctx.format),
  });

  const records: OutgoingRecord[] = [{ key, value, timestampMs: changedAtMs }];
  if (op === 'd' && ctx.tombstones) records.push({ key, value: null, timestampMs: changedAtMs });
  return records;
}

/** DynamoDB's TTL process deletes as the service principal; a user's delete carries no such identity. */
export function isTtlExpiry(record: _Record): boolean {
  return record.userIdentity?.PrincipalId === 'dynamodb.amazonaws.com' && record.userIdentity.Type === 'Service';
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

function documentJson(item: Item, format: DocumentFormat = 'dynamodb-json'): string {
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
