import { describe, expect, it } from 'vitest';
import { waitForRecovery } from '../../../src/runtime/recovery-wait.js';

/** A probe answering from a script: false = down (rejects), true = up. */
function scripted(answers: boolean[]) {
  let calls = 0;
  const probe = async () => {
    const up = answers[Math.min(calls, answers.length - 1)];
    calls++;
    if (!up) throw new Error('down');
  };
  return { probe, calls: () => calls };
}

describe('waitForRecovery', () => {
  it('ends the wait as soon as a dependency seen down answers again', async () => {
    const { probe, calls } = scripted([false, false, true]);
    const startedAt = Date.now();
    expect(await waitForRecovery(60_000, probe, new AbortController().signal, 5)).toBe('recovered');
    expect(calls()).toBe(3);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('waits the whole backoff when the dependency answers from the start (the failure was something else)', async () => {
    const { probe, calls } = scripted([true]);
    const startedAt = Date.now();
    expect(await waitForRecovery(60, probe, new AbortController().signal, 5)).toBe('waited');
    expect(calls()).toBe(1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(55);
  });

  it('waits the whole backoff without a probe, and no longer than it while the dependency stays down', async () => {
    expect(await waitForRecovery(20, undefined, new AbortController().signal)).toBe('waited');
    const { probe } = scripted([false]);
    const startedAt = Date.now();
    expect(await waitForRecovery(50, probe, new AbortController().signal, 5)).toBe('waited');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('ends at once when stopped', async () => {
    const controller = new AbortController();
    const { probe } = scripted([false]);
    const waiting = waitForRecovery(60_000, probe, controller.signal, 5);
    controller.abort();
    expect(await waiting).toBe('waited');
  });
});
