import type { BatchWriteItemCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, inject } from 'vitest';
import { createDynamoDbClient, type DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';
import { parseSinkConfig } from '../../src/config/sink.js';
import { dynamodbConnection } from '../../src/runtime/connections.js';
import { createLogger } from '../../src/runtime/logger.js';
import { SinkConnector } from '../../src/runtime/sink-connector.js';
import { uniqueName, type suiteResources } from './aws.js';
import { scanAll } from './tables.js';
import { TopicFollower } from './topic-follower.js';

/** Runs a sink connector in this process, configured with the real keys against the test stack. */
export async function startSink(
  name: string,
  dynamodb: DynamoDbConnection,
  config: Record<string, string>,
  options: { instrument?: (client: DynamoDBClient) => void; ownedTasks?: ReadonlySet<number> } = {},
) {
  const credentials = dynamodb.credentials as { accessKeyId: string; secretAccessKey: string };
  const parsed = parseSinkConfig(name, {
    'connector.class': 'DynamoDbSink',
    'bootstrap.servers': inject('stack').kafka.bootstrapServers,
    'aws.dynamodb.endpoint': dynamodb.endpoint!,
    'aws.dynamodb.region': dynamodb.region,
    'aws.access.key.id': credentials.accessKeyId,
    'aws.secret.access.key': credentials.secretAccessKey,
    ...config,
  });
  const kafkaConnection = { bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: name };
  const kafka = createKafka(kafkaConnection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  const client = createDynamoDbClient(dynamodbConnection(parsed));
  options.instrument?.(client);
  const connector = new SinkConnector(parsed, { kafka, kafkaConnection, admin, dynamodb: client }, createLogger(name, 'warn'), options.ownedTasks);
  await connector.start();
  return {
    connector,
    async stop() {
      await connector.stop();
      await admin.disconnect();
      client.destroy();
    },
  };
}

/**
 * A sink of `topic` (with `config` added) keyed by value.id that dead-letters what it cannot write, with Kafka
 * Connect's error headers; resolves once the `written` ids are in table `topic`, with a follower of the dead-letter
 * topic.
 */
export async function sinkWithDeadLetters(resources: ReturnType<typeof suiteResources>, topic: string, written: string[], config: Record<string, string> = {}) {
  const { connection, dynamodb, defer } = resources;
  const deadLetters = `${topic}-dlq`;
  const sink = await startSink(uniqueName('sink-dlq'), connection, {
    topics: topic,
    ...config,
    'aws.dynamodb.pk.hash': 'value.id',
    'aws.dynamodb.pk.sort': '',
    'errors.tolerance': 'all',
    'errors.deadletterqueue.topic.name': deadLetters,
    'errors.deadletterqueue.context.headers.enable': 'true',
  });
  defer(() => sink.stop());
  await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).map((item) => item.id!.S).sort(), { timeout: 60_000 }).toEqual([...written].sort());
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, deadLetters, 1, 'read_uncommitted');
  defer(() => follower.close());
  return { sink, follower };
}

/**
 * An `instrument` for startSink: `around` runs in place of each BatchWriteItem call the sink makes, with the
 * call's input, and makes the call itself with `write()`.
 */
export function aroundBatchWrites(name: string, around: (input: BatchWriteItemCommandInput, write: () => Promise<void>) => Promise<void>) {
  return (client: DynamoDBClient) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        let output!: Awaited<ReturnType<typeof next>>;
        await around(args.input as BatchWriteItemCommandInput, async () => {
          output = await next(args);
        });
        return output;
      },
      { step: 'initialize', name },
    );
}

/**
 * Produces records (value objects are JSON-encoded; null = tombstone) to a new topic with `partitions`; with
 * `transactional`, in one Kafka transaction, as the source connector writes (a commit marker follows in each partition).
 */
export async function produce(
  topic: string,
  records: Array<{ key?: string | Buffer | null; value: unknown; partition?: number }>,
  partitions = 1,
  options: { transactional?: boolean } = {},
) {
  const kafka = createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: 'sink-test-producer' }, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] }).catch(() => undefined);
  await admin.disconnect();
  const producer = kafka.producer({
    kafkaJS: { idempotent: true, ...(options.transactional ? { transactionalId: uniqueName(`${topic}-producer`), maxInFlightRequests: 1 } : {}) },
  });
  await producer.connect();
  const transaction = options.transactional ? await producer.transaction() : undefined;
  await (transaction ?? producer).send({
    topic,
    messages: records.map((record) => ({
      key: record.key ?? null,
      value: record.value === null ? null : typeof record.value === 'string' || Buffer.isBuffer(record.value) ? (record.value as string) : JSON.stringify(record.value),
      ...(record.partition !== undefined ? { partition: record.partition } : {}),
    })),
  });
  await transaction?.commit();
  await producer.disconnect();
}
