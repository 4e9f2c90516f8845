import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { ShardInfo } from '../../domain/shard-tree.js';
import type { ChangeStreams, IteratorStart, RecordsPage, StreamDescription } from '../../source/ports.js';
import { classifyAwsError } from './errors.js';
import { STREAM_RECORDS, takeListFromWire } from './wire-items.js';

/** The source's ChangeStreams port on DynamoDB Streams. */
export function dynamoDbChangeStreams(client: DynamoDBStreamsClient): ChangeStreams {
  return {
    describe: (streamArn) => describeStream(client, streamArn),
    iterator: (streamArn, shardId, start) => shardIterator(client, streamArn, shardId, start),
    read: (iterator, limit, shardId) => getRecords(client, iterator, limit, shardId),
  };
}

/** The whole shard list of a stream (DescribeStream is paginated by ExclusiveStartShardId). */
export async function describeStream(client: DynamoDBStreamsClient, streamArn: string): Promise<StreamDescription> {
  const shards: ShardInfo[] = [];
  let status = 'UNKNOWN';
  let viewType: string | undefined;
  let exclusiveStartShardId: string | undefined;
  do {
    let description;
    try {
      description = (
        await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }))
      ).StreamDescription;
    } catch (error) {
      throw classifyAwsError(error, `DescribeStream ${streamArn}`);
    }
    status = description?.StreamStatus ?? status;
    viewType = description?.StreamViewType ?? viewType;
    for (const shard of description?.Shards ?? []) {
      if (!shard.ShardId) continue;
      shards.push({
        shardId: shard.ShardId,
        ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
        ...(shard.SequenceNumberRange?.StartingSequenceNumber
          ? { startingSequenceNumber: shard.SequenceNumberRange.StartingSequenceNumber }
          : {}),
        ...(shard.SequenceNumberRange?.EndingSequenceNumber
          ? { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }
          : {}),
      });
    }
    exclusiveStartShardId = description?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return { streamArn, status, ...(viewType ? { viewType } : {}), shards };
}

export async function shardIterator(
  client: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  start: IteratorStart,
): Promise<string | undefined> {
  try {
    const answer = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: start.type,
        ...(start.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: start.sequenceNumber } : {}),
      }),
    );
    return answer.ShardIterator;
  } catch (error) {
    throw classifyAwsError(error, `GetShardIterator ${shardId} (${start.type})`);
  }
}

export async function getRecords(client: DynamoDBStreamsClient, iterator: string, limit: number, shardId: string): Promise<RecordsPage> {
  const command = new GetRecordsCommand({ ShardIterator: iterator, Limit: limit });
  let records: StreamRecord[] = [];
  takeListFromWire(command.middlewareStack, client.config.streamCollector, STREAM_RECORDS, (taken) => (records = taken));
  try {
    const answer = await client.send(command);
    return { records, ...(answer.NextShardIterator ? { nextIterator: answer.NextShardIterator } : {}) };
  } catch (error) {
    throw classifyAwsError(error, `GetRecords ${shardId}`);
  }
}

/**
 * Whether the shard holds the record with this sequence number: reads one record at AT_SEQUENCE_NUMBER. Lambda's
 * events do not say which shard a record came from; this tells it when the shard list leaves a doubt.
 */
export async function shardHoldsRecord(client: DynamoDBStreamsClient, streamArn: string, shardId: string, sequenceNumber: string): Promise<boolean> {
  let iterator: string | undefined;
  try {
    iterator = (
      await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: sequenceNumber }),
      )
    ).ShardIterator;
  } catch (error) {
    const classified = classifyAwsError(error, `GetShardIterator ${shardId} (AT_SEQUENCE_NUMBER ${sequenceNumber})`);
    // A sequence number of another shard is refused as invalid (DynamoDB Local answers 500): not this shard.
    if (classified.kind === 'unreachable' || classified.kind === 'throttled' || classified.kind === 'auth') throw classified;
    return false;
  }
  if (!iterator) return false;
  const page = await getRecords(client, iterator, 1, shardId);
  return page.records[0]?.dynamodb?.SequenceNumber === sequenceNumber;
}
