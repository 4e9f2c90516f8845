import { describe, expect, it } from 'vitest';
import { SINK_WRITES_IN_FLIGHT } from '../../../src/runtime/sink-connector.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { aroundBatchWrites, produce, startSink } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

describe('sink: Kafka records become DynamoDB items', () => {
  const { connection, dynamodb, defer } = suiteResources('sinkwrites');

  it('writes JSON records keyed by value fields, keeps the last change per key, deletes on tombstones, keeps every digit', async () => {
    const topic = uniqueName('orders');
    const big = '12345678901234567890123456789012345678';
    await produce(topic, [
      { key: 'a', value: `{"id":"a","total":${big},"nested":{"list":[1,"two",null,true]}}` },
      { key: 'b', value: { id: 'b', total: 1 } },
      { key: 'b', value: { id: 'b', total: 2 } }, // same batch: the last change wins
      { key: 'c', value: { id: 'c', total: 3 } },
      { key: 'c', value: null }, // a tombstone deletes c (the Kafka key names it)
      { key: 'd', value: { id: 'd', total: 4 } },
    ]);
    const sink = await startSink(uniqueName('sinkwrites'), connection, {
      topics: topic,
      // Keyed by the Kafka key (as attribute id), so a tombstone names the item it deletes.
      'aws.dynamodb.pk.hash': 'key:id',
      'aws.dynamodb.pk.sort': '',
      'behavior.on.null.values': 'delete',
    });
    defer(() => sink.stop());

    const read = async () => Object.fromEntries((await scanAll(dynamodb, topic).catch(() => [])).map((item) => [item.id!.S, item]));
    await expect.poll(async () => Object.keys(await read()).sort(), { timeout: 60_000 }).toEqual(['a', 'b', 'd']);
    const items = await read();
    expect(items.a!.total).toEqual({ N: big });
    expect(items.a!.nested).toEqual({ M: { list: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }, { BOOL: true }] } } });
    expect(items.b!.total).toEqual({ N: '2' });
    expect(sink.connector.status().tasks.every((task) => task.state === 'RUNNING')).toBe(true);
  });

  it('keys items by partition and offset by default and creates the table with that key schema', async () => {
    const topic = uniqueName('events');
    await produce(topic, [0, 1, 2].flatMap((partition) => [{ value: { n: partition }, partition }, { value: { n: partition + 10 }, partition }]), 3);
    const sink = await startSink(uniqueName('sinkdefaults'), connection, { topics: topic, 'tasks.max': '2' });
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(6);
    const keys = (await scanAll(dynamodb, topic)).map((item) => `${item.partition!.N}/${item.offset!.N}:${item.n!.N}`).sort();
    expect(keys).toEqual(['0/0:0', '0/1:10', '1/0:1', '1/1:11', '2/0:2', '2/1:12']);
  });

  it("spreads a topic's partitions over its tasks through Kafka's consumer group", async () => {
    const topic = uniqueName('spread');
    const PARTITIONS = 4;
    await produce(topic, [], PARTITIONS);
    const sink = await startSink(uniqueName('sinkspread'), connection, { topics: topic, 'tasks.max': String(PARTITIONS) });
    defer(() => sink.stop());
    // Records keep arriving in every partition until each task has been given some and written them.
    let sent = 0;
    const allTasksWrote = () => sink.connector.status().tasks.every((task) => task.recordsWritten > 0);
    const deadline = Date.now() + 60_000;
    while (!allTasksWrote()) {
      if (Date.now() > deadline) throw new Error(`not every task wrote: ${JSON.stringify(sink.connector.status().tasks)}`);
      await produce(topic, Array.from({ length: PARTITIONS }, (_, partition) => ({ value: { n: sent++ }, partition })), PARTITIONS);
    }
    await expect.poll(async () => (await scanAll(dynamodb, topic)).length, { timeout: 60_000 }).toBe(sent);
    // DynamoDB shows a batch before its task has counted it (the count follows the call's answer), so the count
    // is awaited too. A rebalance may replay a batch, never skip one.
    const written = () => sink.connector.status().tasks.reduce((sum, task) => sum + task.recordsWritten, 0);
    await expect.poll(written, { timeout: 10_000 }).toBeGreaterThanOrEqual(sent);
  });

  it('runs the task indexes it is given, changed while running without a record lost (a worker’s share of a cluster)', async () => {
    const topic = uniqueName('share');
    const PARTITIONS = 4;
    await produce(topic, [], PARTITIONS);
    const sink = await startSink(uniqueName('sinkshare'), connection, { topics: topic, 'tasks.max': '2' }, { ownedTasks: new Set([0]) });
    defer(() => sink.stop());
    let sent = 0;
    const round = async () => {
      await produce(topic, Array.from({ length: PARTITIONS }, (_, partition) => ({ value: { n: sent++ }, partition })), PARTITIONS);
      await expect.poll(async () => (await scanAll(dynamodb, topic)).length, { timeout: 60_000 }).toBe(sent);
    };
    const taskIds = () => sink.connector.status().tasks.map((task) => task.task);
    await round();
    expect(taskIds()).toEqual([0]);
    await sink.connector.assign(new Set([0, 1]));
    expect(taskIds()).toEqual([0, 1]);
    await round();
    // Task 0 given up: task 1 takes every partition and goes on.
    await sink.connector.assign(new Set([1]));
    expect(taskIds()).toEqual([1]);
    await round();
    expect(sink.connector.status().tasks[0]!.state).toBe('RUNNING');
  });

  it('reads the topics topics.regex matches as a whole name, as Kafka Connect does', async () => {
    const base = uniqueName('regex');
    // Produced first, so a subscription that matched it would have written it by the time the others are.
    await produce(`${base}-a-archive`, [{ value: { id: 'archived' } }]);
    await produce(`${base}-a`, [{ value: { id: 'from-a' } }]);
    await produce(`${base}-b`, [{ value: { id: 'from-b' } }]);
    const sink = await startSink(uniqueName('sinkregex'), connection, {
      'topics.regex': `${base}-[ab]`,
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
    });
    defer(() => sink.stop());
    const ids = async (table: string) => (await scanAll(dynamodb, table).catch(() => [])).map((item) => item.id!.S);
    await expect.poll(async () => [...(await ids(`${base}-a`)), ...(await ids(`${base}-b`))], { timeout: 60_000 }).toEqual(['from-a', 'from-b']);
    expect(await ids(`${base}-a-archive`)).toEqual([]);
  });

  it('shares one bound on BatchWriteItem calls in flight among all its tasks and partitions', async () => {
    const topic = uniqueName('inflight');
    const PARTITIONS = 2;
    const COUNT = 10_000;
    await produce(
      topic,
      Array.from({ length: COUNT }, (_, n) => ({ value: { id: `item-${n}`, n }, partition: n % PARTITIONS })),
      PARTITIONS,
    );
    let inFlight = 0;
    let most = 0;
    const sink = await startSink(
      uniqueName('sinkinflight'),
      connection,
      { topics: topic, 'tasks.max': String(PARTITIONS), 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' },
      {
        instrument: aroundBatchWrites('countBatchWritesInFlight', async (_input, write) => {
          most = Math.max(most, ++inFlight);
          try {
            await write();
          } finally {
            inFlight--;
          }
        }),
      },
    );
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 120_000 }).toBe(COUNT);
    // Never more than the bound, across both tasks; and two partitions can use all of it (8 calls per partition,
    // before the pool, capped them at 16).
    expect(most).toBe(SINK_WRITES_IN_FLIGHT);
  });
});
