import { setTimeout as delay } from 'node:timers/promises';
import { AwsError } from './aws-error.js';

/**
 * How long to wait before retry number `attempt` (0-based): exponential from `baseMs`, capped at `capMs`, with
 * full jitter (a random share of it), so clients throttled together do not retry together.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs = 10_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export interface RetryLimits {
  /** Tries in all (default 10). */
  maxAttempts?: number;
  /** Stop retrying once this long has passed since the first try. */
  maxTimeMs?: number;
  /** First backoff (default 50 ms); doubles per attempt, capped at 10 s. */
  baseMs?: number;
}

/**
 * Retries AWS calls that failed for a passing reason (throttling, a 5xx, a dropped connection) with capped
 * exponential backoff and full jitter; other failures are thrown at once. Past the limits the last error is
 * thrown, and the caller's supervisor restarts from its committed position.
 */
export async function withRetries<T>(call: () => Promise<T>, signal?: AbortSignal, limits: RetryLimits = {}): Promise<T> {
  const { maxAttempts = 10, maxTimeMs = Number.POSITIVE_INFINITY, baseMs = 50 } = limits;
  const deadline = Date.now() + maxTimeMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof AwsError) || !error.canRetry || attempt >= maxAttempts || Date.now() >= deadline) throw error;
      const wait = Math.min(backoffDelayMs(attempt, baseMs), Math.max(0, deadline - Date.now()));
      await delay(wait, undefined, signal ? { signal } : {});
    }
  }
}
