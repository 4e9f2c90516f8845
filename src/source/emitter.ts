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
  /** Batches one table may have waiting; its readers wait beyond this (backpressure keeps memory bounded). */
  queueCapacity: number;
  /** Upper bound of records coalesced into one write. */
  maxRecordsPerWrite: number;
}

/** What a table's phases (snapshot, stream) write through: its lane of the task's emitter. */
export interface TableEmitter {
  /**
   * Queues a batch; resolves when it was accepted (not yet written). Use `written` on the returned handle, or
   * `drain()`, to wait for durability.
   */
  submit(batch: Batch): Promise<{ written: Promise<void> }>;
  /** Resolves once everything this table submitted so far is written. */
  drain(): Promise<void>;
  /** Aborted, with the error as its reason, when a write fails. */
  readonly failureSignal: AbortSignal;
}

interface Queued {
  lane: Lane;
  seq: number;
  batch: Batch;
  written: () => void;
  failed: (error: Error) => void;
}

/**
 * The single writer of one task. Each table pipeline submits through its own lane, in the order its records
 * must appear; the emitter takes whatever the lanes have queued, in submission order, into one write (one Kafka
 * transaction holding the records and offsets of every table that had data), then applies the offsets to the
 * store, so the store only ever holds durably written positions. A failed write fails the emitter: every lane's
 * pending batches are rejected, and the task restarts its tables from the last committed offsets.
 */
export class Emitter {
  private readonly queue: Queued[] = [];
  private readonly waiters: Array<() => void> = [];
  private wakeWriter?: () => void;
  private failure?: Error;
  private readonly failures = new AbortController();
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

  /** A new lane: one table's ordered way in. */
  lane(): Lane {
    return new Lane(this, this.options.queueCapacity);
  }

  /** Writes what is queued, then stops. */
  async close(): Promise<void> {
    this.closing = true;
    this.wakeWriter?.();
    this.wakeAll();
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

  /** @internal The lane's way in; see Lane.submit. */
  enqueue(entry: Queued): void {
    if (this.failure) throw this.failure;
    if (this.closing) throw new Error('emitter is closed');
    this.queue.push(entry);
    this.wakeWriter?.();
  }

  /** @internal Resolves when the writer next takes or finishes a write (or fails, or closes). */
  progress(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  get accepting(): boolean {
    return !this.failure && !this.closing;
  }

  private wakeAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
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
      for (const entry of taken) entry.lane.queued--;
      this.wakeAll(); // room in the lanes the write took from
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
      this.recordsWritten += records.length;
      this.writes++;
      for (const entry of taken) {
        entry.lane.markWritten(entry.seq);
        entry.written();
      }
      this.wakeAll();
    }
  }

  private takeCoalesced(): Queued[] {
    const taken = [this.queue.shift()!];
    let count = taken[0]!.batch.records.length;
    while (this.queue.length > 0 && count + this.queue[0]!.batch.records.length <= this.options.maxRecordsPerWrite) {
      const next = this.queue.shift()!;
      count += next.batch.records.length;
      taken.push(next);
    }
    return taken;
  }

  private fail(error: Error, inFlight: Queued[]): void {
    this.failure = error;
    this.failures.abort(error);
    for (const entry of [...inFlight, ...this.queue.splice(0)]) entry.failed(error);
    this.wakeAll();
  }
}

/**
 * One table's ordered way into its task's emitter. Its own capacity keeps one busy table from taking every
 * queue slot of the task; `drain()` and `close()` wait for this table's batches only.
 */
export class Lane implements TableEmitter {
  private submitted = 0;
  private writtenUpTo = 0;
  /** @internal Batches waiting for the writer (not yet in a write). */
  queued = 0;
  private closed = false;
  private markFirstWrite!: () => void;
  /** Resolves once a write holding one of this lane's batches succeeded: the table works (again). */
  readonly firstWrite = new Promise<void>((resolve) => (this.markFirstWrite = resolve));

  constructor(
    private readonly emitter: Emitter,
    private readonly capacity: number,
  ) {}

  get failureSignal(): AbortSignal {
    return this.emitter.failureSignal;
  }

  async submit(batch: Batch): Promise<{ written: Promise<void> }> {
    while (this.emitter.accepting && !this.closed && this.queued >= this.capacity) {
      await this.emitter.progress();
    }
    if (this.emitter.failed) throw this.emitter.failed;
    if (this.closed) throw new Error('emitter is closed');
    let written!: () => void;
    let failed!: (error: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      written = resolve;
      failed = reject;
    });
    promise.catch(() => undefined); // observed through drain() or by the caller
    this.emitter.enqueue({ lane: this, seq: ++this.submitted, batch, written, failed });
    this.queued++;
    return { written: promise };
  }

  async drain(): Promise<void> {
    const target = this.submitted;
    while (this.writtenUpTo < target) {
      if (this.emitter.failed) throw this.emitter.failed;
      await this.emitter.progress();
    }
    if (this.emitter.failed) throw this.emitter.failed;
  }

  /**
   * Takes no more batches and waits until those already queued are written or failed: a table that restarts
   * reads its positions only after its earlier writes are settled, so it never resumes behind them.
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writtenUpTo < this.submitted && !this.emitter.failed) await this.emitter.progress();
  }

  /** @internal Called by the emitter, in order, as this lane's batches are written. */
  markWritten(seq: number): void {
    this.writtenUpTo = seq;
    this.markFirstWrite();
  }
}

/** Within one write only the last offset of each partition matters. */
function latestPerPartition(updates: OffsetUpdate[]): OffsetUpdate[] {
  const latest = new Map<string, OffsetUpdate>();
  for (const update of updates) latest.set(JSON.stringify(Object.entries(update.partition).sort()), update);
  return [...latest.values()];
}
