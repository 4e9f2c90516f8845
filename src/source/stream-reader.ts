import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { withRetries } from '../domain/retry.js';
import { checkVersion, type ShardOffset, type StreamOffset } from '../domain/position.js';
import { buildShardForest, readyShards } from '../domain/shard-tree.js';
import { lostShards, streamNeeds } from '../domain/stream-gaps.js';
import { GapError } from './gap.js';
import type { PhaseContext } from './settings.js';
import { ShardReader } from './shard-reader.js';

/** How often the shard list is refreshed while shards are being read (new shards appear on splits/rollovers). */
const SHARD_REFRESH_MS = 10_000;

/**
 * Reads the table's stream until the pipeline stops. A shard is read only once its parent was read to its end
 * (or is gone), which keeps every item's changes in order across shard splits and rollovers. Throws GapError
 * when records the position needs are no longer in the stream.
 */
export async function runStream(context: PhaseContext, position: StreamOffset, options: StreamReadOptions = {}): Promise<void> {
  const { table, streams, store, signal } = context;
  const streamArn = position.streamArn;
  const readers = new Map<string, Promise<void>>();
  /** Shards read up to their newest record (positionsOnly), and a wake-up for the loop when one more is. */
  const caughtUp = new Set<string>();
  let wake = wakeUp();
  const local = new AbortController();
  // Every open shard's reader waits on this signal between pages (AWS tables may have hundreds of open shards, a
  // rolled-over stream on DynamoDB Local dozens): as many listeners as readers is the design, not a leak.
  setMaxListeners(0, local.signal);
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
      const lost = lostShards(forest, checkpoints, streamNeeds(position, Date.now()));
      if (lost) throw new GapError(table.name, lost);
      const finished = new Set([...checkpoints].filter(([, offset]) => offset.finished).map(([shardId]) => shardId));
      const ready = readyShards(forest, finished);
      if (options.positionsOnly && ready.every((shardId) => caughtUp.has(shardId))) {
        local.abort(new Error('caught up'));
        await Promise.allSettled(readers.values());
        return;
      }
      for (const shardId of ready) {
        if (readers.has(shardId)) continue;
        const onCaughtUp = () => {
          caughtUp.add(shardId);
          wake.resolve();
        };
        const reader = new ShardReader(context, position, forest.get(shardId)!, checkpoints.get(shardId), local.signal, { onCaughtUp, positionsOnly: options.positionsOnly ?? false })
          .run()
          .finally(() => readers.delete(shardId));
        readers.set(shardId, reader);
      }
      updateShardStatus(context, finished.size, readers.size);
      // A finished shard may unblock its children at once; otherwise look for new shards now and then.
      await Promise.race([...readers.values(), wake.promise, delay(SHARD_REFRESH_MS, undefined, { signal: local.signal })]);
      wake = wakeUp();
    }
  } catch (error) {
    local.abort(error);
    await Promise.allSettled(readers.values());
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function wakeUp(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

export interface StreamReadOptions {
  /**
   * Move every shard's checkpoint up to its newest record without writing the changes read, and return once
   * every shard that may be read was read to its end or to its newest record: the position a scan starts from.
   */
  positionsOnly?: boolean;
}

function updateShardStatus(context: PhaseContext, shardsRead: number, shardsActive: number): void {
  context.status.stream ??= { shardsRead: 0, shardsActive: 0, recordsWritten: 0, recordsSkipped: 0 };
  context.status.stream.shardsRead = shardsRead;
  context.status.stream.shardsActive = shardsActive;
}
