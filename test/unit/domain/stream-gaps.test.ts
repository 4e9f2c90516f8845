import { describe, expect, it } from 'vitest';
import { buildShardForest, type ShardInfo } from '../../../src/domain/shard-tree.js';
import {
  STREAM_RETENTION_MS,
  describeAtRisk,
  lostShards,
  streamRecreated,
  trimmedShard,
  type ShardCheckpoint,
  type StreamNeeds,
} from '../../../src/domain/stream-gaps.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 3, 12);
const horizon = NOW - STREAM_RETENTION_MS;

/** A rollover chain whose first shard has expired: shard-2's parent is no longer listed. */
const afterExpiry: ShardInfo[] = [
  { shardId: 'shard-2', parentShardId: 'shard-1', startingSequenceNumber: '200', endingSequenceNumber: '299' },
  { shardId: 'shard-3', parentShardId: 'shard-2', startingSequenceNumber: '300' },
];
const needs = (startMs: number | null): StreamNeeds => ({ startMs, nowMs: NOW, retentionMs: STREAM_RETENTION_MS });
const checkpoints = (entries: Record<string, ShardCheckpoint>) => new Map(Object.entries(entries));

describe('lostShards', () => {
  it('a shard we were reading that left the stream: lost from its last record read to the trim horizon', () => {
    const lost = lostShards(buildShardForest(afterExpiry), checkpoints({ 'shard-1': { finished: false, lastRecordMs: NOW - 30 * HOUR } }), needs(NOW - 40 * HOUR));
    expect(lost).toEqual({ reason: 'shard(s) shard-1 left the stream before they were read to the end', atRisk: { fromMs: NOW - 30 * HOUR, toMs: horizon } });
  });

  it('a vanished shard with a checkpoint of an older release (no record time): at risk from the position start', () => {
    const lost = lostShards(buildShardForest(afterExpiry), checkpoints({ 'shard-1': { finished: false } }), needs(NOW - 40 * HOUR));
    expect(lost?.atRisk).toEqual({ fromMs: NOW - 40 * HOUR, toMs: horizon });
  });

  it('a shard never read whose parent expired, when the position needs changes older than the retention (a snapshot that outlasted it)', () => {
    const lost = lostShards(buildShardForest(afterExpiry), new Map(), needs(NOW - 25 * HOUR));
    expect(lost).toEqual({
      reason: "shard(s) shard-2 were first read after the stream's retention had passed the position's start",
      atRisk: { fromMs: NOW - 25 * HOUR, toMs: horizon },
    });
  });

  it("the stream's first shard never read, trimmed past an old start: a gap too", () => {
    const first: ShardInfo[] = [{ shardId: 'shard-1', startingSequenceNumber: '100' }];
    expect(lostShards(buildShardForest(first), new Map(), needs(NOW - 30 * HOUR))?.atRisk).toEqual({ fromMs: NOW - 30 * HOUR, toMs: horizon });
  });

  it('no gap when the expired parent was read to its end first', () => {
    expect(lostShards(buildShardForest(afterExpiry), checkpoints({ 'shard-1': { finished: true } }), needs(NOW - 25 * HOUR))).toBeUndefined();
  });

  it('no gap when the shard never read starts after the position needs: its trimmed records precede the start', () => {
    expect(lostShards(buildShardForest(afterExpiry), new Map(), needs(NOW - 2 * HOUR))).toBeUndefined();
  });

  it('no gap for TRIM_HORIZON by choice (no start): whatever the stream holds is what was asked for', () => {
    expect(lostShards(buildShardForest(afterExpiry), new Map(), needs(null))).toBeUndefined();
  });

  it('no gap for a root already being read (its own trimmed records are found when reading it)', () => {
    expect(lostShards(buildShardForest(afterExpiry), checkpoints({ 'shard-2': { finished: false } }), needs(NOW - 25 * HOUR))).toBeUndefined();
  });

  it('children of listed shards are never roots, whatever their checkpoints', () => {
    const chain: ShardInfo[] = [{ shardId: 'shard-1', startingSequenceNumber: '100', endingSequenceNumber: '199' }, ...afterExpiry];
    expect(lostShards(buildShardForest(chain), checkpoints({ 'shard-1': { finished: false } }), needs(NOW - 2 * HOUR))).toBeUndefined();
  });
});

describe('trimmedShard: a checkpoint older than the oldest record', () => {
  it('after a checkpoint: at risk from its last record', () => {
    expect(trimmedShard('shard-3', { finished: false, lastRecordMs: NOW - 26 * HOUR }, needs(NOW - 30 * HOUR))).toEqual({
      reason: 'records of shard shard-3 after its checkpoint are no longer in the stream',
      atRisk: { fromMs: NOW - 26 * HOUR, toMs: horizon },
    });
  });

  it('never read: at risk from the position start', () => {
    expect(trimmedShard('shard-3', undefined, needs(NOW - 30 * HOUR)).atRisk).toEqual({ fromMs: NOW - 30 * HOUR, toMs: horizon });
  });
});

describe('streamRecreated', () => {
  it('names both streams and the range from the last record read to now', () => {
    expect(streamRecreated('arn-1', 'arn-2', NOW - HOUR, NOW)).toEqual({
      reason: 'its stream was re-created (was arn-1, now arn-2)',
      atRisk: { fromMs: NOW - HOUR, toMs: NOW },
    });
  });
});

describe('describeAtRisk', () => {
  it('says the range in UTC', () => {
    expect(describeAtRisk({ fromMs: NOW - 25 * HOUR, toMs: horizon })).toBe('changes made from 2026-01-02T11:00:00.000Z to 2026-01-02T12:00:00.000Z may be missing');
  });

  it('says when the start is unknown', () => {
    expect(describeAtRisk({ fromMs: null, toMs: horizon })).toMatch(/^changes made from an unknown time .* to 2026-01-02T12:00:00.000Z may be missing$/);
  });
});
