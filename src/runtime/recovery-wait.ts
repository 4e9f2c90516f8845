import { setTimeout as delay } from 'node:timers/promises';

/** How often a dependency that was down is asked again while a restart waits. */
export const PROBE_INTERVAL_MS = 1_000;

/**
 * Waits out a restart backoff of `waitMs`, or less: when the dependency that failed (Kafka, DynamoDB) is seen
 * down and then answers again, the wait ends at once, so a long outage is followed by a restart within about
 * a probe interval of its end instead of by the rest of a backoff of up to a minute. A dependency that answers
 * from the start failed for another reason: then the whole backoff is waited, as restarting sooner would only
 * fail again.
 */
export async function waitForRecovery(
  waitMs: number,
  probe: (() => Promise<unknown>) | undefined,
  signal: AbortSignal,
  intervalMs = PROBE_INTERVAL_MS,
  now: () => number = Date.now,
): Promise<'recovered' | 'waited'> {
  const deadline = now() + waitMs;
  let seenDown = false;
  while (probe && now() < deadline && !signal.aborted) {
    const startedAt = now();
    const up = await probe().then(
      () => true,
      () => false,
    );
    if (up && seenDown) return 'recovered';
    if (up) break;
    seenDown = true;
    const rest = Math.min(intervalMs - (now() - startedAt), deadline - now());
    if (rest > 0) await delay(rest, undefined, { signal }).catch(() => undefined);
  }
  const rest = deadline - now();
  if (rest > 0 && !signal.aborted) await delay(rest, undefined, { signal }).catch(() => undefined);
  return 'waited';
}
