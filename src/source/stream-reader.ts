import { setTimeout as delay } from 'node:timers/promises';
import { AwsError } from '../adapters/dynamodb/errors.js';
import { withRetries } from '../adapters/dynamodb/retry.js';
import { streamRecords, type StreamRecordContext } from '../domain/change-envelope.js';
import { checkVersion, partitions, type ShardOffset, type StreamOffset } from '../domain/position.js';
import { initialShardState, transition, type ShardEvent, type ShardState } from '../domain/shard-lifecycle.js';
import { buildShardForest, readyShards, vanishedUnfinished, type ShardInfo } from '../domain/shard-tree.js';
import { GapError } from './gap.js';
import { allFit, fitChange, noteOversized } from './oversized-records.js';
import type { IteratorStart, OutgoingMessage, StreamRecord } from './ports.js';
import type { PhaseContext } from './settings.js';

/** How often the shard list is refreshed while shards are being read (new shards appear on splits/rollovers). */
const SHARD_REFRESH_MS = 10_000;

/** DynamoDB Streams keeps records for 24 hours. */
const RETENTION_MS = 24 * 3_600_000;

/**
 * Reads the table's stream until the pipeline stops. A shard is read only once its parent was read to its end
 * (or is gone), which keeps every item's changes in order across shard splits and rollovers. Throws GapError
 * when records the position needs are no longer in the stream.
 */
export async function runStream(context: PhaseContext, position: StreamOffset): Promise<void> {
  const { table, streams, store, signal } = context;
  const streamArn = position.streamArn;
  const readers = new Map<string, Promise<void>>();
  const local = new AbortController();
  const stop = () => local.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      local.signal.throwIfAborted();
      const description = await withRetries(() => streams.describe(streamArn), local.signal);
      const forest = buildShardForest(description.shards);
      const checkpoints = new Map<string, ShardOffset>();
      for (const { partition, offset } of store.find<ShardOffset>({ stream: table.name })) {
        if (partition.shard === undefined || offset.streamArn !== streamArn) continue;
        checkVersion(offset, `shard offset of table ${table.name}`);
        checkpoints.set(partition.shard, offset);
      }
      const vanished = vanishedUnfinished(checkpoints, forest);
      if (vanished.length > 0) {
        throw new GapError(table.name, `shard(s) ${vanished.join(', ')} left the stream before they were read to the end`);
      }
      const finished = new Set([...checkpoints].filter(([, offset]) => offset.finished).map(([shardId]) => shardId));
      for (const shardId of readyShards(forest, finished)) {
        if (readers.has(shardId)) continue;
        const reader = readShard(context, position, forest.get(shardId)!, checkpoints.get(shardId), local.signal).finally(() =>
          readers.delete(shardId),
        );
        readers.set(shardId, reader);
      }
      updateShardStatus(context, finished.size, readers.size);
      // A finished shard may unblock its children at once; otherwise look for new shards now and then.
      await Promise.race([...readers.values(), delay(SHARD_REFRESH_MS, undefined, { signal: local.signal })]);
    }
  } catch (error) {
    local.abort(error);
    await Promise.allSettled(readers.values());
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function updateShardStatus(context: PhaseContext, shardsRead: number, shardsActive: number): void {
  context.status.stream ??= { shardsRead: 0, shardsActive: 0, recordsWritten: 0, recordsSkipped: 0 };
  context.status.stream.shardsRead = shardsRead;
  context.status.stream.shardsActive = shardsActive;
}

async function readShard(
  context: PhaseContext,
  position: StreamOffset,
  shard: ShardInfo,
  checkpoint: ShardOffset | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { settings, table, streams, emitter, status } = context;
  const partition = partitions.shard(table.name, shard.shardId);
  let lastSequence = checkpoint?.seq_No ?? null;
  // Readers start only for ready shards (parent finished or gone); every later move goes through the table.
  let state: ShardState = initialShardState(true);
  const move = (event: ShardEvent) => (state = transition(state, event));

  if (lastSequence && shard.endingSequenceNumber && BigInt(lastSequence) >= BigInt(shard.endingSequenceNumber)) {
    // Everything was read before the last stop; only the end mark is missing.
    move('END_REACHED');
    await markFinished();
    return;
  }

  let iterator = await acquireIterator();
  if (iterator === undefined) {
    move('END_REACHED');
    await markFinished();
    return;
  }
  for (;;) {
    signal.throwIfAborted();
    let page;
    try {
      page = await withRetries(() => streams.read(iterator!, settings.cdc.maxPollRecords, shard.shardId), signal);
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'expired-iterator') {
        // Iterators live 15 minutes; a new one continues right after the last record handled.
        move('ITERATOR_EXPIRED');
        iterator = (await acquireIterator()) ?? iterator;
        continue;
      }
      throw asGap(error);
    }
    const records: OutgoingMessage[] = [];
    let skipped = 0;
    const nowMs = Date.now();
    const envelope = { tableName: table.name, keySchema: table.keySchema, shardId: shard.shardId, format: settings.format, tombstones: settings.tombstones, nowMs };
    for (const record of page.records) {
      const createdMs = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Number.POSITIVE_INFINITY;
      if (position.skipBeforeMs !== null && createdMs < position.skipBeforeMs) {
        skipped++;
        continue;
      }
      const change = streamRecords(record, envelope);
      if (allFit(change, settings.records.maxMessageBytes)) {
        for (const outgoing of change) records.push({ topic: settings.topic, ...outgoing });
      } else {
        records.push(...fitOversizedChange(context, record, shard.shardId, envelope));
      }
    }
    const last = page.records.at(-1);
    if (last?.dynamodb?.SequenceNumber) lastSequence = last.dynamodb.SequenceNumber;
    const finished = page.nextIterator === undefined;
    move(finished ? 'END_REACHED' : 'RECORDS_READ');
    if (page.records.length > 0 || finished) {
      const offset: ShardOffset = { v: 1, streamArn: position.streamArn, seq_No: lastSequence, finished };
      const { written } = await emitter.submit({ records, offsets: [{ partition, offset }] });
      // A failed write is the pipeline's to report (the next submit or drain throws it), not this counter's.
      void written.then(
        () => {
          if (status.stream) status.stream.recordsWritten += records.length;
        },
        () => undefined,
      );
      if (status.stream) {
        status.stream.recordsSkipped += skipped;
        const createdAt = last?.dynamodb?.ApproximateCreationDateTime?.getTime();
        if (createdAt) status.stream.lastRecordAt = createdAt;
      }
      if (finished) {
        await written;
        return;
      }
    }
    iterator = page.nextIterator!;
    if (page.records.length === 0) await delay(settings.cdc.pollIntervalMs, undefined, { signal });
  }

  /** An iterator right after the last record handled; undefined when the shard has nothing left that we need. */
  async function acquireIterator(): Promise<string | undefined> {
    const start: IteratorStart = lastSequence ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastSequence } : { type: 'TRIM_HORIZON' };
    try {
      const acquired = await withRetries(() => streams.iterator(position.streamArn, shard.shardId, start), signal);
      if (!acquired) throw new GapError(table.name, `shard ${shard.shardId} returned no iterator`);
      return acquired;
    } catch (error) {
      if (!lastSequence && isTrimmed(error) && trimmedRecordsPrecedePosition()) return undefined;
      throw asGap(error);
    }
  }

  /**
   * A shard never read whose records are all trimmed holds only records older than the retention. When the
   * position skips everything before a recent instant (a snapshot's start), none of those were needed.
   */
  function trimmedRecordsPrecedePosition(): boolean {
    return position.skipBeforeMs !== null && position.skipBeforeMs >= Date.now() - RETENTION_MS;
  }

  async function markFinished(): Promise<void> {
    const offset: ShardOffset = { v: 1, streamArn: position.streamArn, seq_No: lastSequence, finished: true };
    const { written } = await emitter.submit({ records: [], offsets: [{ partition, offset }] });
    await written;
  }

  function isTrimmed(error: unknown): boolean {
    return error instanceof AwsError && error.kind === 'trimmed';
  }

  function asGap(error: unknown): unknown {
    if (error instanceof AwsError && (error.kind === 'trimmed' || error.kind === 'not-found')) {
      move('TRIMMED');
      const where = lastSequence ? `after sequence number ${lastSequence}` : 'from its start';
      return new GapError(table.name, `records of shard ${shard.shardId} ${where} are no longer in the stream (${error.message})`);
    }
    return error;
  }
}

/** A change too large for max.message.bytes, as oversized.record.policy writes it (or an error saying why not). */
function fitOversizedChange(context: PhaseContext, record: StreamRecord, shardId: string, envelope: StreamRecordContext): OutgoingMessage[] {
  const topic = context.settings.topic;
  const withTopic = (omitBefore: boolean) =>
    streamRecords(record, { ...envelope, omitBefore }).map((outgoing) => ({ topic, ...outgoing }));
  const fitted = fitChange(
    withTopic(false),
    context.settings.records,
    () => ({ table: context.table.name, event: record.eventName ?? '?', shardId, sequenceNumber: record.dynamodb?.SequenceNumber ?? '?' }),
    () => withTopic(true),
  );
  noteOversized(context, fitted);
  return fitted.records;
}
