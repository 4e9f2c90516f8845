import type { OutgoingMessage } from '../domain/outgoing-message.js';
import type { BatchWriter } from './ports.js';
import type { SourcePartition } from '../domain/position.js';
import type { OffsetStore } from '../offsets/offset-store.js';

export interface OffsetUpdate {
  partition: SourcePartition;
  /** null deletes the stored offset. */
  offset: unknown | null;
}

/** Records and the offsets that cover them: written together (one transaction with exactly-once). */
export interface Batch {
  records: OutgoingMessage[];
  offsets: OffsetUpdate[];
}

export interface EmitterOptions {
  /** Batches waiting to be written; producers wait beyond this (backpressure keeps memory bounded). */
  queueCapacity: number;
  /** Upper bound of records coalesced into one write. */
  maxRecordsPerWrite: number;
}

/**
 * The single writer of one table pipeline. Readers submit batches in the order they must appear; the emitter
 * coalesces what is queued into one write (one Kafka transaction), then applies the offsets to the store, so
 * the store only ever holds durably written positions. A failed write fails the emitter: everything not yet
 * written is rejected and the pipeline restarts from the last committed offsets.
 */
export class Emitter {
  private readonly queue: Array<{ seq: number; batch: Batch; written: () => void; failed: (error: Error) => void }> = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly progressWaiters: Array<() => void> = [];
  private submitted = 0;
  private writtenUpTo = 0;
  private wakeWriter?: () => void;
  private failure?: Error;
  private readonly failures = new AbortController();
  private markFirstWrite!: () => void;
  /** Resolves once a write succeeded: the pipeline works (again). */
  readonly firstWrite = new Promise<void>((resolve) => (this.markFirstWrite = resolve));
  private closing = false;
  private readonly loop: Promise<void>;
  recordsWritten = 0;
  writes = 0;

  constructor(
    private readonly writer: BatchWriter,
    private readonly store: OffsetStore,
    private readonly options: EmitterOptions,
  ) {
    this.loop = this.writeLoop();
  }

  /**
   * Queues a batch; resolves when it was accepted (not yet written). Use `written` on the returned handle, or
   * `drain()`, to wait for durability.
   */
  async submit(batch: Batch): Promise<{ written: Promise<void> }> {
    while (!this.failure && !this.closing && this.queue.length >= this.options.queueCapacity) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    if (this.closing) throw new Error('emitter is closed');
    let written!: () => void;
    let failed!: (error: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      written = resolve;
      failed = reject;
    });
    promise.catch(() => undefined); // observed through drain() or by the caller
    this.queue.push({ seq: ++this.submitted, batch, written, failed });
    this.wakeWriter?.();
    return { written: promise };
  }

  /** Resolves once everything submitted so far is written. */
  async drain(): Promise<void> {
    const target = this.submitted;
    while (this.writtenUpTo < target) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => this.progressWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Writes what is queued, then stops. */
  async close(): Promise<void> {
    this.closing = true;
    this.wakeWriter?.();
    for (const waiter of this.spaceWaiters.splice(0)) waiter();
    await this.loop;
    if (this.failure) throw this.failure;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Aborted, with the error as its reason, when a write fails. */
  get failureSignal(): AbortSignal {
    return this.failures.signal;
  }

  private async writeLoop(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (this.closing) return;
        await new Promise<void>((resolve) => (this.wakeWriter = resolve));
        this.wakeWriter = undefined;
        continue;
      }
      const taken = this.takeCoalesced();
      const records = taken.flatMap((entry) => entry.batch.records);
      const offsets = latestPerPartition(taken.flatMap((entry) => entry.batch.offsets));
      try {
        await this.writer.write(
          records,
          offsets.map((update) => this.store.message(update.partition, update.offset)),
        );
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)), taken);
        return;
      }
      for (const update of offsets) this.store.apply(update.partition, update.offset);
      this.markFirstWrite();
      this.recordsWritten += records.length;
      this.writes++;
      for (const entry of taken) entry.written();
      this.writtenUpTo = taken.at(-1)!.seq;
      for (const waiter of [...this.spaceWaiters.splice(0), ...this.progressWaiters.splice(0)]) waiter();
    }
  }

  private takeCoalesced() {
    const taken = [this.queue.shift()!];
    let count = taken[0]!.batch.records.length;
    while (this.queue.length > 0 && count + this.queue[0]!.batch.records.length <= this.options.maxRecordsPerWrite) {
      const next = this.queue.shift()!;
      count += next.batch.records.length;
      taken.push(next);
    }
    return taken;
  }

  private fail(error: Error, inFlight: Array<{ failed: (error: Error) => void }>): void {
    this.failure = error;
    this.failures.abort(error);
    for (const entry of [...inFlight, ...this.queue.splice(0)]) entry.failed(error);
    for (const waiter of [...this.spaceWaiters.splice(0), ...this.progressWaiters.splice(0)]) waiter();
  }
}

/** Within one write only the last offset of each partition matters. */
function latestPerPartition(updates: OffsetUpdate[]): OffsetUpdate[] {
  const latest = new Map<string, OffsetUpdate>();
  for (const update of updates) latest.set(JSON.stringify(Object.entries(update.partition).sort()), update);
  return [...latest.values()];
}
