import { setTimeout as delay } from 'node:timers/promises';
import { withRetries } from '../domain/retry.js';
import { checkVersion, type ShardOffset, type StreamOffset } from '../domain/position.js';
import { buildShardForest, readyShards, vanishedUnfinished } from '../domain/shard-tree.js';
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
        const reader = new ShardReader(context, position, forest.get(shardId)!, checkpoints.get(shardId), local.signal)
          .run()
          .finally(() => readers.delete(shardId));
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
