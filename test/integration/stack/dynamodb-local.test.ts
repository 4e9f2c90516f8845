import { CreateTableCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import { isolatedDynamoDb, uniqueName } from '../../support/aws.js';

describe('local DynamoDB (DynamoDB Local with Streams)', () => {
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  beforeAll(() => {
    const connection = isolatedDynamoDb('stacktest');
    dynamodb = createDynamoDbClient(connection);
    streams = createStreamsClient(connection);
  });
  afterAll(() => {
    dynamodb.destroy();
    streams.destroy();
  });

  async function tableWithStream(): Promise<{ table: string; streamArn: string }> {
    const table = uniqueName('stack-test');
    const created = await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    return { table, streamArn: created.TableDescription!.LatestStreamArn! };
  }

  async function shardsOf(streamArn: string) {
    return (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards!;
  }

  async function readShard(streamArn: string, shardId: string): Promise<_Record[]> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    return (await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
  }

  it('streams an insert and an update with new and old images', async () => {
    const { table, streamArn } = await tableWithStream();
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'item-1' }, n: { N: '1' } } }));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { id: { S: 'item-1' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );

    const shards = await shardsOf(streamArn);
    expect(shards).toHaveLength(1);
    const records = await readShard(streamArn, shards[0]!.ShardId!);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(records[0]!.dynamodb!.NewImage).toEqual({ id: { S: 'item-1' }, n: { N: '1' } });
    expect(records[1]!.dynamodb!.OldImage).toEqual({ id: { S: 'item-1' }, n: { N: '1' } });
    expect(records[1]!.dynamodb!.NewImage).toEqual({ id: { S: 'item-1' }, n: { N: '2' } });
  });

  it('has its test-control hooks on: a forced rollover closes the shard and opens a child', async () => {
    const { table, streamArn } = await tableWithStream();
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'before' } } }));
    await dynamodb.send(new PutItemCommand({ TableName: '[TEST_CONTROL]', Item: { ACTION: { S: 'ROLLOVER' } } }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after' } } }));

    const shards = await shardsOf(streamArn);
    expect(shards).toHaveLength(2);
    const [parent, child] = shards;
    expect(parent!.SequenceNumberRange!.EndingSequenceNumber).toBeDefined();
    expect(child!.ParentShardId).toBe(parent!.ShardId);
    expect((await readShard(streamArn, parent!.ShardId!)).map((record) => record.dynamodb!.Keys!.id!.S)).toEqual(['before']);
    expect((await readShard(streamArn, child!.ShardId!)).map((record) => record.dynamodb!.Keys!.id!.S)).toEqual(['after']);
  });
});
