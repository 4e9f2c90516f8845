import { setTimeout as delay } from 'node:timers/promises';
import { AwsError } from '../domain/aws-error.js';
import { withRetries } from '../domain/retry.js';
import { EVENT_NAMES, readStreamRecord, withoutBefore, type SnapshotSummary, type StreamChange } from '../domain/change.js';
import { completedSnapshot, partitions, type ShardOffset, type SourcePartition, type StreamOffset } from '../domain/position.js';
import type { OutgoingMessage } from '../domain/outgoing-message.js';
import { initialShardState, transition, type ShardEvent, type ShardState } from '../domain/shard-lifecycle.js';
import { compareSequenceNumbers, type ShardInfo } from '../domain/shard-tree.js';
import { STREAM_RETENTION_MS, streamNeeds, trimmedShard } from '../domain/stream-gaps.js';
import { GapError } from './gap.js';
import { allFit, fitChange, noteOversized } from './oversized-records.js';
import type { IteratorStart, RecordsPage, StreamRecord } from './ports.js';
import type { PhaseContext } from './settings.js';

/**
 * The longest wait between reads of an idle shard. Each empty page doubles the wait from the poll interval up to
 * this (as KCL's idle time between reads), and a page with records brings it back: 1,000 idle tables polled every
 * 100 ms took the CPU the snapshots of the others needed (1,000 small tables: 162 s with 100 ms, 65 s at 1 s).
 */
export const IDLE_POLL_MAX_MS = 1_000;
/**
 * Empty pages read at the poll interval before the reads thin out: a shard with changes every few hundred ms keeps
 * its latency (thinning from the first empty page took the write → consumer p99 from ~130 to ~210 ms).
 */
const IDLE_PAGES_BEFORE_THINNING = 10;


export interface ShardReadOptions {
  /** Called at each empty page of an open shard: it was read up to its newest record. */
  onCaughtUp?: () => void;
  /** Only the checkpoint moves: the changes read are not written (they precede a scan that will show them). */
  positionsOnly?: boolean;
}

/**
 * Reads one shard from its checkpoint to its end (or until stopped), submitting each page with the shard's new
 * offset. Its state (the shard lifecycle table) drives the loop: READING pages, SHARD_END once a closed shard is
 * read through (its children may then start), GAP when records it needs were trimmed. It is started only for a
 * shard whose parent is finished or gone: the stream reader keeps the WAITING_ON_PARENT shards back.
 */
export class ShardReader {
  private state: ShardState = initialShardState(true);
  private lastSequence: string | null;
  /** The shard has a checkpoint: it is known to have been read, even with no record yet. */
  private checkpointed: boolean;
  /** Creation time of the last record handled: where a gap after it would begin. */
  private lastRecordMs: number | undefined;
  private iterator: string | undefined;
  /** Empty pages read in a row. */
  private emptyPages = 0;
  private readonly partition: SourcePartition;

  constructor(
    private readonly context: PhaseContext,
    private readonly position: StreamOffset,
    private readonly shard: ShardInfo,
    checkpoint: ShardOffset | undefined,
    private readonly signal: AbortSignal,
    private readonly options: ShardReadOptions = {},
  ) {
    this.lastSequence = checkpoint?.seq_No ?? null;
    this.lastRecordMs = checkpoint?.lastRecordMs;
    this.checkpointed = checkpoint !== undefined;
    this.partition = partitions.shard(context.table.name, shard.shardId);
  }

  /**
   * The snapshot the shard's changes follow, as the stored stream position records it: none while it runs (the
   * stream is read alongside), then the completed one.
   */
  private get snapshot(): SnapshotSummary | null {
    const stored = this.context.store.get<StreamOffset>(partitions.stream(this.context.table.name));
    return stored ? completedSnapshot(stored) : null;
  }

  async run(): Promise<void> {
    if (this.readBeforeLastStop()) this.move('END_REACHED');
    for (;;) {
      this.signal.throwIfAborted();
      switch (this.state) {
        case 'READING':
          await this.readPage();
          break;
        case 'SHARD_END':
          await this.markFinished();
          return;
        case 'GAP':
        case 'WAITING_ON_PARENT':
          // GAP leaves by the GapError that moved there; WAITING_ON_PARENT shards are never given a reader.
          throw new Error(`shard ${this.shard.shardId}: no reading in state ${this.state}`);
      }
    }
  }

  /** Everything up to the shard's end was read before the last stop; only the end mark is missing. */
  private readBeforeLastStop(): boolean {
    const { endingSequenceNumber } = this.shard;
    return this.lastSequence !== null && endingSequenceNumber !== undefined && BigInt(this.lastSequence) >= BigInt(endingSequenceNumber);
  }

  /** One GetRecords page, submitted with the new offset; moves to SHARD_END at a closed shard's end. */
  private async readPage(): Promise<void> {
    const { settings, emitter, status } = this.context;
    this.iterator ??= await this.acquireIterator();
    if (this.iterator === undefined) return this.move('END_REACHED');
    let page: RecordsPage;
    try {
      const iterator = this.iterator;
      page = await withRetries(() => this.context.streams.read(iterator, settings.cdc.maxPollRecords, this.shard.shardId), this.signal);
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'expired-iterator') {
        // Iterators live 15 minutes; a new one continues right after the last record handled.
        this.iterator = undefined;
        return this.move('ITERATOR_EXPIRED');
      }
      if (await this.trimmedHarmlessly(error)) return this.move('END_REACHED');
      throw this.asGap(error);
    }
    const last = page.records.at(-1);
    if (last?.dynamodb?.SequenceNumber) this.lastSequence = last.dynamodb.SequenceNumber;
    const createdAt = last?.dynamodb?.ApproximateCreationDateTime?.getTime();
    if (createdAt) this.lastRecordMs = createdAt;
    const finished = page.nextIterator === undefined;
    this.iterator = page.nextIterator;
    this.move(finished ? 'END_REACHED' : 'RECORDS_READ');
    if (page.records.length === 0) {
      if (!this.checkpointed) await this.markSeen();
      // An open shard's empty page: everything written to it so far was read.
      if (!finished) this.options.onCaughtUp?.();
      if (!finished) await delay(idlePollWait(settings.cdc.pollIntervalMs, this.emptyPages++), undefined, { signal: this.signal });
      return;
    }
    this.emptyPages = 0;
    const offset: ShardOffset = { v: 1, streamArn: this.position.streamArn, seq_No: this.lastSequence, finished: false, ...this.readUpTo() };
    if (this.options.positionsOnly) {
      await emitter.submit({ records: [], offsets: [{ partition: this.partition, offset }] });
      this.checkpointed = true;
      return;
    }
    const { records, skipped, byOp } = this.outgoing(page.records);
    const { written } = await emitter.submit({ records, offsets: [{ partition: this.partition, offset }] });
    this.checkpointed = true;
    // A failed write is the pipeline's to report (its failure signal stops this reader), not this counter's.
    void written.then(
      () => {
        if (!status.stream) return;
        status.stream.recordsWritten += records.length;
        const counts = (status.stream.changesByOp ??= { c: 0, u: 0, d: 0 });
        counts.c += byOp.c;
        counts.u += byOp.u;
        counts.d += byOp.d;
      },
      () => undefined,
    );
    if (status.stream) {
      status.stream.recordsSkipped += skipped;
      if (createdAt) status.stream.lastRecordAt = createdAt;
    }
  }

  /** The page's Kafka records: changes before the position's start are skipped, oversized ones fitted. */
  private outgoing(page: StreamRecord[]): { records: OutgoingMessage[]; skipped: number; byOp: { c: number; u: number; d: number } } {
    const { settings, table, encoder } = this.context;
    const { skipBeforeMs } = this.position;
    const records: OutgoingMessage[] = [];
    let skipped = 0;
    const byOp = { c: 0, u: 0, d: 0 };
    const origin = {
      tableName: table.name,
      keySchema: table.keySchema,
      shardId: this.shard.shardId,
      nowMs: Date.now(),
      snapshot: this.snapshot,
    };
    for (const record of page) {
      const createdMs = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Number.POSITIVE_INFINITY;
      if (skipBeforeMs !== null && createdMs < skipBeforeMs) {
        skipped++;
        continue;
      }
      const change = readStreamRecord(record, origin);
      byOp[change.op]++;
      const encoded = encoder.streamChange(change);
      if (allFit(encoded, settings.records.maxMessageBytes)) {
        for (const outgoing of encoded) records.push({ topic: settings.topic, ...outgoing });
      } else {
        records.push(...this.fitOversized(change));
      }
    }
    return { records, skipped, byOp };
  }

  /** A change too large for max.message.bytes, as oversized.record.policy writes it (or an error saying why not). */
  private fitOversized(change: StreamChange): OutgoingMessage[] {
    const { context, shard } = this;
    const topic = context.settings.topic;
    const encode = (which: StreamChange) => context.encoder.streamChange(which).map((outgoing) => ({ topic, ...outgoing }));
    const fitted = fitChange(
      encode(change),
      context.settings.records,
      () => ({ table: context.table.name, event: EVENT_NAMES[change.op], shardId: shard.shardId, sequenceNumber: change.sequenceNumber }),
      () => encode(withoutBefore(change)),
    );
    noteOversized(context, fitted);
    return fitted.records;
  }

  /** An iterator right after the last record handled; undefined when the shard has nothing left that we need. */
  private async acquireIterator(): Promise<string | undefined> {
    const { lastSequence, shard } = this;
    const start: IteratorStart = lastSequence ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastSequence } : { type: 'TRIM_HORIZON' };
    try {
      const acquired = await withRetries(() => this.context.streams.iterator(this.position.streamArn, shard.shardId, start), this.signal);
      if (!acquired) throw new GapError(this.context.table.name, `shard ${shard.shardId} returned no iterator`);
      return acquired;
    } catch (error) {
      if (await this.trimmedHarmlessly(error)) return undefined;
      throw this.asGap(error);
    }
  }

  /**
   * Trimmed records we did not need: the shard is closed and was read to its end before its records expired
   * (DynamoDB Local answers TrimmedDataAccessException after the last record once it is trimmed), or was never
   * read and all its records precede the position's start. An open shard's trimmed records are always a gap.
   */
  private async trimmedHarmlessly(error: unknown): Promise<boolean> {
    if (!(error instanceof AwsError) || error.kind !== 'trimmed') return false;
    const { streams } = this.context;
    const description = await withRetries(() => streams.describe(this.position.streamArn), this.signal);
    const ending = description.shards.find((listed) => listed.shardId === this.shard.shardId)?.endingSequenceNumber;
    if (ending === undefined) return false;
    if (this.lastSequence !== null) return compareSequenceNumbers(this.lastSequence, ending) >= 0;
    return this.trimmedRecordsPrecedePosition();
  }

  /**
   * A shard never read whose records are all trimmed holds only records older than the retention. When the
   * position skips everything before a recent instant (a snapshot's start), none of those were needed.
   */
  private trimmedRecordsPrecedePosition(): boolean {
    const { skipBeforeMs } = this.position;
    return skipBeforeMs !== null && skipBeforeMs >= Date.now() - STREAM_RETENTION_MS;
  }

  /**
   * A checkpoint without a record for a shard first read empty: an idle shard was read, not missed, so a
   * position older than the retention does not count it as a shard first read too late (lostShards).
   */
  private async markSeen(): Promise<void> {
    const offset: ShardOffset = { v: 1, streamArn: this.position.streamArn, seq_No: null, finished: false };
    await this.context.emitter.submit({ records: [], offsets: [{ partition: this.partition, offset }] });
    this.checkpointed = true;
  }

  private readUpTo(): { lastRecordMs?: number } {
    return this.lastRecordMs === undefined ? {} : { lastRecordMs: this.lastRecordMs };
  }

  private async markFinished(): Promise<void> {
    const offset: ShardOffset = { v: 1, streamArn: this.position.streamArn, seq_No: this.lastSequence, finished: true, ...this.readUpTo() };
    const { written } = await this.context.emitter.submit({ records: [], offsets: [{ partition: this.partition, offset }] });
    await written;
  }

  private asGap(error: unknown): unknown {
    if (error instanceof AwsError && (error.kind === 'trimmed' || error.kind === 'not-found')) {
      this.move('TRIMMED');
      const checkpoint = this.lastSequence === null ? undefined : { finished: false, ...this.readUpTo() };
      const gap = trimmedShard(this.shard.shardId, checkpoint, streamNeeds(this.position, Date.now()));
      const where = this.lastSequence ? ` (after sequence number ${this.lastSequence})` : '';
      return new GapError(this.context.table.name, { ...gap, reason: `${gap.reason}${where}: ${error.message}` });
    }
    return error;
  }

  private move(event: ShardEvent): void {
    this.state = transition(this.state, event);
  }
}

/** The wait after the `emptyPages`-th empty page in a row (0 = the first): the poll interval, doubled per page. */
export function idlePollWait(pollIntervalMs: number, emptyPages: number): number {
  if (emptyPages < IDLE_PAGES_BEFORE_THINNING) return pollIntervalMs;
  const ceiling = Math.max(pollIntervalMs, IDLE_POLL_MAX_MS);
  return Math.min(ceiling, pollIntervalMs * 2 ** Math.min(emptyPages - IDLE_PAGES_BEFORE_THINNING + 1, 30));
}
