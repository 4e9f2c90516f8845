import { describe, expect, it } from 'vitest';
import { FailureLog } from '../../../src/runtime/failure-log.js';

describe('FailureLog', () => {
  it('logs a new failure at once, the same one again at most once per interval, with its count and start', () => {
    let now = Date.parse('2026-12-03T10:00:00Z');
    const log = new FailureLog(60_000, () => now);
    expect(log.lineFor('broker down')).toBe('broker down');
    now += 10_000;
    expect(log.lineFor('broker down')).toBeUndefined();
    now += 50_000;
    expect(log.lineFor('broker down')).toBe('still failing (3 times since 2026-12-03T10:00:00.000Z): broker down');
    now += 1_000;
    expect(log.lineFor('broker down')).toBeUndefined();
  });

  it('logs a different failure at once, and starts counting again', () => {
    let now = 0;
    const log = new FailureLog(60_000, () => now);
    log.lineFor('broker down');
    now += 1_000;
    expect(log.lineFor('table missing')).toBe('table missing');
    now += 1_000;
    expect(log.lineFor('broker down')).toBe('broker down');
  });
});
