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

/**
 * Records per write while a streaming table shares the task with a snapshotting one: its change waits for the
 * write in flight, and a write's time grows with its records. Measured with a 200k-item snapshot beside a table
 * taking 20 writes/s (bench busylatency, 2 busy cores): write → read_committed p50 540 ms, p99 1,022 ms with
 * writes of up to 10,000 records; p50 156, p99 434 with 2,000; p50 144, p99 346 with 1,000, whose snapshot
 * cost more CPU per item. A snapshot alone keeps the full size.
 */
export const SHARED_WRITE_RECORDS = 2_000;

/** A lane's table: scanning (its stream may be read alongside), only streaming, or neither (starting, done, failed). */
export type LanePhase = 'snapshot' | 'stream' | 'other';

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
 * must appear; the emitter takes what the lanes have queued into one write (one Kafka transaction holding the
 * records and offsets of every table that had data), then applies the offsets to the store, so the store only
 * ever holds durably written positions. The lanes take turns, one batch each per round: a table's change never
 * waits behind the pages another table's snapshot has queued, only behind the write in flight. A failed write
 * fails the emitter: every lane's pending batches are rejected, and the task restarts its tables from the last
 * committed offsets.
 */
export class Emitter {
  /** Lanes with batches queued, in turn order: the next write starts with the first. */
  private readonly ready: Lane[] = [];
  /** Lanes not closed: whether a streaming table shares the task with a snapshotting one. */
  private readonly open = new Set<Lane>();
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
    const lane = new Lane(this, this.options.queueCapacity);
    this.open.add(lane);
    return lane;
  }

  /** @internal A closed lane no longer counts in the size of writes. */
  laneClosed(lane: Lane): void {
    this.open.delete(lane);
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
    if (entry.lane.pending.push(entry) === 1) this.ready.push(entry.lane);
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
      if (this.ready.length === 0) {
        if (this.closing) return;
        await new Promise<void>((resolve) => (this.wakeWriter = resolve));
        this.wakeWriter = undefined;
        continue;
      }
      const taken = this.takeCoalesced();
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

  /**
   * The next write: the lanes' batches in turns of one batch per lane (each lane's in its order), up to the
   * write's size (the first batch whatever its size). A lane left with batches goes to the back.
   */
  private takeCoalesced(): Queued[] {
    const limit = this.writeSize();
    const taken: Queued[] = [];
    let count = 0;
    const turns = this.ready.splice(0);
    const waiting: Lane[] = [];
    while (turns.length > 0) {
      const lane = turns.shift()!;
      const next = lane.pending[0]!;
      if (taken.length > 0 && count + next.batch.records.length > limit) {
        waiting.push(lane); // full: its turn comes first in the next write
        continue;
      }
      lane.pending.shift();
      taken.push(next);
      count += next.batch.records.length;
      if (lane.pending.length > 0) turns.push(lane);
    }
    this.ready.push(...waiting);
    return taken;
  }

  /**
   * Records per write: fewer while a streaming table waits on the writes of a snapshotting one
   * (SHARED_WRITE_RECORDS). Streaming tables alone keep the full size: a backlog they catch up on is theirs.
   */
  private writeSize(): number {
    let streaming = false;
    let snapshotting = false;
    for (const lane of this.open) {
      if (lane.phase === 'stream') streaming = true;
      if (lane.phase === 'snapshot') snapshotting = true;
      if (streaming && snapshotting) return Math.min(this.options.maxRecordsPerWrite, SHARED_WRITE_RECORDS);
    }
    return this.options.maxRecordsPerWrite;
  }

  private fail(error: Error, inFlight: Queued[]): void {
    this.failure = error;
    this.failures.abort(error);
    const queued = this.ready.splice(0).flatMap((lane) => lane.pending.splice(0));
    for (const entry of [...inFlight, ...queued]) entry.failed(error);
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
  /** @internal Batches waiting for the writer (not yet in a write), in order. */
  readonly pending: Queued[] = [];
  /**
   * What the table is doing, set by its pipeline: a streaming table's changes are what readers wait for, so the
   * task's writes stay small while another of its tables snapshots.
   */
  phase: LanePhase = 'other';
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
    while (this.emitter.accepting && !this.closed && this.pending.length >= this.capacity) {
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
    this.emitter.laneClosed(this);
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
