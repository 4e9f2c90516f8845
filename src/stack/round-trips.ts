import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { createDynamoDbClient, createStreamsClient } from '../adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../adapters/kafka/client.js';
import type { StackEndpoints } from './stack.js';

/**
 * Shows that the stack really works, the way a person would check it: a record through a Kafka transaction to
 * a read_committed consumer, and an item write read back from its DynamoDB stream.
 */
export async function runRoundTrips(endpoints: StackEndpoints, say: (line: string) => void): Promise<void> {
  const kafkaMs = await kafkaRoundTrip(endpoints.kafka.bootstrapServers);
  say(`Kafka    ${endpoints.kafka.bootstrapServers}: transactional produce → read_committed consume in ${kafkaMs} ms`);
  const dynamodbMs = await dynamodbStreamRoundTrip(endpoints.dynamodb);
  say(`DynamoDB ${endpoints.dynamodb.endpoint}: PutItem → stream record (NEW_AND_OLD_IMAGES) in ${dynamodbMs} ms`);
}

async function kafkaRoundTrip(bootstrapServers: string): Promise<number> {
  const started = Date.now();
  const kafka = createKafka({ bootstrapServers, clientId: 'stack-check' }, logLevel.ERROR);
  const topic = `stack-check-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const producer = kafka.producer({ kafkaJS: { transactionalId: `stack-check-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 } });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
    await transaction.commit();
    await producer.disconnect();

    const consumer = kafka.consumer({
      kafkaJS: { groupId: `stack-check-${randomUUID()}`, fromBeginning: true },
      'isolation.level': 'read_committed',
    });
    await consumer.connect();
    try {
      const value = await new Promise<string>((resolve, reject) => {
        consumer.subscribe({ topic }).then(
          () => consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') }),
          reject,
        );
      });
      if (value !== 'committed') throw new Error(`read back ${JSON.stringify(value)} instead of "committed"`);
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
  return Date.now() - started;
}

async function dynamodbStreamRoundTrip(connection: { endpoint: string; region: string }): Promise<number> {
  const started = Date.now();
  const credentials = { accessKeyId: 'stackcheck', secretAccessKey: 'stackcheck' };
  const dynamodb = createDynamoDbClient({ ...connection, credentials });
  const streams = createStreamsClient({ ...connection, credentials });
  const TableName = `stack-check-${randomUUID()}`;
  try {
    const created = await dynamodb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName });
    await dynamodb.send(new PutItemCommand({ TableName, Item: { id: { S: 'check' } } }));
    const StreamArn = created.TableDescription?.LatestStreamArn;
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription?.Shards?.[0];
    const iterator = await streams.send(
      new GetShardIteratorCommand({ StreamArn, ShardId: shard?.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const records = (await streams.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }))).Records ?? [];
    if (records[0]?.eventName !== 'INSERT' || records[0].dynamodb?.Keys?.id?.S !== 'check') {
      throw new Error(`the stream of ${TableName} did not hold the INSERT just written`);
    }
    await dynamodb.send(new DeleteTableCommand({ TableName }));
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
  return Date.now() - started;
}
