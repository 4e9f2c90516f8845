import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../src/domain/outgoing-message.js';
import { ChangedKeys } from '../../../src/source/changed-keys.js';
import type { Batch, TableEmitter } from '../../../src/source/emitter.js';

/** A lane that keeps what it is given, in order; `hold()` makes the next submit wait (a full lane). */
function recordingLane() {
  const queued: Batch[] = [];
  let held: Promise<void> | undefined;
  let release = () => {};
  let entered = () => {};
  const lane: TableEmitter = {
    async submit(batch) {
      entered();
      if (held) await held;
      queued.push(batch);
      return { written: Promise.resolve() };
    },
    drain: async () => undefined,
    failureSignal: new AbortController().signal,
  };
  return {
    lane,
    queued,
    /** The next submit waits until release(); resolves when one reached the lane. */
    hold(): Promise<void> {
      held = new Promise((resolve) => (release = resolve));
      return new Promise((resolve) => (entered = resolve));
    },
    release() {
      held = undefined;
      release();
    },
  };
}

const record = (key: string, value = 'v'): OutgoingMessage => ({ topic: 't', key, value });
const keysOf = (batches: Batch[]) => batches.flatMap((batch) => batch.records.map((each) => each.key));

describe('ChangedKeys: a snapshot read never lands after a stream change of its key', () => {
  it('drops snapshot reads of keys the stream wrote, keeps the others and the offsets', async () => {
    const { lane, queued } = recordingLane();
    const keys = new ChangedKeys(lane);
    await keys.stream.submit({ records: [record('a'), { topic: 't', key: 'a', value: null }], offsets: [] });
    const offsets = [{ partition: { tableName: 't', segment: '0' }, offset: { done: true } }];
    await keys.snapshot.submit({ records: [record('a'), record('b')], offsets });
    expect(keysOf(queued)).toEqual(['a', 'a', 'b']);
    expect(queued[1]!.offsets).toBe(offsets);
  });

  it('keeps a read submitted before the change: the change then follows it', async () => {
    const { lane, queued } = recordingLane();
    const keys = new ChangedKeys(lane);
    await keys.snapshot.submit({ records: [record('a')], offsets: [] });
    await keys.stream.submit({ records: [record('a')], offsets: [] });
    expect(queued.map((batch) => batch.records.length)).toEqual([1, 1]);
  });

  it('decides and queues in one step: a change submitted while a read waits for room is queued after it', async () => {
    const lanes = recordingLane();
    const keys = new ChangedKeys(lanes.lane);
    void lanes.hold();
    const read = keys.snapshot.submit({ records: [record('a', 'read')], offsets: [] });
    const change = keys.stream.submit({ records: [record('a', 'change')], offsets: [] });
    lanes.release();
    await Promise.all([read, change]);
    expect(lanes.queued.flatMap((batch) => batch.records.map((each) => each.value))).toEqual(['read', 'change']);
  });

  it('keys noted by a rebuild count as written; release forgets them all', async () => {
    const { lane, queued } = recordingLane();
    const keys = new ChangedKeys(lane);
    keys.note('a');
    expect(keys.size).toBe(1);
    await keys.snapshot.submit({ records: [record('a')], offsets: [] });
    expect(keysOf(queued)).toEqual([]);
    keys.release();
    expect(keys.size).toBe(0);
    await keys.stream.submit({ records: [record('b')], offsets: [] });
    expect(keys.size).toBe(0);
  });

  it('binary keys (Schema Registry formats) are told apart by their bytes', async () => {
    const { lane, queued } = recordingLane();
    const keys = new ChangedKeys(lane);
    await keys.stream.submit({ records: [{ topic: 't', key: Buffer.from([0, 1]), value: 'x' }], offsets: [] });
    await keys.snapshot.submit({ records: [{ topic: 't', key: Buffer.from([0, 1]), value: 'r' }, { topic: 't', key: Buffer.from([0, 2]), value: 'r' }], offsets: [] });
    expect(queued[1]!.records.map((each) => each.key)).toEqual([Buffer.from([0, 2])]);
  });

  it('once shut out (the phase stopped), refuses every batch, and resolves after those let through were queued', async () => {
    const lanes = recordingLane();
    const keys = new ChangedKeys(lanes.lane);
    const entered = lanes.hold();
    const before = keys.snapshot.submit({ records: [record('a')], offsets: [] });
    await entered;
    const stopped = keys.shutOut(new Error('gap'));
    const after = keys.stream.submit({ records: [record('b')], offsets: [] });
    lanes.release();
    await stopped;
    await before;
    await expect(after).rejects.toThrow('gap');
    expect(keysOf(lanes.queued)).toEqual(['a']);
  });
});
