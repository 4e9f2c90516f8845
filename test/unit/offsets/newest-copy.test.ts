import { describe, expect, it } from 'vitest';
import { NewestCopy } from '../../../src/offsets/newest-copy.js';

describe('NewestCopy: which record of an offsets key counts, whatever order the partitions are read in', () => {
  it('follows the log order within a partition, even when a timestamp goes back', () => {
    const newest = new NewestCopy();
    expect(newest.accept('k', 0, 100)).toBe(true);
    expect(newest.accept('k', 0, 90)).toBe(true);
  });

  it('lets an old tombstone of another partition, read last, not delete a newer offset', () => {
    // A reset's tombstones at 100 in partitions 0 and 3, then the connector's new offset at 200 in partition 0.
    const readInOneOrder = new NewestCopy();
    expect([readInOneOrder.accept('k', 0, 100), readInOneOrder.accept('k', 0, 200), readInOneOrder.accept('k', 3, 100)]).toEqual([true, true, false]);
    const readInAnother = new NewestCopy();
    expect([readInAnother.accept('k', 3, 100), readInAnother.accept('k', 0, 100), readInAnother.accept('k', 0, 200)]).toEqual([true, true, true]);
  });

  it('keeps keys apart', () => {
    const newest = new NewestCopy();
    expect(newest.accept('a', 0, 200)).toBe(true);
    expect(newest.accept('b', 1, 100)).toBe(true);
  });
});
