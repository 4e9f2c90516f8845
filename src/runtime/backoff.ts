/** Waits that double from `firstMs` up to `maxMs` while something keeps failing, and start over after it works. */
export class Backoff {
  private currentMs: number;

  constructor(
    private readonly firstMs = 1_000,
    private readonly maxMs = 60_000,
  ) {
    this.currentMs = firstMs;
  }

  /** The wait before the next try (the one after will be twice as long, up to the cap). */
  next(): number {
    const wait = this.currentMs;
    this.currentMs = Math.min(this.maxMs, this.currentMs * 2);
    return wait;
  }

  reset(): void {
    this.currentMs = this.firstMs;
  }
}
