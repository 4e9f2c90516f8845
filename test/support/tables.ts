import {
  BatchWriteItemCommand,
  CreateTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { serializeDynamoDbJson, serializeKey, type KeySchema } from '../../src/domain/attribute-codec.js';
import type { ConsumedRecord } from './topic-follower.js';

export type Item = Record<string, AttributeValue>;
export type StreamView = 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'KEYS_ONLY' | 'OLD_IMAGE' | 'none';

export async function createTable(
  client: DynamoDBClient,
  name: string,
  view: StreamView = 'NEW_AND_OLD_IMAGES',
  keySchema: KeySchema = { hashKey: 'id' },
  /** Key attribute types other than S. */
  keyTypes: Record<string, 'S' | 'N' | 'B'> = {},
) {
  const keys = [keySchema.hashKey, ...(keySchema.rangeKey ? [keySchema.rangeKey] : [])];
  const created = await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: keys.map((AttributeName, index) => ({ AttributeName, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: keyTypes[AttributeName] ?? 'S' })),
      BillingMode: 'PAY_PER_REQUEST',
      ...(view === 'none' ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: view } }),
    }),
  );
  return created.TableDescription!;
}

/** Writes items 25 at a time (BatchWriteItem's limit), retrying what DynamoDB leaves unprocessed. */
export async function putItems(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests: Record<string, any[]> = { [table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) };
    while (Object.keys(requests).length > 0) {
      const answer = await client.send(new BatchWriteItemCommand({ RequestItems: requests }));
      requests = (answer.UnprocessedItems ?? {}) as Record<string, any[]>;
    }
  }
}

export async function scanAll(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Limit: 1000, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Rebuilds a table from its topic as a consumer would: the last event per key wins, a delete (or tombstone)
 * removes the key. Returns key → `after` document (DynamoDB JSON text).
 */
export function replay(records: ConsumedRecord[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const record of records) {
    if (record.key === null) continue;
    if (record.value === null) {
      state.delete(record.key);
      continue;
    }
    const envelope = JSON.parse(record.value) as { op: string; after: { document: string } | null };
    if (envelope.op === 'd') state.delete(record.key);
    else state.set(record.key, envelope.after!.document);
  }
  return state;
}

/** The table's content in the same shape as `replay`, for an exact comparison. */
export function expectedState(items: Item[], keySchema: KeySchema): Map<string, string> {
  return new Map(items.map((item) => [serializeKey(item, keySchema), serializeDynamoDbJson(item)]));
}

/** Compares documents attribute-order-independently (Scan and stream images may order attributes differently). */
export function normalise(state: Map<string, string>): Record<string, unknown> {
  const sortDeep = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sortDeep)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortDeep(v)]))
        : value;
  return Object.fromEntries([...state].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, doc]) => [key, sortDeep(JSON.parse(doc))]));
}
