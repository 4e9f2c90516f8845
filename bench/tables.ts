/** DynamoDB helpers shared by the benchmarks: a database per phase, the bench table, bulk loading. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import type { StackEndpoints } from '../src/stack/stack.js';

/** A database of its own per phase: DynamoDB Local slows every write by the stream records already stored. */
export function benchDatabase(stack: StackEndpoints, name: string): DynamoDbConnection {
  return { ...stack.dynamodb, credentials: { accessKeyId: `bench${name}${randomUUID().slice(0, 8)}`, secretAccessKey: 'bench' } };
}

/** A connector config file for `dynamodb-kafka run` (its path returned): the stack's endpoints, plus `keys`. */
export function connectorConfigFile(stack: StackEndpoints, connection: DynamoDbConnection, name: string, keys: Record<string, string>): string {
  const credentials = connection.credentials as { accessKeyId: string; secretAccessKey: string };
  const file = join(mkdtempSync(join(tmpdir(), 'bench-')), `${name}.json`);
  const config = {
    'connector.class': 'DynamoDbSource',
    ...keys,
    'bootstrap.servers': stack.kafka.bootstrapServers,
    'dynamodb.service.endpoint': connection.endpoint,
    'aws.region': connection.region,
    'aws.access.key.id': credentials.accessKeyId,
    'aws.secret.access.key': credentials.secretAccessKey,
    'offset.storage.topic': `${name}-offsets`,
  };
  writeFileSync(file, JSON.stringify({ name, config }));
  return file;
}

/** An item of about 200 bytes. */
export function benchItem(index: number): Record<string, AttributeValue> {
  return {
    id: { S: `item-${String(index).padStart(8, '0')}` },
    n: { N: String(index * 3) },
    flag: { BOOL: index % 2 === 0 },
    payload: { S: 'x'.repeat(150) },
  };
}

export async function createBenchTable(client: DynamoDBClient, name: string, stream: boolean): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
}

/** Drops a table a phase is done with: DynamoDB Local keeps every item in its heap, and a fuller heap slows the phases after. */
export async function dropBenchTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: name }));
}

/** Writes `count` bench items with `concurrency` BatchWriteItem calls in flight, retrying unprocessed items. */
export async function loadBenchItems(client: DynamoDBClient, table: string, count: number, concurrency = 8): Promise<void> {
  await writeBenchItems((requests) => client.send(new BatchWriteItemCommand({ RequestItems: requests as never })), table, count, concurrency);
}

/** One BatchWriteItem call by whichever client: the request items in, the unprocessed ones out. */
export type BatchWrite = (requests: Record<string, unknown[]>) => Promise<{ UnprocessedItems?: Record<string, unknown[]> | undefined }>;

/** `count` bench items written in calls of 25 by `write`, `concurrency` in flight, unprocessed items retried. */
export async function writeBenchItems(write: BatchWrite, table: string, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= count) return;
      let requests: Record<string, unknown[]> = {
        [table]: Array.from({ length: Math.min(25, count - start) }, (_, offset) => ({ PutRequest: { Item: benchItem(start + offset) } })),
      };
      while (Object.keys(requests).length > 0) requests = (await write(requests)).UnprocessedItems ?? {};
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
