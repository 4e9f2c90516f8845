/**
 * A poll loop's sleep that librdkafka's `queue_non_empty_cb` (or the loop's owner) cuts short: a consumer polled
 * with timeout 0 waits here in JavaScript, not on one of libuv's four threads, and looks again as soon as its
 * queue has something, or after `recheckMs` should the wake-up call not come.
 */
export class QueueWake {
  /** Set by `signal()` since the last `clear()`: a poll that found nothing should look again at once. */
  signalled = false;
  private wake: (() => void) | undefined;

  constructor(private readonly recheckMs: number) {}

  signal(): void {
    this.signalled = true;
    this.wake?.();
  }

  /** Called before each poll. */
  clear(): void {
    this.signalled = false;
  }

  sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.recheckMs);
      this.wake = done;
    });
  }
}
