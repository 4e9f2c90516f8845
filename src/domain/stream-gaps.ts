// Lost stream records, found as a pure function of what the stream lists and what we read: each finding names the
// shards, why, and the time range whose changes may be missing, so the log line says what a re-snapshot repairs.
import type { StreamOffset } from './position.js';
import { vanishedUnfinished, type ShardForest } from './shard-tree.js';

/** DynamoDB Streams keeps records for 24 hours. */
export const STREAM_RETENTION_MS = 24 * 3_600_000;

/** What a shard's checkpoint tells about it. */
export interface ShardCheckpoint {
  finished: boolean;
  /** Creation time of the last record handled (epoch ms); absent before any, or in offsets of older releases. */
  lastRecordMs?: number;
}

/** What the position needs from the stream, and when "now" is. */
export interface StreamNeeds {
  /** Changes from this instant on are needed (epoch ms); null: whatever the stream holds (TRIM_HORIZON by choice). */
  startMs: number | null;
  nowMs: number;
  retentionMs: number;
}

/** Changes made in this range may be missing: from `fromMs` (unknown: null) up to `toMs`. */
export interface AtRisk {
  fromMs: number | null;
  toMs: number;
}

export interface StreamGap {
  reason: string;
  atRisk: AtRisk;
}

/** What a stream position needs, at `nowMs`. */
export function streamNeeds(position: Pick<StreamOffset, 'skipBeforeMs'>, nowMs: number): StreamNeeds {
  return { startMs: position.skipBeforeMs, nowMs, retentionMs: STREAM_RETENTION_MS };
}

/** The oldest record the stream still keeps was created about then. */
function trimHorizon(needs: StreamNeeds): number {
  return needs.nowMs - needs.retentionMs;
}

/**
 * Shards the position needed that the stream no longer fully holds:
 * - a shard we were reading (unfinished checkpoint) that left the listing: its unread records were trimmed;
 * - a shard never read that has no read parent (a root of the forest: the stream's first shard, or the child of a
 *   parent already gone) while the position needs changes older than the retention: they may be trimmed (on AWS
 *   TRIM_HORIZON quietly starts at the oldest record kept, and expired shards vanish from the listing).
 * A child of a shard read to its end is no gap: its records came after its parent's.
 */
export function lostShards(forest: ShardForest, checkpoints: ReadonlyMap<string, ShardCheckpoint>, needs: StreamNeeds): StreamGap | undefined {
  const vanished = vanishedUnfinished(checkpoints, forest);
  if (vanished.length > 0) {
    const readUpTo = vanished.map((shardId) => checkpoints.get(shardId)!.lastRecordMs).filter((time): time is number => time !== undefined);
    return {
      reason: `shard(s) ${vanished.join(', ')} left the stream before they were read to the end`,
      atRisk: { fromMs: readUpTo.length > 0 ? Math.min(...readUpTo) : needs.startMs, toMs: trimHorizon(needs) },
    };
  }
  if (needs.startMs === null || needs.startMs >= trimHorizon(needs)) return undefined;
  const unread = forest
    .roots()
    .filter((shard) => !checkpoints.has(shard.shardId))
    .filter((shard) => shard.parentShardId === undefined || checkpoints.get(shard.parentShardId)?.finished !== true)
    .map((shard) => shard.shardId);
  if (unread.length === 0) return undefined;
  return {
    reason: `shard(s) ${unread.join(', ')} were first read after the stream's retention had passed the position's start`,
    atRisk: { fromMs: needs.startMs, toMs: trimHorizon(needs) },
  };
}

/** A shard's records after its checkpoint (or, never read, from the position's start) were trimmed before we read them. */
export function trimmedShard(shardId: string, checkpoint: ShardCheckpoint | undefined, needs: StreamNeeds): StreamGap {
  const where = checkpoint ? 'after its checkpoint' : 'from its start';
  return {
    reason: `records of shard ${shardId} ${where} are no longer in the stream`,
    atRisk: { fromMs: checkpoint?.lastRecordMs ?? needs.startMs, toMs: trimHorizon(needs) },
  };
}

/** The table's stream was disabled and enabled again: what the old one held after our last read is out of reach. */
export function streamRecreated(previousArn: string, currentArn: string, lastReadMs: number | undefined, nowMs: number): StreamGap {
  return {
    reason: `its stream was re-created (was ${previousArn}, now ${currentArn})`,
    atRisk: { fromMs: lastReadMs ?? null, toMs: nowMs },
  };
}

/** "changes made from … to … may be missing", in UTC, for the log line and the error. */
export function describeAtRisk(atRisk: AtRisk): string {
  const from = atRisk.fromMs === null ? 'an unknown time (before its last checkpoint)' : new Date(atRisk.fromMs).toISOString();
  return `changes made from ${from} to ${new Date(atRisk.toMs).toISOString()} may be missing`;
}
