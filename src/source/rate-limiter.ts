import { setTimeout as delay } from 'node:timers/promises';

/**
 * Caps read capacity per second. DynamoDB reports what a Scan consumed only after it ran, so the limiter works
 * on debt: each call's consumption is charged afterwards, and the next call waits until the debt is repaid at
 * the allowed rate. Shared by all segments of one table.
 */
export class CapacityLimiter {
  private available: number;
  private updatedAt = Date.now();

  constructor(private readonly unitsPerSecond: number | undefined) {
    this.available = unitsPerSecond ?? 0;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (!this.unitsPerSecond) return;
    this.refill();
    if (this.available >= 0) return;
    const waitMs = Math.ceil((-this.available / this.unitsPerSecond) * 1000);
    await delay(waitMs, undefined, { signal });
  }

  charge(units: number): void {
    if (!this.unitsPerSecond) return;
    this.refill();
    this.available -= units;
  }

  private refill(): void {
    const now = Date.now();
    // At most one second of unused capacity is banked.
    this.available = Math.min(this.unitsPerSecond!, this.available + ((now - this.updatedAt) / 1000) * this.unitsPerSecond!);
    this.updatedAt = now;
  }
}
