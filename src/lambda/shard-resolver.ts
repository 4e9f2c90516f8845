import { compareSequenceNumbers, type ShardInfo } from '../domain/shard-tree.js';
import type { StreamDescription } from '../source/ports.js';

/** What finding a record's shard asks of DynamoDB Streams. */
export interface ShardLookup {
  describe(streamArn: string): Promise<StreamDescription>;
  /** Whether the shard holds the record with this sequence number (one read at AT_SEQUENCE_NUMBER). */
  holds(streamArn: string, shardId: string, sequenceNumber: string): Promise<boolean>;
}

/**
 * The shards whose sequence number range may hold `sequenceNumber`: closed shards whose range contains it
 * first (a closed range is certain), then open shards that started before it, newest first.
 */
export function candidateShards(shards: readonly ShardInfo[], sequenceNumber: string): { closed: ShardInfo[]; open: ShardInfo[] } {
  const started = shards.filter((shard) => shard.startingSequenceNumber !== undefined && compareSequenceNumbers(shard.startingSequenceNumber, sequenceNumber) <= 0);
  const closed = started.filter((shard) => shard.endingSequenceNumber !== undefined && compareSequenceNumbers(sequenceNumber, shard.endingSequenceNumber) <= 0);
  const open = started
    .filter((shard) => shard.endingSequenceNumber === undefined)
    .sort((a, b) => compareSequenceNumbers(b.startingSequenceNumber!, a.startingSequenceNumber!));
  return { closed, open };
}

/**
 * Finds the shard of a Lambda batch. Lambda's DynamoDB Streams events name the stream but not the shard, which
 * the shard's offsets, its transactional id and the envelope's shard_Id need: a closed shard whose range holds
 * the batch's first sequence number is certain; an open one (its children may have appeared since the shard list
 * was read) is confirmed by reading that record from it. The shard list is kept per container and read again
 * when no shard fits.
 */
export class ShardResolver {
  private readonly descriptions = new Map<string, StreamDescription>();

  constructor(private readonly lookup: ShardLookup) {}

  async shardOf(streamArn: string, sequenceNumber: string): Promise<string> {
    const known = this.descriptions.get(streamArn);
    if (known) {
      const found = await this.find(known, sequenceNumber);
      if (found) return found;
    }
    const fresh = await this.lookup.describe(streamArn);
    this.descriptions.set(streamArn, fresh);
    const found = await this.find(fresh, sequenceNumber);
    if (found) return found;
    throw new Error(`stream ${streamArn}: no shard of its ${fresh.shards.length} holds sequence number ${sequenceNumber} (the record may have been trimmed)`);
  }

  private async find(description: StreamDescription, sequenceNumber: string): Promise<string | undefined> {
    const { closed, open } = candidateShards(description.shards, sequenceNumber);
    if (closed.length === 1 && open.length === 0) return closed[0]!.shardId;
    for (const shard of [...closed, ...open]) {
      if (await this.lookup.holds(description.streamArn, shard.shardId, sequenceNumber)) return shard.shardId;
    }
    return undefined;
  }
}
