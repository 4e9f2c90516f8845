import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkVersion,
  offsetKey,
  parseOffsetKey,
  partitions,
  type ExportOffset,
  type SegmentOffset,
  type ShardOffset,
  type SourcePartition,
  type StreamOffset,
  type TaskWritersOffset,
} from '../../../src/domain/position.js';

/**
 * Released offset formats, frozen in test/fixtures/offsets-v1.json. If this test fails, a change would make
 * offsets already stored in users' offsets topics unreadable (or stored under different keys).
 */
interface FixtureEntry {
  type: 'SegmentOffset' | 'StreamOffset' | 'ShardOffset' | 'TaskWritersOffset' | 'ExportOffset';
  /** For entries of a format that gained optional fields: which. */
  note?: string;
  partition: SourcePartition;
  key: string;
  offset: Record<string, unknown>;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/offsets-v1.json', import.meta.url), 'utf8')) as {
  connector: string;
  offsets: FixtureEntry[];
};

// The field lists must name exactly the interfaces' fields (checked by the compiler), and the fixture must
// carry exactly those fields (checked below): renaming or adding a field breaks one or the other. A field added
// to a released format is optional ('added'): offsets stored without it keep loading.
type Presence = 'always' | 'added';
const FIELDS: Record<FixtureEntry['type'], Record<string, Presence>> = {
  SegmentOffset: {
    v: 'always',
    tableName: 'always',
    segment: 'always',
    totalSegments: 'always',
    snapshotCount: 'always',
    snapshotStartTime: 'always',
    exclusiveStartKey: 'always',
    completed: 'always',
    itemsRead: 'added',
  } satisfies Record<keyof SegmentOffset, Presence>,
  StreamOffset: {
    v: 'always',
    streamArn: 'always',
    snapshotCount: 'always',
    snapshotCompleted: 'always',
    snapshotStartTime: 'always',
    skipBeforeMs: 'always',
    snapshotEndTime: 'added',
    snapshotItems: 'added',
    scanStartPositions: 'added',
  } satisfies Record<keyof StreamOffset, Presence>,
  ShardOffset: { v: 'always', streamArn: 'always', seq_No: 'always', finished: 'always', lastRecordMs: 'added' } satisfies Record<keyof ShardOffset, Presence>,
  TaskWritersOffset: { v: 'always', transactionalIds: 'always' } satisfies Record<keyof TaskWritersOffset, Presence>,
  ExportOffset: {
    v: 'always',
    tableName: 'always',
    snapshotCount: 'always',
    snapshotStartTime: 'always',
    exportArn: 'always',
    filesCompleted: 'always',
    linesWritten: 'always',
    completed: 'always',
    itemsRead: 'always',
  } satisfies Record<keyof ExportOffset, Presence>,
};

const fieldsOf = (type: FixtureEntry['type'], presence: Presence) =>
  Object.entries(FIELDS[type])
    .filter(([, each]) => each === presence)
    .map(([field]) => field);

function partitionOf(entry: FixtureEntry): SourcePartition {
  switch (entry.type) {
    case 'SegmentOffset':
      return partitions.segment(String(entry.offset.tableName), Number(entry.offset.segment));
    case 'StreamOffset':
      return partitions.stream(entry.partition.stream!);
    case 'ShardOffset':
      return partitions.shard(entry.partition.stream!, entry.partition.shard!);
    case 'TaskWritersOffset':
      return partitions.taskWriters();
    case 'ExportOffset':
      return partitions.export(String(entry.offset.tableName));
  }
}

describe('offsets-v1 fixture', () => {
  it('holds one example of each released format for connector orders-source, and of each with its added fields', () => {
    expect(fixture.connector).toBe('orders-source');
    expect([...new Set(fixture.offsets.map((entry) => entry.type))].sort()).toEqual(['ExportOffset', 'SegmentOffset', 'ShardOffset', 'StreamOffset', 'TaskWritersOffset']);
    for (const type of ['SegmentOffset', 'StreamOffset', 'ShardOffset'] as const) {
      const entries = fixture.offsets.filter((entry) => entry.type === type);
      expect(entries.some((entry) => fieldsOf(type, 'added').every((field) => !(field in entry.offset)))).toBe(true);
      expect(entries.some((entry) => fieldsOf(type, 'added').every((field) => field in entry.offset))).toBe(true);
    }
  });

  describe.each(fixture.offsets.map((entry) => [entry.type, entry] as const))('%s', (type, entry) => {
    it('passes checkVersion', () => {
      expect(() => checkVersion(entry.offset, `fixture ${type}`)).not.toThrow();
    });

    it('has exactly the fields of its format', () => {
      const added = fieldsOf(type, 'added').filter((field) => field in entry.offset);
      expect(Object.keys(entry.offset).sort()).toEqual([...fieldsOf(type, 'always'), ...added].sort());
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
