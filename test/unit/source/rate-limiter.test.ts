import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CapacityLimiter } from '../../../src/source/rate-limiter.js';

// vitest's fake timers replace the global timer functions but not node:timers/promises, which the limiter
// waits with; route that module's setTimeout through the (faked) global one.
vi.mock('node:timers/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:timers/promises')>();
  function fakeableDelay<T>(ms?: number, value?: T, options?: { signal?: AbortSignal }): Promise<T | undefined> {
    const signal = options?.signal;
    return new Promise((resolve, reject) => {
      const aborted = () => new DOMException('The operation was aborted', 'AbortError');
      if (signal?.aborted) return reject(aborted());
      const onAbort = () => {
        globalThis.clearTimeout(timer);
        reject(aborted());
      };
      const timer = globalThis.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  return { ...original, setTimeout: fakeableDelay, default: { ...original, setTimeout: fakeableDelay } };
});

/** Tracks whether a promise has settled, without waiting for it. */
function track(promise: Promise<void>): { readonly done: boolean; readonly error: unknown } {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => (state.done = true),
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}

/** Lets pending promise callbacks run; fires no timers. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('CapacityLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not wait while under budget', async () => {
    const limiter = new CapacityLimiter(100);
    limiter.charge(60);
    const acquired = track(limiter.acquire());
    await flushMicrotasks();
    expect(acquired.done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    limiter.charge(40); // exactly the budget: no debt yet
    const again = track(limiter.acquire());
    await flushMicrotasks();
    expect(again.done).toBe(true);
  });

  it('waits until the debt is repaid at the allowed rate', async () => {
    const limiter = new CapacityLimiter(100);
    limiter.charge(300); // 100 available → 200 units of debt = 2 s at 100/s
    const acquired = track(limiter.acquire());
    await vi.advanceTimersByTimeAsync(1_999);
    expect(acquired.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(acquired.done).toBe(true);
    expect(acquired.error).toBeUndefined();
  });

  it('scales the wait with the size of the debt', async () => {
    const small = new CapacityLimiter(200);
    small.charge(250); // 50 units of debt at 200/s = 250 ms
    const acquired = track(small.acquire());
    await vi.advanceTimersByTimeAsync(249);
    expect(acquired.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(acquired.done).toBe(true);
  });

  it('counts time that already passed towards the debt', async () => {
    const limiter = new CapacityLimiter(100);
    limiter.charge(300); // 200 units of debt
    vi.advanceTimersByTime(1_500); // 150 repaid
    const acquired = track(limiter.acquire());
    await vi.advanceTimersByTimeAsync(499);
    expect(acquired.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(acquired.done).toBe(true);
  });

  it('does not limit when unitsPerSecond is undefined', async () => {
    const limiter = new CapacityLimiter(undefined);
    limiter.charge(1_000_000);
    const acquired = track(limiter.acquire());
    await flushMicrotasks();
    expect(acquired.done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('banks at most one second of unused capacity', async () => {
    const limiter = new CapacityLimiter(100);
    vi.advanceTimersByTime(10_000); // ten idle seconds would be 1000 units if all were banked
    limiter.charge(150); // only 100 banked → 50 units of debt = 500 ms
    const acquired = track(limiter.acquire());
    await vi.advanceTimersByTimeAsync(499);
    expect(acquired.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(acquired.done).toBe(true);
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = new CapacityLimiter(100);
    limiter.charge(1_100); // 10 s of debt
    const controller = new AbortController();
    const acquired = track(limiter.acquire(controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    expect(acquired.done).toBe(false);
    controller.abort();
    await flushMicrotasks();
    expect(acquired.done).toBe(true);
    expect((acquired.error as Error).name).toBe('AbortError');
  });
});
