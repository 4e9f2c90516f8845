/** DynamoDB helpers shared by the benchmarks: a database per phase, the bench table, bulk loading. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, UpdateTableCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { inParallel } from './measure.js';

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

/** An item of about 185 bytes by DynamoDB's measure (names and values), 30 more per 30 more `payloadLength`. */
export function benchItem(index: number, payloadLength = 150): Record<string, AttributeValue> {
  return {
    id: { S: `item-${String(index).padStart(8, '0')}` },
    n: { N: String(index * 3) },
    flag: { BOOL: index % 2 === 0 },
    payload: { S: 'x'.repeat(payloadLength) },
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

/** Writes `count` bench items (`item` of each index) with `concurrency` BatchWriteItem calls in flight, retrying unprocessed items. */
export async function loadBenchItems(client: DynamoDBClient, table: string, count: number, concurrency = 8, item = benchItem): Promise<void> {
  await writeBenchItems((requests) => client.send(new BatchWriteItemCommand({ RequestItems: requests as never })), table, count, concurrency, item);
}

/** One BatchWriteItem call by whichever client: the request items in, the unprocessed ones out. */
export type BatchWrite = (requests: Record<string, unknown[]>) => Promise<{ UnprocessedItems?: Record<string, unknown[]> | undefined }>;

/** `count` bench items written in calls of 25 by `write`, `concurrency` in flight, unprocessed items retried. */
export async function writeBenchItems(write: BatchWrite, table: string, count: number, concurrency: number, item: (index: number) => Record<string, AttributeValue> = benchItem): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= count) return;
      let requests: Record<string, unknown[]> = {
        [table]: Array.from({ length: Math.min(25, count - start) }, (_, offset) => ({ PutRequest: { Item: item(start + offset) } })),
      };
      while (Object.keys(requests).length > 0) requests = (await write(requests)).UnprocessedItems ?? {};
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Retries a DynamoDB call the local server refuses while it is busy with the table (LimitExceeded, ResourceInUse). */
export async function retrying(call: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await call();
      return;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (attempt >= 20 || (name !== 'LimitExceededException' && name !== 'ResourceInUseException')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
}

async function timed(label: string, what: string, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  process.stderr.write(`${label}: ${what} in ${seconds} s\n`);
  return seconds;
}

/**
 * Creates the tables without a stream, loads `items` items of about 210 B into each, then enables the streams: on
 * DynamoDB Local each write to a stream-enabled table is slower for every stream record already in the database,
 * so loading first is the fast order (and the snapshot, not the stream, is what is measured). `label` prefixes
 * the progress lines.
 */
export async function createLoadedTables(client: DynamoDBClient, tables: string[], items: number, label: string): Promise<{ createSeconds: number; loadSeconds: number; enableStreamsSeconds: number }> {
  const createSeconds = await timed(label, `created ${tables.length} tables`, () => inParallel(tables, 8, (table) => retrying(() => createBenchTable(client, table, false))));
  const requests = tables.flatMap((table) => Array.from({ length: items }, (_, index) => ({ table, request: { PutRequest: { Item: { ...benchItem(index), payload: { S: 'x'.repeat(180) } } } } as WriteRequest })));
  const batches = Array.from({ length: Math.ceil(requests.length / 25) }, (_, index) => requests.slice(index * 25, index * 25 + 25));
  const loadSeconds = await timed(label, `loaded ${requests.length} items`, () =>
    inParallel(batches, 8, async (batch) => {
      let pending: Record<string, WriteRequest[]> = {};
      for (const { table, request } of batch) (pending[table] ??= []).push(request);
      while (Object.keys(pending).length > 0) pending = (await client.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems ?? {};
    }),
  );
  const enableStreamsSeconds = await timed(label, 'enabled the streams', () =>
    inParallel(tables, 8, (table) =>
      retrying(() => client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }))),
    ),
  );
  return { createSeconds, loadSeconds, enableStreamsSeconds };
}
