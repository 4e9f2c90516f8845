import { setTimeout as delay } from 'node:timers/promises';
import { AwsError } from '../adapters/dynamodb/errors.js';

/**
 * Retries AWS calls that failed for a passing reason (throttling, a 5xx, a dropped connection) with capped
 * exponential backoff and full jitter; other failures are thrown at once. After `maxAttempts` the last error
 * is thrown and the pipeline restarts from its committed offsets.
 */
export async function withRetries<T>(call: () => Promise<T>, signal: AbortSignal, maxAttempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof AwsError) || !error.canRetry || attempt >= maxAttempts) throw error;
      const ceiling = Math.min(10_000, 50 * 2 ** attempt);
      await delay(Math.random() * ceiling, undefined, { signal });
    }
  }
}
