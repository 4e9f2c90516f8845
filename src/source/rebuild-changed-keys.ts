import { AwsError } from '../domain/aws-error.js';
import { readStreamRecord } from '../domain/change.js';
import { compareSequenceNumbers } from '../domain/shard-tree.js';
import { withRetries } from '../domain/retry.js';
import type { ShardOffset, StreamOffset } from '../domain/position.js';
import type { ChangedKeys } from './changed-keys.js';
import type { IteratorStart } from './ports.js';
import type { PhaseContext } from './settings.js';

/**
 * After a restart mid-snapshot, notes again the keys the stream wrote before it: each checkpointed shard is
 * re-read from the scan's start position (its oldest record for a shard that had none) up to its checkpoint,
 * nothing written. Without them a snapshot read scanned
 * after the restart could land between two changes of a key already streamed (the table's final state would
 * still be right, its history not). Records already trimmed cannot be re-read: the rebuild then says so and
 * goes on with what it found.
 */
export async function rebuildChangedKeys(context: PhaseContext, position: StreamOffset, keys: ChangedKeys): Promise<void> {
  const { table, store, streams, encoder, settings, signal, log } = context;
  const checkpoints = store
    .find<ShardOffset>({ stream: table.name })
    .filter((entry) => entry.partition.shard !== undefined && entry.offset.streamArn === position.streamArn && entry.offset.seq_No !== null);
  for (const { partition, offset } of checkpoints) {
    const shardId = partition.shard!;
    const until = offset.seq_No!;
    const from = position.scanStartPositions?.[shardId];
    if (from === until) continue; // nothing written from this shard yet
    const start: IteratorStart = from ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: from } : { type: 'TRIM_HORIZON' };
    try {
      let iterator = await withRetries(() => streams.iterator(position.streamArn, shardId, start), signal);
      while (iterator) {
        const current = iterator;
        const page = await withRetries(() => streams.read(current, settings.cdc.maxPollRecords, shardId), signal);
        let reached = page.records.length === 0;
        for (const record of page.records) {
          const sequenceNumber = record.dynamodb?.SequenceNumber;
          if (sequenceNumber && compareSequenceNumbers(sequenceNumber, until) > 0) {
            reached = true;
            break;
          }
          const createdMs = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Number.POSITIVE_INFINITY;
          if (position.skipBeforeMs !== null && createdMs < position.skipBeforeMs) continue;
          const origin = { tableName: table.name, keySchema: table.keySchema, shardId, nowMs: Date.now(), snapshot: null };
          for (const encoded of encoder.streamChange(readStreamRecord(record, origin))) if (encoded.key !== null) keys.note(encoded.key);
          if (sequenceNumber === until) reached = true;
        }
        iterator = reached ? undefined : page.nextIterator;
      }
    } catch (error) {
      if (!(error instanceof AwsError) || (error.kind !== 'trimmed' && error.kind !== 'not-found')) throw error;
      log.warn(
        `table ${table.name}: the keys shard ${shardId} wrote before the restart could not all be re-read (${error.message}); ` +
          `snapshot reads of those keys may land between two of their changes (the final state stays right)`,
      );
    }
  }
}
