import { hash } from 'node:crypto';
import type { RecordBytes } from '../domain/outgoing-message.js';
import type { Batch, TableEmitter } from './emitter.js';

/**
 * The per-key watermark of a snapshot read alongside the stream. The stream is read from before the scan began,
 * so once it has written a change for a key, it will write every later change of that key too: the stream's
 * state of the key is the newer one, and a snapshot read of the key arriving after it would move the key back in
 * time. Such reads are dropped.
 *
 * Both phases write through this one door, one batch at a time: the decision to keep or drop a read and the
 * batch's place in the table's lane are taken together, so no change can slip in between.
 *
 * Memory: one entry per distinct key the stream changed while the snapshot runs (not per item of the table), as
 * a 64-bit hash in an 11-character string, about 60 bytes: a million changed keys hold about 60 MB, released
 * when the snapshot completes. Two keys whose hashes collide (odds about n²/2⁶⁵: one in 37 million for a million
 * changed keys) would drop the snapshot read of the one never changed.
 */
export class ChangedKeys {
  private readonly hashes = new Set<string>();
  private tracking = true;
  private refused: Error | undefined;
  /** The last batch handed on: the next waits for it to be queued. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly lane: TableEmitter) {}

  /** How many keys are held. */
  get size(): number {
    return this.hashes.size;
  }

  /** Notes a key the stream wrote before this run (rebuilt from the stream after a restart). */
  note(key: RecordBytes): void {
    if (this.tracking) this.hashes.add(keyHash(key));
  }

  /**
   * The phase was stopped (a gap, a failure): every later batch is refused, so nothing of it can land after
   * what follows in the lane (a new snapshot's cleared offsets). Resolves once the batches let through are queued.
   */
  async shutOut(reason: Error): Promise<void> {
    this.refused ??= reason;
    await this.tail;
  }

  /** The snapshot is complete: no read can arrive any more, the keys are forgotten. */
  release(): void {
    this.tracking = false;
    this.hashes.clear();
  }

  /** The lane the stream writes through: its keys are noted. */
  readonly stream: TableEmitter = this.door((batch) => {
    if (this.tracking) for (const record of batch.records) if (record.key !== null) this.hashes.add(keyHash(record.key));
    return batch;
  });

  /** The lane the snapshot writes through: reads of keys the stream already wrote are dropped (offsets kept). */
  readonly snapshot: TableEmitter = this.door((batch) => {
    if (this.hashes.size === 0) return batch;
    const records = batch.records.filter((record) => record.key === null || !this.hashes.has(keyHash(record.key)));
    return records.length === batch.records.length ? batch : { ...batch, records };
  });

  private door(admit: (batch: Batch) => Batch): TableEmitter {
    // The lane is read on use: these doors are made while the fields are set, before the constructor's own.
    const keys = this;
    return {
      submit: (batch) => {
        const queued = this.tail.then(() => {
          if (this.refused) throw this.refused;
          return this.lane.submit(admit(batch));
        });
        this.tail = queued.catch(() => undefined);
        return queued;
      },
      drain: () => this.tail.then(() => this.lane.drain()),
      get failureSignal() {
        return keys.lane.failureSignal;
      },
    };
  }
}

function keyHash(key: RecordBytes): string {
  // The one-shot hash: createHash's object per key cost 1.3 µs of the snapshot's hot path, this 0.5.
  return hash('sha1', key, 'base64url').slice(0, 11);
}
