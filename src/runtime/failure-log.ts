/**
 * Which failures of one supervised piece of work are logged: each new failure at once, and one that persists at
 * most once per interval (with how often and since when it failed), so a long outage neither floods the log
 * nor falls silent.
 */
export class FailureLog {
  private current?: { message: string; since: number; loggedAt: number; count: number };

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line to log for this failure, or undefined when the same failure was logged within the interval. */
  lineFor(message: string): string | undefined {
    const now = this.now();
    if (this.current?.message !== message) {
      this.current = { message, since: now, loggedAt: now, count: 1 };
      return message;
    }
    this.current.count++;
    if (now - this.current.loggedAt < this.intervalMs) return undefined;
    this.current.loggedAt = now;
    return `still failing (${this.current.count} times since ${new Date(this.current.since).toISOString()}): ${message}`;
  }
}
