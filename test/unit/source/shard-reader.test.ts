import { describe, expect, it } from 'vitest';
import { IDLE_POLL_MAX_MS, idlePollWait } from '../../../src/source/shard-reader.js';

describe('idlePollWait: reads of an idle shard thin out', () => {
  it('keeps the poll interval for ten empty pages (a busy shard keeps its latency), then doubles up to a second', () => {
    expect([0, 5, 9, 10, 11, 12, 13, 14, 40].map((empty) => idlePollWait(100, empty))).toEqual([
      100, 100, 100, 200, 400, 800, IDLE_POLL_MAX_MS, IDLE_POLL_MAX_MS, IDLE_POLL_MAX_MS,
    ]);
  });

  it('never waits less than the poll interval, nor more when the interval is already above a second', () => {
    expect(idlePollWait(5_000, 0)).toBe(5_000);
    expect(idlePollWait(5_000, 12)).toBe(5_000);
  });

  it('keeps polling at once when the interval is 0', () => {
    expect(idlePollWait(0, 10)).toBe(0);
  });
});
