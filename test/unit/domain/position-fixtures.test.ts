import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkVersion,
  offsetKey,
  parseOffsetKey,
  partitions,
  type SegmentOffset,
  type ShardOffset,
  type SourcePartition,
  type StreamOffset,
} from '../../../src/domain/position.js';

/**
 * Released offset formats, frozen in test/fixtures/offsets-v1.json. If this test fails, a change would make
 * offsets already stored in users' offsets topics unreadable (or stored under different keys).
 */
interface FixtureEntry {
  type: 'SegmentOffset' | 'StreamOffset' | 'ShardOffset';
  partition: SourcePartition;
  key: string;
  offset: Record<string, unknown>;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/offsets-v1.json', import.meta.url), 'utf8')) as {
  connector: string;
  offsets: FixtureEntry[];
};

// The field lists must name exactly the interfaces' fields (checked by the compiler), and the fixture must
// carry exactly those fields (checked below): renaming or adding a field breaks one or the other.
const FIELDS: Record<FixtureEntry['type'], string[]> = {
  SegmentOffset: Object.keys({
    v: true,
    tableName: true,
    segment: true,
    totalSegments: true,
    snapshotCount: true,
    snapshotStartTime: true,
    exclusiveStartKey: true,
    completed: true,
  } satisfies Record<keyof SegmentOffset, true>),
  StreamOffset: Object.keys({
    v: true,
    streamArn: true,
    snapshotCount: true,
    snapshotCompleted: true,
    snapshotStartTime: true,
    skipBeforeMs: true,
  } satisfies Record<keyof StreamOffset, true>),
  ShardOffset: Object.keys({ v: true, streamArn: true, seq_No: true, finished: true } satisfies Record<keyof ShardOffset, true>),
};

function partitionOf(entry: FixtureEntry): SourcePartition {
  switch (entry.type) {
    case 'SegmentOffset':
      return partitions.segment(String(entry.offset.tableName), Number(entry.offset.segment));
    case 'StreamOffset':
      return partitions.stream(entry.partition.stream!);
    case 'ShardOffset':
      return partitions.shard(entry.partition.stream!, entry.partition.shard!);
  }
}

describe('offsets-v1 fixture', () => {
  it('holds one example of each released format for connector orders-source', () => {
    expect(fixture.connector).toBe('orders-source');
    expect(fixture.offsets.map((entry) => entry.type).sort()).toEqual(['SegmentOffset', 'ShardOffset', 'StreamOffset']);
  });

  describe.each(fixture.offsets.map((entry) => [entry.type, entry] as const))('%s', (type, entry) => {
    it('passes checkVersion', () => {
      expect(() => checkVersion(entry.offset, `fixture ${type}`)).not.toThrow();
    });

    it('has exactly the fields of its format', () => {
      expect(Object.keys(entry.offset).sort()).toEqual([...FIELDS[type]].sort());
    });

    it('reproduces its offsets-topic key byte for byte', () => {
      const key = offsetKey(fixture.connector, entry.partition);
      expect(key).toBe(entry.key);
      expect(Buffer.from(key, 'utf8').equals(Buffer.from(entry.key, 'utf8'))).toBe(true);
    });

    it('is the partition the code builds for it', () => {
      expect(partitionOf(entry)).toEqual(entry.partition);
      expect(offsetKey(fixture.connector, partitionOf(entry))).toBe(entry.key);
    });

    it('parses back from its key', () => {
      expect(parseOffsetKey(entry.key)).toEqual({ connector: fixture.connector, partition: entry.partition });
    });
  });
});
