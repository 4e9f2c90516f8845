import { describe, expect, it } from 'vitest';
import { committedBeforeWritten } from '../../support/commit-sampler.js';
import { exactlyOnceViolations, perKeyOrderViolations, type DeliveredChange, type StreamRecordSeen } from '../../support/delivery-checks.js';
import type { ConsumedRecord } from '../../support/topic-follower.js';

/** The fault suite's judges must themselves catch what they are there to catch. */
describe('fault suite checks', () => {
  const change = (id: string, sequenceNumber: string, version: number): DeliveredChange => ({ id, op: 'u', sequenceNumber, version });

  const inShard = (shardId: string) => (id: string, sequenceNumber: string, version: number | undefined): StreamRecordSeen => ({ id, shardId, sequenceNumber, version });
  const shard0 = inShard('shard-0');

  it('finds stream records delivered twice or never, and delivered ones the stream does not hold', () => {
    const delivered = [change('a', '1', 1), change('b', '2', 1), change('a', '1', 1), change('c', '9', 1)];
    const inStream = [shard0('a', '1', 1), shard0('b', '2', 1), shard0('a', '3', 2)];
    expect(exactlyOnceViolations(delivered, inStream)).toEqual({ duplicated: ['1'], missing: ['3'], unknown: ['9'], beforeSnapshot: 0 });
    expect(exactlyOnceViolations(delivered.slice(0, 2), inStream.slice(0, 2))).toEqual({ duplicated: [], missing: [], unknown: [], beforeSnapshot: 0 });
  });

  it('excuses a record only before every delivered one of its shard and shown as new by the snapshot', () => {
    const inStream = [shard0('a', '10', 1), shard0('b', '11', undefined), shard0('c', '12', 1), shard0('a', '13', 2), shard0('c', '14', 2)];
    const delivered = [change('a', '13', 2)];
    // a v1 and b's delete precede the first delivered record and the snapshot shows them; c v2 follows it.
    const snapshot = new Map([['a', 1], ['c', 2]]);
    expect(exactlyOnceViolations(delivered, inStream, snapshot)).toEqual({ duplicated: [], missing: ['14'], unknown: [], beforeSnapshot: 3 });
    // A snapshot older than the record, or holding the item a record deleted, excuses nothing...
    expect(exactlyOnceViolations(delivered, inStream, new Map([['a', 0], ['b', 1], ['c', 0]])).missing).toEqual(['11', '12', '14']);
    // ...but a later change of the item does (a changed item's snapshot read is dropped): a v1 is excused by a v2.
    expect(exactlyOnceViolations(delivered, inStream, new Map()).missing).toEqual(['12', '14']);
    // Records delivered from another shard leave this shard's earlier records excused.
    const otherShard = inShard('shard-1')('d', '99', 1);
    expect(exactlyOnceViolations([change('d', '99', 1)], [...inStream.slice(0, 3), otherShard], snapshot).missing).toEqual([]);
  });

  it('finds items whose versions arrived out of write order (or repeated)', () => {
    expect(perKeyOrderViolations([change('a', '1', 1), change('b', '2', 1), change('a', '3', 2)])).toEqual([]);
    expect(perKeyOrderViolations([change('a', '1', 2), change('a', '2', 1)])).toEqual([['a', [2, 1]]]);
    expect(perKeyOrderViolations([change('a', '1', 1), change('a', '2', 1)])).toEqual([['a', [1, 1]]]);
  });

  it('finds offsets committed before the table held their records', () => {
    const record = (offset: number, id: string, version: number): ConsumedRecord => ({
      topic: 't', partition: 0, offset, timestamp: 0, key: id, value: JSON.stringify({ id, version }), headers: {}, bytes: { key: null, value: null },
    });
    const records = [record(0, 'a', 1), record(1, 'a', 2), record(2, 'b', 1)];
    const sample = (committed: number, versions: Record<string, number>) => ({ at: 0, committed: new Map([[0, committed]]), versions: new Map(Object.entries(versions)) });
    expect(committedBeforeWritten([sample(2, { a: 2 }), sample(3, { a: 2, b: 1 }), sample(-1, {})], records)).toEqual([]);
    expect(committedBeforeWritten([sample(2, { a: 1 })], records)).toEqual(['partition 0 offset 1 (a v2) committed, table had v1']);
    expect(committedBeforeWritten([sample(3, { a: 2 })], records)).toEqual(['partition 0 offset 2 (b v1) committed, table had vnone']);
  });
});
