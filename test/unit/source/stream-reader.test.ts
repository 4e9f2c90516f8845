import { Sema } from 'async-sema';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/config/source.js';
import { partitions, type ShardOffset, type StreamOffset } from '../../../src/domain/position.js';
import { OffsetStore } from '../../../src/offsets/offset-store.js';
import { Emitter } from '../../../src/source/emitter.js';
import { GapError } from '../../../src/source/gap.js';
import type { PhaseContext } from '../../../src/source/settings.js';
import { runStream } from '../../../src/source/stream-reader.js';
import { InMemoryKafka, InMemoryStreams, InMemoryTables } from '../../support/fakes/source-ports.js';
import { until } from '../../support/fakes/until.js';
import { confluentJsonEncoder } from '../../../src/formats/confluent-json.js';

const STREAM = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/1';
const position: StreamOffset = { v: 1, streamArn: STREAM, snapshotCount: 0, snapshotCompleted: false, snapshotStartTime: null, skipBeforeMs: null };

async function setup() {
  const streams = new InMemoryStreams();
  const kafka = new InMemoryKafka();
  const tables = new InMemoryTables();
  tables.add('orders', [], { streamArn: STREAM });
  await kafka.ensureTopic({ topic: 'orders', partitions: 1, replicationFactor: 1 });
  const store = await kafka.loadOffsets('offsets', 'orders-source');
  const writer = await kafka.openWriter({ transactionalId: 'orders-source-orders', maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
  const emitter = new Emitter(writer, store, { queueCapacity: 32, maxRecordsPerWrite: 1000 });
  const controller = new AbortController();
  const context: PhaseContext = {
    settings: {
      connector: 'orders-source',
      syncMode: 'CDC',
      topic: 'orders',
      maxBatchSize: 1000,
      records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
      snapshot: { maxPollRecords: 100, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN' },
      cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 2, pollIntervalMs: 1, gapPolicy: 'fail' },
    },
    table: await tables.describe('orders'),
    encoder: confluentJsonEncoder({ document: 'dynamodb-json', tombstones: false }),
    tables,
    streams,
    store,
    emitter: emitter.lane(),
    status: { table: 'orders', topic: 'orders', state: 'STREAMING' },
    snapshotPages: new Sema(1),
    signal: controller.signal,
    log: { info: () => undefined, warn: () => undefined },
  };
  const sequenceNumbers = () => kafka.messages('orders').map((message) => JSON.parse(message.value!.toString()).source.seq_No as string);
  const run = (from: StreamOffset = position) => {
    const running = runStream(context, from);
    running.catch(() => undefined);
    return running;
  };
  return { streams, kafka, store, context, controller, run, sequenceNumbers };
}

describe('runStream: shard order and positions, against in-memory ports', () => {
  it('reads a child shard only after its parent was read to its end, whatever order they are listed in', async () => {
    const { streams, controller, run, sequenceNumbers } = await setup();
    streams.addShard(STREAM, 'child', 'parent'); // listed first
    streams.addShard(STREAM, 'parent');
    const parent = ['INSERT', 'MODIFY', 'MODIFY'].map((event) => streams.put(STREAM, 'parent', event as 'INSERT', { id: { S: 'a' } }));
    streams.close(STREAM, 'parent');
    const child = [streams.put(STREAM, 'child', 'MODIFY', { id: { S: 'a' } }), streams.put(STREAM, 'child', 'MODIFY', { id: { S: 'a' } })];
    const running = run();
    await until(() => sequenceNumbers().length === 5, 'all five changes');
    expect(sequenceNumbers()).toEqual([...parent, ...child]);
    const firstChildRead = streams.reads.findIndex((read) => read.shardId === 'child');
    const lastParentRead = streams.reads.findLastIndex((read) => read.shardId === 'parent');
    expect(firstChildRead).toBeGreaterThan(lastParentRead);
    controller.abort();
    await running.catch(() => undefined);
  });

  it('re-acquires an expired iterator right after the last record written: nothing lost, nothing twice', async () => {
    const { streams, store, controller, run, sequenceNumbers } = await setup();
    streams.addShard(STREAM, 'shard-1');
    const first = [1, 2, 3].map((n) => streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: `k${n}` } }));
    const running = run();
    await until(() => sequenceNumbers().length === 3, 'the first changes');
    streams.expireIterators();
    const second = [4, 5].map((n) => streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: `k${n}` } }));
    await until(() => sequenceNumbers().length === 5, 'the changes after the expiry');
    expect(sequenceNumbers()).toEqual([...first, ...second]);
    expect(store.get<ShardOffset>(partitions.shard('orders', 'shard-1'))?.seq_No).toBe(second[1]);
    controller.abort();
    await running.catch(() => undefined);
  });

  it('resumes after the checkpoint on a new run', async () => {
    const { streams, controller, run, sequenceNumbers, store } = await setup();
    streams.addShard(STREAM, 'shard-1');
    const first = streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'k1' } });
    const running = run();
    await until(() => sequenceNumbers().length === 1, 'the first change');
    controller.abort();
    await running.catch(() => undefined);

    const again = await setup();
    again.streams.addShard(STREAM, 'shard-1');
    // The same stream history, and the first run's checkpoint.
    expect(again.streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'k1' } })).toBe(first);
    const second = again.streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'k2' } });
    again.store.apply(partitions.shard('orders', 'shard-1'), store.get(partitions.shard('orders', 'shard-1')));
    const resumed = again.run();
    await until(() => again.sequenceNumbers().length === 1, 'the change after the checkpoint');
    expect(again.sequenceNumbers()).toEqual([second]);
    again.controller.abort();
    await resumed.catch(() => undefined);
  });

  it('throws GapError when the records after the checkpoint were trimmed', async () => {
    const { streams, store, run } = await setup();
    streams.addShard(STREAM, 'shard-1');
    const sequence = [1, 2, 3, 4].map((n) => streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: `k${n}` } }));
    store.apply(partitions.shard('orders', 'shard-1'), { v: 1, streamArn: STREAM, seq_No: sequence[0]!, finished: false } satisfies ShardOffset);
    streams.trim(STREAM, 'shard-1', 3);
    await expect(run()).rejects.toThrow(GapError);
  });

  it('checkpoints an idle shard when first read, so a day later it is no shard first read after the retention', async () => {
    const { streams, store, controller, run } = await setup();
    streams.addShard(STREAM, 'shard-1');
    const old: StreamOffset = { ...position, skipBeforeMs: Date.now() - 2 * 3_600_000 };
    const running = run(old);
    await until(() => store.get<ShardOffset>(partitions.shard('orders', 'shard-1')) !== undefined, 'the idle shard checkpointed');
    expect(store.get<ShardOffset>(partitions.shard('orders', 'shard-1'))).toEqual({ v: 1, streamArn: STREAM, seq_No: null, finished: false });
    controller.abort();
    await running.catch(() => undefined);

    const { streams: later, store: laterStore, controller: laterController, run: runLater } = await setup();
    later.addShard(STREAM, 'shard-1');
    laterStore.apply(partitions.shard('orders', 'shard-1'), store.get(partitions.shard('orders', 'shard-1')));
    const dayOld: StreamOffset = { ...position, skipBeforeMs: Date.now() - 25 * 3_600_000 };
    const again = runLater(dayOld);
    later.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'a' } });
    await until(() => laterStore.get<ShardOffset>(partitions.shard('orders', 'shard-1'))?.seq_No !== null, 'the change read');
    laterController.abort();
    await again.catch(() => undefined);

    // Never read at all, the same shard under the same day-old position is a gap naming the range at risk.
    const { streams: missed, run: runMissed } = await setup();
    missed.addShard(STREAM, 'shard-1');
    await expect(runMissed(dayOld)).rejects.toThrow(/shard-1 were first read after the stream's retention had passed the position's start: changes made from .* may be missing/);
  });
});
