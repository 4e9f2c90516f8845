// A change of one item, as the source connector reads it: from a scan page (op r) or a stream record (c, u, d).
// Every record format (src/formats) writes these; none of them reads DynamoDB's shapes itself.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { Item, KeySchema } from './attribute-codec.js';

export const CHANGE_OPS = ['r', 'c', 'u', 'd'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];
export type SyncMode = 'SNAPSHOT' | 'CDC';

/** What is the same for every item of one scan page: it was read at one time, from one segment. */
export interface SnapshotPage {
  tableName: string;
  keySchema: KeySchema;
  snapshotStartTime: number;
  snapshotCount: number;
  segment: number;
  totalSegments: number;
  /** When the page was read: the snapshot's "change time". */
  readAtMs: number;
  /** When the records are produced. */
  nowMs: number;
}

/**
 * The table's last completed snapshot, as its stream records tell it (trustpilot's record repeats it on every
 * change until the next snapshot). End and item count are unknown for a snapshot an older release completed.
 */
export interface SnapshotSummary {
  startedAtMs: number;
  endedAtMs: number | null;
  items: number | null;
}

/** One stream record, checked: an op, its keys and images, and where it came from. */
export interface StreamChange {
  op: Exclude<ChangeOp, 'r'>;
  tableName: string;
  keySchema: KeySchema;
  keys: Item;
  /** The old image; for a delete without one, its keys (they still tell which item went away). */
  before: Item | null;
  /** The new image; null for a delete. */
  after: Item | null;
  /** ApproximateCreationDateTime. */
  changedAtMs: number;
  shardId: string;
  sequenceNumber: string;
  /** Deleted by DynamoDB's TTL process, not by a user. */
  ttlExpired: boolean;
  nowMs: number;
  /** The snapshot these changes follow; absent or null when the stream was read without one. */
  snapshot?: SnapshotSummary | null;
}

export interface StreamOrigin {
  tableName: string;
  keySchema: KeySchema;
  shardId: string;
  nowMs: number;
  snapshot?: SnapshotSummary | null;
}

/** DynamoDB Streams' eventName of each op. */
export const EVENT_NAMES = { c: 'INSERT', u: 'MODIFY', d: 'REMOVE' } as const satisfies Record<StreamChange['op'], string>;
const OPS_BY_EVENT_NAME: Readonly<Record<string, StreamChange['op']>> = { INSERT: 'c', MODIFY: 'u', REMOVE: 'd' };

/** Reads a DynamoDB Streams record; throws, naming table, shard and sequence number, when it is not a change. */
export function readStreamRecord(record: _Record, origin: StreamOrigin): StreamChange {
  const change = record.dynamodb;
  const sequenceNumber = change?.SequenceNumber;
  const where = () => `table ${JSON.stringify(origin.tableName)}, shard ${origin.shardId}, sequence number ${sequenceNumber ?? '(none)'}`;

  const op = record.eventName === undefined ? undefined : OPS_BY_EVENT_NAME[record.eventName];
  if (op === undefined) throw new Error(`Stream record has unknown eventName ${JSON.stringify(record.eventName)} (${where()})`);
  const keys: Item | undefined = change?.Keys;
  if (keys === undefined || Object.keys(keys).length === 0) throw new Error(`Stream record has no Keys (${where()})`);
  if (sequenceNumber === undefined) throw new Error(`Stream record has no SequenceNumber (${where()})`);
  const changedAt = change?.ApproximateCreationDateTime;
  if (!(changedAt instanceof Date) || Number.isNaN(changedAt.getTime())) {
    throw new Error(`Stream record has no valid ApproximateCreationDateTime (${where()})`);
  }
  // A NEW_IMAGE stream has no OldImage on REMOVE (nor a change written without it): the keys stand in for it.
  const before: Item | null = change?.OldImage ?? (op === 'd' ? keys : null);
  return {
    op,
    tableName: origin.tableName,
    keySchema: origin.keySchema,
    keys,
    before,
    after: op === 'd' ? null : (change?.NewImage ?? null),
    changedAtMs: changedAt.getTime(),
    shardId: origin.shardId,
    sequenceNumber,
    ttlExpired: isTtlExpiry(record),
    nowMs: origin.nowMs,
    snapshot: origin.snapshot ?? null,
  };
}

/** The change without its old image (a delete keeps its keys): for a change too large to write with both. */
export function withoutBefore(change: StreamChange): StreamChange {
  return { ...change, before: change.op === 'd' ? change.keys : null };
}

/** DynamoDB's TTL process deletes as the service principal; a user's delete carries no such identity. */
export function isTtlExpiry(record: _Record): boolean {
  return record.userIdentity?.PrincipalId === 'dynamodb.amazonaws.com' && record.userIdentity.Type === 'Service';
}
