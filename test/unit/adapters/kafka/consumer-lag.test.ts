import { describe, expect, it } from 'vitest';
import { partitionLag } from '../../../../src/adapters/kafka/consumer-lag.js';

describe('partitionLag: records behind an owned partition', () => {
  it('counts from the last commit to the end while polled records are being written', () => {
    expect(partitionLag({ end: 500, position: 400, start: 0, nextPolled: 400, nextCommitted: 120 }, false)).toBe(380);
  });

  it('counts from where reading began while this member has committed nothing (a sink held up, or a new one)', () => {
    expect(partitionLag({ end: 50, position: 50, start: 0, nextPolled: 50 }, false)).toBe(50);
    expect(partitionLag({ end: 50, start: 30 }, false)).toBe(20);
  });

  it("reaches 0 on a transactional topic once all is committed: the position is past the last transaction's marker", () => {
    // 10 records at offsets 0–9, the commit marker at 10: the sink committed 10, the end is 11.
    expect(partitionLag({ end: 11, position: 11, start: 0, nextPolled: 10, nextCommitted: 10 }, false)).toBe(0);
  });

  it('does not trust the position while a poll is under way: it may be past records not yet seen', () => {
    expect(partitionLag({ end: 300, position: 300, start: 0, nextPolled: 10, nextCommitted: 10 }, true)).toBe(290);
  });

  it('counts a partition not read yet from its position, and leaves out what it cannot measure', () => {
    expect(partitionLag({ end: 40, position: 25 }, false)).toBe(15);
    expect(partitionLag({ position: 25, nextCommitted: 25 }, false)).toBeUndefined();
    expect(partitionLag({ end: 40 }, false)).toBeUndefined();
  });
});
