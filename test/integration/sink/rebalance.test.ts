import { describe, expect, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

describe('sink: a second process joining the consumer group mid-stream', () => {
  const { connection, dynamodb, defer } = suiteResources('sinkrebalance');

  it('takes over partitions without losing or reordering a change: the table ends as the topic says', async () => {
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

    // Two connectors of the same name are one consumer group, as two processes running one connector file are.
    const name = uniqueName('sinkrebalance');
    const settings = { topics: topic, 'tasks.max': '1', 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' };
    const first = await startSink(name, connection, settings);
    defer(() => first.stop());
    const written = (sink: typeof first) => sink.connector.status().tasks[0]!.recordsWritten;
    await expect.poll(() => written(first), { timeout: 60_000 }).toBeGreaterThan(0);
    const second = await startSink(name, connection, settings);
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
  });
});
