import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSinkOffsetChanges, readSourceOffsetChanges } from '../../../src/domain/offset-changes.js';

/** Every released offset format: what GET /connectors/{c}/offsets answers, so what a PATCH must accept back. */
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/offsets-v1.json', import.meta.url), 'utf8')) as {
  offsets: Array<{ type: string; partition: Record<string, string>; offset: Record<string, unknown> }>;
};
const released = fixture.offsets.filter((entry) => entry.type !== 'TaskWritersOffset');
const [segment, stream, shard] = ['SegmentOffset', 'StreamOffset', 'ShardOffset'].map((type) => released.find((entry) => entry.type === type)!);

describe('PATCH /connectors/{c}/offsets: a source connector’s body', () => {
  it('accepts every released position back as GET answers it, and null to clear a partition', () => {
    const offsets = [...released.map(({ partition, offset }) => ({ partition, offset })), { partition: shard!.partition, offset: null }];
    expect(readSourceOffsetChanges({ offsets })).toEqual(offsets);
  });

  it.each([
    [{ tableName: 'orders' }, /offsets\[0\]: partition \{"tableName":"orders"\} is not a partition of this connector; expected/],
    [{ tableName: 'orders', segment: 3 }, /offsets\[0\]: partition .* is not a partition/],
    [{ tasks: 'transactional-ids' }, /offsets\[0\]: partition \{"tasks":"transactional-ids"\} is not a partition/],
  ])('refuses the partition %j, naming it', (partition, message) => {
    expect(() => readSourceOffsetChanges({ offsets: [{ partition, offset: null }] })).toThrow(message);
  });

  it('refuses an offset that does not fit its partition, naming the partition and the field', () => {
    const bad = (partition: unknown, offset: unknown) => () => readSourceOffsetChanges({ offsets: [{ partition: stream!.partition, offset: stream!.offset }, { partition, offset }] });
    expect(bad(shard!.partition, { ...shard!.offset, seq_No: 12 })).toThrow(/offsets\[1\]: invalid offset for partition \{"stream":"orders","shard":"shardId-[^"]+"\}: seq_No: /);
    expect(bad(shard!.partition, { ...shard!.offset, v: 2 })).toThrow(/offsets\[1\]: invalid offset .*: v: /);
    expect(bad(stream!.partition, { ...stream!.offset, extra: 1 })).toThrow(/offsets\[1\]: invalid offset for partition \{"stream":"orders"\}: .*extra/);
    expect(bad(segment!.partition, { ...segment!.offset, exclusiveStartKey: 'not json' })).toThrow(/exclusiveStartKey: DynamoDB JSON/);
    expect(bad(segment!.partition, { ...segment!.offset, segment: 9 })).toThrow(/segment: segment must be below totalSegments/);
    expect(bad(segment!.partition, { ...segment!.offset, tableName: 'users' })).toThrow(/offsets\[1\]: the offset of partition .* names another table or segment/);
    expect(bad(segment!.partition, undefined)).toThrow(/offsets\[1\]: "offset" is missing/);
  });

  it('refuses a body without offsets', () => {
    expect(() => readSourceOffsetChanges({})).toThrow(/expected \{"offsets": \[/);
    expect(() => readSourceOffsetChanges({ offsets: [] })).toThrow(/cannot be empty/);
    expect(() => readSourceOffsetChanges({ offsets: [7] })).toThrow(/offsets\[0\]: expected \{"partition"/);
  });
});

describe('PATCH /connectors/{c}/offsets: a sink connector’s body', () => {
  it("reads Connect's kafka_topic / kafka_partition / kafka_offset, null clearing a partition", () => {
    expect(
      readSinkOffsetChanges({
        offsets: [
          { partition: { kafka_topic: 'orders', kafka_partition: 2 }, offset: { kafka_offset: 40 } },
          { partition: { kafka_topic: 'orders', kafka_partition: 3 }, offset: null },
        ],
      }),
    ).toEqual([
      { topic: 'orders', partition: 2, offset: 40 },
      { topic: 'orders', partition: 3, offset: null },
    ]);
  });

  it('refuses a bad partition or offset, naming it', () => {
    const one = (partition: unknown, offset: unknown) => () => readSinkOffsetChanges({ offsets: [{ partition, offset }] });
    expect(one({ kafka_topic: 'orders' }, null)).toThrow(/offsets\[0\]: partition \{"kafka_topic":"orders"\} is not a sink partition.*kafka_partition/);
    expect(one({ kafka_topic: 'orders', kafka_partition: 0 }, { kafka_offset: -1 })).toThrow(/offsets\[0\]: invalid offset for partition .*kafka_offset/);
  });
});
