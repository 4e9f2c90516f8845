import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../src/domain/outgoing-message.js';
import type { BatchWriter } from '../../../src/source/ports.js';
import { offsetKey, type SourcePartition } from '../../../src/domain/position.js';
import { OffsetStore } from '../../../src/offsets/offset-store.js';
import { Emitter, SHARED_WRITE_RECORDS, type Batch, type EmitterOptions } from '../../../src/source/emitter.js';

interface WriteCall {
  data: OutgoingMessage[];
  offsets: OutgoingMessage[];
  succeed(): void;
  fail(error: unknown): void;
}

/**
 * A BatchWriter whose writes stay in flight until the test settles them (or, with `autoSucceed`, succeed at
 * once). `call(n)` resolves when the n-th write (0-based) has been issued.
 */
class FakeWriter implements BatchWriter {
  readonly exactlyOnce = true;
  readonly calls: WriteCall[] = [];
  closed = false;
  private readonly callWaiters = new Map<number, Array<(call: WriteCall) => void>>();

  constructor(private readonly autoSucceed = false) {}

  write(data: OutgoingMessage[], offsets: OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const call: WriteCall = { data: [...data], offsets: [...offsets], succeed: resolve, fail: reject };
      const index = this.calls.push(call) - 1;
      for (const waiter of this.callWaiters.get(index) ?? []) waiter(call);
      this.callWaiters.delete(index);
      if (this.autoSucceed) resolve();
    });
  }

  call(index: number): Promise<WriteCall> {
    const existing = this.calls[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const list = this.callWaiters.get(index) ?? [];
      list.push(resolve);
      this.callWaiters.set(index, list);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Tracks whether a promise has settled, without waiting for it. */
function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly error: unknown } {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Runs everything that is ready to run (promise callbacks and pending I/O callbacks); no timers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const P: SourcePartition = { tableName: 'orders', segment: '0' };
const Q: SourcePartition = { tableName: 'orders', segment: '1' };

let counter = 0;
function record(label?: string): OutgoingMessage {
  const name = label ?? `r${++counter}`;
  return { topic: 'orders', key: name, value: `{"id":"${name}"}` };
}

function batch(records: OutgoingMessage[] | number, offsets: Batch['offsets'] = []): Batch {
  return { records: typeof records === 'number' ? Array.from({ length: records }, () => record()) : records, offsets };
}

function setup(options: Partial<EmitterOptions> = {}, autoSucceed = false) {
  const writer = new FakeWriter(autoSucceed);
  const store = OffsetStore.empty('offsets-topic', 'orders-source');
  const emitter = new Emitter(writer, store, { queueCapacity: 100, maxRecordsPerWrite: 1000, ...options });
  return { writer, store, emitter, lane: emitter.lane() };
}

describe('Emitter', () => {
  it('writes batches in submission order', async () => {
    const { writer, emitter, lane } = setup({ maxRecordsPerWrite: 3 }, true);
    const batches = [batch(1), batch(2), batch(3), batch(1), batch(4), batch(2), batch(1)];
    for (const b of batches) await lane.submit(b);
    await lane.drain();
    expect(writer.calls.flatMap((call) => call.data)).toEqual(batches.flatMap((b) => b.records));
    expect(emitter.recordsWritten).toBe(14);
    expect(emitter.writes).toBe(writer.calls.length);
  });

  it('coalesces queued batches into one write, up to maxRecordsPerWrite', async () => {
    const { writer, emitter, lane } = setup({ maxRecordsPerWrite: 3 });
    const a = batch([record('a')]);
    await lane.submit(a);
    const first = await writer.call(0); // a is in flight, the rest queues behind it
    const queued = [batch([record('b1'), record('b2')]), batch([record('c')]), batch([record('d')]), batch([record('e1'), record('e2'), record('e3'), record('e4')]), batch([record('f')])];
    for (const b of queued) await lane.submit(b);
    expect(writer.calls).toHaveLength(1);
    expect(first.data.map((m) => m.key)).toEqual(['a']);

    first.succeed();
    const second = await writer.call(1);
    expect(second.data.map((m) => m.key)).toEqual(['b1', 'b2', 'c']); // + d would make 4 > 3
    second.succeed();
    const third = await writer.call(2);
    expect(third.data.map((m) => m.key)).toEqual(['d']); // + e would make 5 > 3
    third.succeed();
    const fourth = await writer.call(3);
    expect(fourth.data.map((m) => m.key)).toEqual(['e1', 'e2', 'e3', 'e4']); // a batch above the limit is written alone
    fourth.succeed();
    const fifth = await writer.call(4);
    expect(fifth.data.map((m) => m.key)).toEqual(['f']);
    fifth.succeed();
    await lane.drain();
    expect(emitter.writes).toBe(5);
  });

  it("serves the lanes in turns: a table's batch is in the next write, not behind the batches another table queued", async () => {
    const { writer, emitter, lane: snapshot } = setup({ maxRecordsPerWrite: 4 });
    const stream = emitter.lane();
    await snapshot.submit(batch([record('s0')]));
    const first = await writer.call(0);
    for (const name of ['s1', 's2', 's3', 's4', 's5', 's6']) await snapshot.submit(batch([record(`${name}a`), record(`${name}b`)]));
    await stream.submit(batch([record('c1')]));
    await stream.submit(batch([record('c2')]));
    first.succeed();
    const second = await writer.call(1);
    // One batch per lane per turn, each lane's in its order, up to the limit.
    expect(second.data.map((m) => m.key)).toEqual(['s1a', 's1b', 'c1', 'c2']);
    second.succeed();
    const rest = await Promise.all([2, 3, 4].map(async (index) => {
      const call = await writer.call(index);
      call.succeed();
      return call.data.map((m) => m.key);
    }));
    expect(rest).toEqual([['s2a', 's2b', 's3a', 's3b'], ['s4a', 's4b', 's5a', 's5b'], ['s6a', 's6b']]);
    await Promise.all([snapshot.drain(), stream.drain()]);
  });

  it('a batch too large for the write in progress keeps its lane first in line, while smaller ones of other lanes join', async () => {
    const { writer, emitter, lane: big } = setup({ maxRecordsPerWrite: 3 });
    const small = emitter.lane();
    await big.submit(batch([record('a')]));
    const first = await writer.call(0);
    await small.submit(batch([record('b')]));
    await big.submit(batch([record('c1'), record('c2'), record('c3')]));
    await small.submit(batch([record('d')]));
    first.succeed();
    const second = await writer.call(1);
    expect(second.data.map((m) => m.key)).toEqual(['b', 'd']);
    second.succeed();
    const third = await writer.call(2);
    expect(third.data.map((m) => m.key)).toEqual(['c1', 'c2', 'c3']);
    third.succeed();
    await Promise.all([big.drain(), small.drain()]);
  });

  it('writes at most SHARED_WRITE_RECORDS records while a streaming table shares the task with a snapshotting one', async () => {
    const { writer, emitter, lane: snapshot } = setup({ maxRecordsPerWrite: 10 * SHARED_WRITE_RECORDS });
    const stream = emitter.lane();
    snapshot.phase = 'snapshot';
    const pageSize = SHARED_WRITE_RECORDS / 2;
    /** Sizes of the writes of four pages queued behind one in flight. */
    const writeSizes = async () => {
      const first = writer.calls.length;
      for (let index = 0; index < 5; index++) await snapshot.submit(batch(pageSize));
      (await writer.call(first)).succeed();
      const sizes: number[] = [];
      for (let index = first + 1, total = 0; total < 4 * pageSize; index++) {
        const call = await writer.call(index);
        sizes.push(call.data.length);
        total += call.data.length;
        call.succeed();
      }
      await snapshot.drain();
      return sizes;
    };
    expect(await writeSizes()).toEqual([2 * SHARED_WRITE_RECORDS]); // nobody streams: one full write
    stream.phase = 'stream';
    expect(await writeSizes()).toEqual([SHARED_WRITE_RECORDS, SHARED_WRITE_RECORDS]);
    snapshot.phase = 'stream'; // streaming tables alone: their backlogs are theirs
    expect(await writeSizes()).toEqual([2 * SHARED_WRITE_RECORDS]);
    snapshot.phase = 'snapshot';
    await stream.close(); // the streaming table leaves the task
    expect(await writeSizes()).toEqual([2 * SHARED_WRITE_RECORDS]);
  });

  it('applies offsets to the store only after the write succeeded', async () => {
    const { writer, store, emitter, lane } = setup();
    const { written } = await lane.submit(batch(1, [{ partition: P, offset: { n: 1 } }]));
    const call = await writer.call(0);
    expect(call.offsets).toEqual([{ topic: 'offsets-topic', key: offsetKey('orders-source', P), value: '{"n":1}' }]);
    await settle();
    expect(store.get(P)).toBeUndefined();
    const done = track(written);
    expect(done.settled).toBe(false);

    call.succeed();
    await written;
    expect(store.get(P)).toEqual({ n: 1 });
  });

  it('writes only the latest offset per partition of a coalesced write', async () => {
    const { writer, store, emitter, lane } = setup();
    await lane.submit(batch(1, [{ partition: P, offset: { n: 1 } }]));
    const first = await writer.call(0);
    await lane.submit(batch(1, [{ partition: P, offset: { n: 2 } }, { partition: Q, offset: { n: 10 } }]));
    // Same partition with its keys in another order.
    await lane.submit(batch(1, [{ partition: { segment: '0', tableName: 'orders' }, offset: { n: 3 } }]));
    await lane.submit(batch(1, [{ partition: P, offset: { n: 4 } }]));
    first.succeed();

    const second = await writer.call(1);
    expect(second.data).toHaveLength(3);
    expect(second.offsets).toHaveLength(2);
    expect(second.offsets).toEqual(
      expect.arrayContaining([
        { topic: 'offsets-topic', key: offsetKey('orders-source', P), value: '{"n":4}' },
        { topic: 'offsets-topic', key: offsetKey('orders-source', Q), value: '{"n":10}' },
      ]),
    );
    await settle();
    expect(store.get(P)).toEqual({ n: 1 }); // the second write is still in flight
    expect(store.get(Q)).toBeUndefined();

    second.succeed();
    await lane.drain();
    expect(store.get(P)).toEqual({ n: 4 });
    expect(store.get(Q)).toEqual({ n: 10 });
  });

  it('deletes an offset with a null update, once written', async () => {
    const { writer, store, emitter, lane } = setup({}, true);
    await lane.submit(batch(0, [{ partition: P, offset: { n: 1 } }]));
    await lane.drain();
    expect(store.get(P)).toEqual({ n: 1 });
    await lane.submit(batch(0, [{ partition: P, offset: null }]));
    await lane.drain();
    expect(writer.calls.at(-1)!.offsets).toEqual([{ topic: 'offsets-topic', key: offsetKey('orders-source', P), value: null }]);
    expect(store.get(P)).toBeUndefined();
  });

  it('blocks submit while queueCapacity batches wait, and resumes after a write', async () => {
    const { writer, emitter, lane } = setup({ queueCapacity: 2, maxRecordsPerWrite: 10 });
    await lane.submit(batch(1));
    const first = await writer.call(0); // the queue is empty again, one write in flight
    await lane.submit(batch(1));
    await lane.submit(batch(1)); // the queue is full
    const blocked = lane.submit(batch(1));
    const accepted = track(blocked);
    await settle();
    expect(accepted.settled).toBe(false);

    first.succeed();
    const { written } = await blocked;
    expect(accepted.error).toBeUndefined();
    const second = await writer.call(1);
    expect(second.data).toHaveLength(2);
    second.succeed();
    const third = await writer.call(2);
    expect(third.data).toHaveLength(1);
    third.succeed();
    await written;
    await lane.drain();
  });

  it('drain() waits for a write that is in flight, not only queued ones', async () => {
    const { writer, emitter, lane } = setup();
    await lane.submit(batch(1));
    const call = await writer.call(0); // nothing queued, one write in flight
    const drained = track(lane.drain());
    await settle();
    expect(drained.settled).toBe(false);

    call.succeed();
    await lane.drain();
    await settle();
    expect(drained.settled).toBe(true);
    expect(drained.error).toBeUndefined();
  });

  it('drain() resolves at once when nothing was submitted', async () => {
    const { emitter, lane } = setup();
    await expect(lane.drain()).resolves.toBeUndefined();
  });

  it('a failed write rejects drain(), later submits and every pending batch; the store keeps the last good offsets', async () => {
    const { writer, store, emitter, lane } = setup({ queueCapacity: 2, maxRecordsPerWrite: 1 });
    const good = await lane.submit(batch(1, [{ partition: P, offset: { n: 1 } }]));
    (await writer.call(0)).succeed();
    await good.written;
    expect(store.get(P)).toEqual({ n: 1 });

    const inFlight = await lane.submit(batch(1, [{ partition: P, offset: { n: 2 } }]));
    const failing = await writer.call(1);
    const queued1 = await lane.submit(batch(1, [{ partition: P, offset: { n: 3 } }]));
    const queued2 = await lane.submit(batch(1, [{ partition: Q, offset: { n: 1 } }]));
    const blockedSubmit = lane.submit(batch(1, [{ partition: P, offset: { n: 4 } }])); // waits for space
    const drained = lane.drain();
    const blocked = track(blockedSubmit);
    const drainState = track(drained);
    await settle();
    expect(blocked.settled).toBe(false);
    expect(drainState.settled).toBe(false);

    const boom = new Error('boom');
    failing.fail(boom);
    await expect(inFlight.written).rejects.toBe(boom);
    await expect(queued1.written).rejects.toBe(boom);
    await expect(queued2.written).rejects.toBe(boom);
    await expect(blockedSubmit).rejects.toBe(boom);
    await expect(drained).rejects.toBe(boom);
    await expect(lane.drain()).rejects.toBe(boom);
    await expect(lane.submit(batch(1))).rejects.toBe(boom);
    expect(emitter.failed).toBe(boom);

    expect(store.get(P)).toEqual({ n: 1 });
    expect(store.get(Q)).toBeUndefined();
    await settle();
    expect(writer.calls).toHaveLength(2); // nothing is written after the failure
    await expect(emitter.close()).rejects.toBe(boom);
  });

  it('aborts failureSignal with the error when a write fails, so a reader with nothing to submit learns of it', async () => {
    const { writer, emitter, lane } = setup();
    await lane.submit(batch(1));
    expect(emitter.failureSignal.aborted).toBe(false);
    const boom = new Error('record too large');
    (await writer.call(0)).fail(boom);
    await settle();
    expect(emitter.failureSignal.aborted).toBe(true);
    expect(emitter.failureSignal.reason).toBe(boom);
  });

  it('wraps a non-Error write failure in an Error', async () => {
    const { writer, emitter, lane } = setup();
    const { written } = await lane.submit(batch(1));
    (await writer.call(0)).fail('broker gone');
    await expect(written).rejects.toThrow('broker gone');
    await expect(lane.drain()).rejects.toBeInstanceOf(Error);
  });

  it('close() writes what is queued, then refuses new batches', async () => {
    const { writer, store, emitter, lane } = setup();
    await lane.submit(batch([record('a')], [{ partition: P, offset: { n: 1 } }]));
    const first = await writer.call(0);
    await lane.submit(batch([record('b')], [{ partition: P, offset: { n: 2 } }]));
    await lane.submit(batch([record('c')], [{ partition: Q, offset: { n: 1 } }]));

    const closing = emitter.close();
    const closed = track(closing);
    await expect(lane.submit(batch(1))).rejects.toThrow('emitter is closed');
    first.succeed();
    const second = await writer.call(1);
    expect(second.data.map((m) => m.key)).toEqual(['b', 'c']);
    await settle();
    expect(closed.settled).toBe(false);
    second.succeed();
    await closing;
    expect(store.get(P)).toEqual({ n: 2 });
    expect(store.get(Q)).toEqual({ n: 1 });
    expect(writer.calls).toHaveLength(2);
    expect(emitter.recordsWritten).toBe(3);
  });

  it('close() on an idle emitter writes nothing', async () => {
    const { writer, emitter, lane } = setup();
    await emitter.close();
    expect(writer.calls).toHaveLength(0);
    await expect(lane.submit(batch(1))).rejects.toThrow('emitter is closed');
  });
});
