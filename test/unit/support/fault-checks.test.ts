import { describe, expect, it } from 'vitest';
import { committedBeforeWritten } from '../../support/commit-sampler.js';
import { exactlyOnceViolations, perKeyOrderViolations, type DeliveredChange } from '../../support/delivery-checks.js';
import type { ConsumedRecord } from '../../support/topic-follower.js';

/** The fault suite's judges must themselves catch what they are there to catch. */
describe('fault suite checks', () => {
  const change = (id: string, sequenceNumber: string, version: number): DeliveredChange => ({ id, op: 'u', sequenceNumber, version });

  it('finds stream records delivered twice or never', () => {
    const delivered = [change('a', '1', 1), change('b', '2', 1), change('a', '1', 1)];
    expect(exactlyOnceViolations(delivered, ['1', '2', '3'])).toEqual({ duplicated: ['1'], missing: ['3'] });
    expect(exactlyOnceViolations(delivered.slice(0, 2), ['1', '2'])).toEqual({ duplicated: [], missing: [] });
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
