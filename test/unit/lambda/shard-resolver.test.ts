import { describe, expect, it } from 'vitest';
import type { ShardInfo } from '../../../src/domain/shard-tree.js';
import { ShardResolver, type ShardLookup } from '../../../src/lambda/shard-resolver.js';

/** A stream whose shard list can change, recording what the resolver asked. */
function streamOf(initial: ShardInfo[], holdings: Record<string, [string, string]>) {
  let shards = initial;
  const calls: string[] = [];
  const lookup: ShardLookup = {
    describe: async (streamArn) => {
      calls.push('describe');
      return { streamArn, status: 'ENABLED', shards };
    },
    holds: async (_streamArn, shardId, sequenceNumber) => {
      calls.push(`holds ${shardId} ${sequenceNumber}`);
      const [from, to] = holdings[shardId] ?? ['1', '0'];
      return BigInt(from) <= BigInt(sequenceNumber) && BigInt(sequenceNumber) <= BigInt(to);
    },
  };
  return { lookup, calls, setShards: (next: ShardInfo[]) => (shards = next) };
}

describe('lambda: finding the shard of a batch', () => {
  it('takes a closed range as certain, and confirms an open shard by reading the record from it', async () => {
    const stream = streamOf(
      [
        { shardId: 'old', startingSequenceNumber: '100', endingSequenceNumber: '199' },
        { shardId: 'new', parentShardId: 'old', startingSequenceNumber: '200' },
      ],
      { new: ['200', '999'] },
    );
    const resolver = new ShardResolver(stream.lookup);
    expect(await resolver.shardOf('arn', '150')).toBe('old');
    expect(await resolver.shardOf('arn', '250')).toBe('new');
    expect(stream.calls).toEqual(['describe', 'holds new 250']);
  });

  it('reads the shard list again when the one it has cannot hold the record (a shard closed and a child began)', async () => {
    const stream = streamOf([{ shardId: 'parent', startingSequenceNumber: '100' }], { parent: ['100', '199'], child: ['200', '999'] });
    const resolver = new ShardResolver(stream.lookup);
    expect(await resolver.shardOf('arn', '120')).toBe('parent');
    stream.setShards([
      { shardId: 'parent', startingSequenceNumber: '100', endingSequenceNumber: '199' },
      { shardId: 'child', parentShardId: 'parent', startingSequenceNumber: '200' },
    ]);
    expect(await resolver.shardOf('arn', '230')).toBe('child');
    expect(stream.calls).toEqual(['describe', 'holds parent 120', 'holds parent 230', 'describe', 'holds child 230']);
  });

  it('names the stream and sequence number when no shard holds it', async () => {
    const resolver = new ShardResolver(streamOf([{ shardId: 'only', startingSequenceNumber: '500' }], {}).lookup);
    await expect(resolver.shardOf('arn:stream', '120')).rejects.toThrow(/stream arn:stream: no shard of its 1 holds sequence number 120/);
  });
});
