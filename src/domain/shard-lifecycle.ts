// The life of one stream shard as a transition table (after KCL's ConsumerStates): every allowed move is listed
// here, and anything else is a bug that throws instead of silently reading out of order.

export type ShardState =
  /** A parent is listed and not yet at SHARD_END: reading now could emit an item's changes out of order. */
  | 'WAITING_ON_PARENT'
  /** Reading records from the checkpoint (or TRIM_HORIZON) on. */
  | 'READING'
  /** Closed shard fully read (no NextShardIterator): its children may start. Final. */
  | 'SHARD_END'
  /** Records we had not read were trimmed: the table must be re-snapshotted. Final. */
  | 'GAP';

export type ShardEvent =
  | 'PARENT_FINISHED'
  /** A GetRecords page was read and checkpointed (possibly empty, for an open shard). */
  | 'RECORDS_READ'
  /** GetRecords returned no NextShardIterator. */
  | 'END_REACHED'
  /** The 15-minute iterator expired: re-acquire one after the checkpoint and go on reading. */
  | 'ITERATOR_EXPIRED'
  /** TrimmedDataAccessException: the records after the checkpoint are gone. */
  | 'TRIMMED';

export const SHARD_TRANSITIONS = {
  WAITING_ON_PARENT: { PARENT_FINISHED: 'READING', TRIMMED: 'GAP' },
  READING: { RECORDS_READ: 'READING', END_REACHED: 'SHARD_END', ITERATOR_EXPIRED: 'READING', TRIMMED: 'GAP' },
  SHARD_END: {},
  GAP: {},
} as const satisfies Record<ShardState, Partial<Record<ShardEvent, ShardState>>>;

/** Where a shard starts: it waits while its parent is listed and not finished. */
export function initialShardState(parentFinishedOrAbsent: boolean): ShardState {
  return parentFinishedOrAbsent ? 'READING' : 'WAITING_ON_PARENT';
}

export function transition(state: ShardState, event: ShardEvent): ShardState {
  const next = (SHARD_TRANSITIONS[state] as Partial<Record<ShardEvent, ShardState>>)[event];
  if (next === undefined) throw new Error(`Shard lifecycle: no transition from ${state} on ${event}`);
  return next;
}
