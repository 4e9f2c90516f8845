// Lambda's DynamoDB Streams events made from real stream records: GetRecords on DynamoDB Local, each record
// shaped exactly as Lambda delivers it (DynamoDB JSON with base64 binaries, creation time in seconds,
// eventSourceARN, lower-case userIdentity).
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { toDynamoDbJson } from '../../src/domain/attribute-codec.js';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import type { LambdaStreamEvent, LambdaStreamRecord } from '../../src/lambda/event.js';

export interface StreamShard {
  streamArn: string;
  shardId: string;
}

/** The table's stream and its (first) shard. */
export async function streamShard(dynamodb: DynamoDBClient, streams: DynamoDBStreamsClient, table: string): Promise<StreamShard> {
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards!;
  return { streamArn, shardId: shards[0]!.ShardId! };
}

/** Every record of the shard so far, from its oldest, as Lambda delivers them. */
export async function lambdaRecords(streams: DynamoDBStreamsClient, shard: StreamShard, region = 'us-east-1'): Promise<LambdaStreamRecord[]> {
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: shard.streamArn, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const records: LambdaStreamRecord[] = [];
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const record of page.Records ?? []) records.push(asLambdaDelivers(record, shard.streamArn, region));
    // An open shard never ends: an empty page means everything written so far was read.
    iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
  }
  return records;
}

/** A GetRecords record in the JSON Lambda sends (AWS's documented event format). */
export function asLambdaDelivers(record: _Record, streamArn: string, region: string): LambdaStreamRecord {
  const change = record.dynamodb!;
  // Through JSON, as Lambda's payload travels: nothing but JSON values remain.
  return JSON.parse(
    JSON.stringify({
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: {
        ApproximateCreationDateTime: change.ApproximateCreationDateTime!.getTime() / 1000,
        Keys: toDynamoDbJson(change.Keys!),
        ...(change.NewImage ? { NewImage: toDynamoDbJson(change.NewImage) } : {}),
        ...(change.OldImage ? { OldImage: toDynamoDbJson(change.OldImage) } : {}),
        SequenceNumber: change.SequenceNumber,
        SizeBytes: change.SizeBytes,
        StreamViewType: change.StreamViewType,
      },
      ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
      eventSourceARN: streamArn,
    }),
  ) as LambdaStreamRecord;
}

export const eventOf = (records: LambdaStreamRecord[]): LambdaStreamEvent => ({ Records: records });

/** A handler's environment for a table of the local stack, as a function's configuration would hold it. */
export function lambdaEnv(options: { bootstrapServers: string; connection: DynamoDbConnection; table: string; name: string }): Record<string, string> {
  const { connection, name } = options;
  const credentials = connection.credentials as { accessKeyId: string; secretAccessKey: string };
  return {
    AWS_LAMBDA_FUNCTION_NAME: name,
    DYNAMODB_KAFKA_BOOTSTRAP_SERVERS: options.bootstrapServers,
    DYNAMODB_KAFKA_DYNAMODB_TABLE_INCLUDELIST: options.table,
    DYNAMODB_KAFKA_DYNAMODB_SERVICE_ENDPOINT: connection.endpoint!,
    DYNAMODB_KAFKA_AWS_REGION: connection.region,
    DYNAMODB_KAFKA_AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    DYNAMODB_KAFKA_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    DYNAMODB_KAFKA_OFFSET_STORAGE_TOPIC: `${name}-offsets`,
  };
}
