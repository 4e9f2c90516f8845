import { describe, expect, it } from 'vitest';
import { partitions, type StreamOffset } from '../../../src/domain/position.js';
import { OffsetStore } from '../../../src/offsets/offset-store.js';
import { fenceEarlierLayouts, taskTransactionalId } from '../../../src/runtime/zombie-fencing.js';
import { FencedError } from '../../../src/source/ports.js';
import { InMemoryKafka } from '../../support/fakes/source-ports.js';

const OFFSETS = 'offsets';
const options = (tasks: number) => ({
  offsetsTopic: OFFSETS,
  connector: 'src',
  current: Array.from({ length: tasks }, (_, task) => taskTransactionalId('src', task)),
});

/** A producer of an earlier layout that wrote a table's stream position and is still alive. */
async function earlierWriter(kafka: InMemoryKafka, transactionalId: string, table: string) {
  const writer = await kafka.openWriter({ transactionalId, maxMessageBytes: 1_000_000 });
  const position: StreamOffset = { v: 1, streamArn: `arn:${table}`, snapshotCount: 1, snapshotCompleted: true, snapshotStartTime: 1, skipBeforeMs: 0 };
  const message = OffsetStore.empty(OFFSETS, 'src').message(partitions.stream(table), position);
  await kafka.ensureTopic({ topic: OFFSETS, partitions: 1, replicationFactor: 1 });
  await writer.write([], [message]);
  return { write: () => writer.write([], [message]) };
}

describe('fenceEarlierLayouts', () => {
  it("after per-table producers: fences each table's old id and every task id, then records the task layout", async () => {
    const kafka = new InMemoryKafka();
    const orders = await earlierWriter(kafka, 'src-orders', 'orders');
    const users = await earlierWriter(kafka, 'src-users', 'users');
    const outcome = await fenceEarlierLayouts(kafka, options(2));
    expect(outcome.fenced.sort()).toEqual(['src-orders', 'src-users']);
    await expect(orders.write()).rejects.toBeInstanceOf(FencedError);
    await expect(users.write()).rejects.toBeInstanceOf(FencedError);
    expect(kafka.writersOpened).toEqual(expect.arrayContaining(['src-0', 'src-1']));
    const store = await kafka.loadOffsets(OFFSETS, 'src');
    expect(store.get(partitions.taskWriters())).toEqual({ v: 1, transactionalIds: ['src-0', 'src-1'] });
  });

  it('with the layout of last time, opens no producer at all', async () => {
    const kafka = new InMemoryKafka();
    await fenceEarlierLayouts(kafka, options(2));
    const opened = kafka.writersOpened.length;
    expect(await fenceEarlierLayouts(kafka, options(2))).toEqual({ fenced: [] });
    expect(kafka.writersOpened).toHaveLength(opened);
  });

  it('after another tasks.max: fences the ids that are gone as well as those that stay', async () => {
    const kafka = new InMemoryKafka();
    await fenceEarlierLayouts(kafka, options(3));
    const task2 = await kafka.openWriter({ transactionalId: 'src-2', maxMessageBytes: 1_000_000 }); // still running somewhere
    const task0 = await kafka.openWriter({ transactionalId: 'src-0', maxMessageBytes: 1_000_000 });
    expect(await fenceEarlierLayouts(kafka, options(2))).toEqual({ fenced: ['src-2'] });
    await expect(task2.write([], [])).rejects.toBeInstanceOf(FencedError);
    await expect(task0.write([], [])).rejects.toBeInstanceOf(FencedError);
    expect((await kafka.loadOffsets(OFFSETS, 'src')).get(partitions.taskWriters())).toEqual({ v: 1, transactionalIds: ['src-0', 'src-1'] });
  });
});
