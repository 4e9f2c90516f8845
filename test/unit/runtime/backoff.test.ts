import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/runtime/backoff.js';

describe('Backoff', () => {
  it('doubles from the first wait up to the cap, and starts over when reset', () => {
    const backoff = new Backoff(1_000, 5_000);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
  });
});
