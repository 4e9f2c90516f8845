import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { aroundBatchWrites, produce, startSink } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

describe('sink: a second process joining the consumer group mid-stream', () => {
  const { connection, dynamodb, defer } = suiteResources('sinkrebalance');

  it('takes over partitions only once their writes are done, losing no change: the table ends as the topic says', async () => {
    const topic = uniqueName('rebalance');
    const PARTITIONS = 2;
    const KEYS_PER_PARTITION = 2_500;
    // Each key lives in one partition and is changed again and again; the table must end with its last change.
    const last = new Map<string, number>();
    let seq = 0;
    const batch = (count: number) =>
      Array.from({ length: count }, () => {
        const n = seq++;
        const partition = n % PARTITIONS;
        const id = `p${partition}-k${Math.floor(n / PARTITIONS) % KEYS_PER_PARTITION}`;
        last.set(id, n);
        return { value: { id, seq: n }, partition };
      });
    await produce(topic, batch(10_000), PARTITIONS);

    // Every BatchWriteItem call, with the partitions its items came from: the first member's calls are slowed
    // down, so a partition is always mid-write when the group takes it away.
    const calls: Array<{ member: 'first' | 'second'; partitions: Set<string>; start: number; end: number }> = [];
    const recordWrites = (member: 'first' | 'second', slowdownMs: number) =>
      aroundBatchWrites('recordWrites', async (input, write) => {
        const requests = Object.values(input.RequestItems!).flat();
        const partitions = new Set(requests.map((request) => request.PutRequest!.Item!.id!.S!.split('-')[0]!));
        await delay(slowdownMs);
        const start = performance.now();
        try {
          await write();
        } finally {
          calls.push({ member, partitions, start, end: performance.now() });
        }
      });

    // Two connectors of the same name are one consumer group, as two processes running one connector file are.
    const name = uniqueName('sinkrebalance');
    const settings = { topics: topic, 'tasks.max': '1', 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' };
    const first = await startSink(name, connection, settings, { instrument: recordWrites('first', 300) });
    defer(() => first.stop());
    const written = (sink: typeof first) => sink.connector.status().tasks[0]!.recordsWritten;
    await expect.poll(() => written(first), { timeout: 60_000 }).toBeGreaterThan(0);
    const second = await startSink(name, connection, settings, { instrument: recordWrites('second', 0) });
    defer(() => second.stop());

    // Changes keep coming while the group rebalances, until the newcomer has been given a partition and written.
    const deadline = Date.now() + 60_000;
    while (written(second) === 0) {
      if (Date.now() > deadline) throw new Error(`the second member never wrote: ${JSON.stringify(second.connector.status().tasks)}`);
      await produce(topic, batch(1_000), PARTITIONS);
    }
    await produce(topic, batch(2_000), PARTITIONS);

    const expected = Object.fromEntries([...last].sort(([a], [b]) => a.localeCompare(b)));
    const actual = async () =>
      Object.fromEntries(
        (await scanAll(dynamodb, topic)).map((item) => [item.id!.S!, Number(item.seq!.N)] as const).sort(([a], [b]) => a.localeCompare(b)),
      );
    await expect.poll(actual, { timeout: 90_000 }).toEqual(expected);
    expect([first, second].map((sink) => sink.connector.status().tasks[0]!.state)).toEqual(['RUNNING', 'RUNNING']);

    // The hand-over: every write the first member made to a partition it gave up was done before the second
    // member's first write to it was sent.
    const moved = [...new Set(calls.filter((call) => call.member === 'second').flatMap((call) => [...call.partitions]))];
    expect(moved.length).toBeGreaterThan(0);
    for (const partition of moved) {
      const touching = calls.filter((call) => call.partitions.has(partition));
      const secondStarts = Math.min(...touching.filter((call) => call.member === 'second').map((call) => call.start));
      const firstEnds = Math.max(...touching.filter((call) => call.member === 'first').map((call) => call.end));
      expect(firstEnds, `partition ${partition}`).toBeLessThanOrEqual(secondStarts);
    }
  });
});
