// Records the format tests share: the item every format must carry unchanged, and Confluent's quick-start orders.
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import type { TableInfo } from '../../src/domain/table-info.js';
import type { ChangeEncoder } from '../../src/formats/ports.js';
import type { WriteOperation } from '../../src/sink/record-converter.js';
import type { SinkRecord } from '../../src/sink/sink-record.js';
import type { Item } from './tables.js';

/** A record of topic `orders`, partition 2, as the sink's format tests convert it. */
export const ordersRecord = (value: Buffer | null, key: Buffer | string | null = null, offset = '17'): SinkRecord => ({
  topic: 'orders',
  partition: 2,
  offset,
  key: typeof key === 'string' ? Buffer.from(key) : key,
  value,
});

/** A table whose sort key is a 38-digit number, and an item of it: what a source → sink round trip must keep. */
const ORDERS_KEY_SCHEMA = { hashKey: 'id', rangeKey: 'order-no' };
export const ORDERS_TABLE = { name: 'orders', keySchema: ORDERS_KEY_SCHEMA, keyTypes: { id: 'S', 'order-no': 'N' } } as Partial<TableInfo> as TableInfo;
const ORDERS_ITEM = { id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' }, blob: { B: new Uint8Array([0, 255]) }, tags: { SS: ['x', 'y'] } };

/** The records an encoder writes for the item's snapshot read, then its delete (and tombstone): as the sink reads them. */
export function readThenDelete(encoder: ChangeEncoder): SinkRecord[] {
  const keySchema = ORDERS_KEY_SCHEMA;
  const [read] = encoder.snapshotPage([ORDERS_ITEM], { tableName: 'orders', keySchema, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: 1, nowMs: 2 });
  const keys = { id: ORDERS_ITEM.id, 'order-no': ORDERS_ITEM['order-no'] };
  const deleted = encoder.streamChange({ op: 'd', tableName: 'orders', keySchema, keys, before: ORDERS_ITEM, after: null, changedAtMs: 3, nowMs: 4, shardId: 'shard-1', sequenceNumber: '1', ttlExpired: false });
  return [read!, ...deleted].map((encoded) => ordersRecord(encoded.value as Buffer | null, encoded.key as Buffer));
}

/** The sink's writes for readThenDelete's records: the item put, then deleted by its delete record and by the tombstone. */
export function expectReadThenDelete(operations: WriteOperation[]): void {
  const key = { id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' } };
  expect(operations).toHaveLength(3);
  expect(operations[0]).toMatchObject({ kind: 'put', table: 'orders', item: ORDERS_ITEM, key });
  expect(operations[1]).toMatchObject({ kind: 'delete', table: 'orders', key });
  // The tombstone's key, read back as the number the table stores (a number key field as text says it is one).
  expect(operations[2]).toMatchObject({ kind: 'delete', table: 'orders', key });
}

/** Every DynamoDB type, with the values that break naive codecs: 38 digits, empty strings, bytes, sets, nesting. */
export const richItem = (pk: string): Item => ({
  pk: { S: pk },
  sk: { N: '12345678901234567890123456789012345678' },
  text: { S: '' },
  small: { N: '-0.000000000000000000000000000000000001' },
  flag: { BOOL: true },
  nothing: { NULL: true },
  blob: { B: Uint8Array.from([0, 1, 254, 255]) },
  names: { SS: ['a', 'b'] },
  numbers: { NS: ['1', '99999999999999999999999999999999999999'] },
  blobs: { BS: [Uint8Array.from([1]), Uint8Array.from([2, 3])] },
  nested: { M: { list: { L: [{ S: 'x' }, { N: '1.5' }, { M: { deep: { BOOL: false } } }] }, empty: { M: {} } } },
});

/** The `orders` records of Confluent's DynamoDB Sink quick start (its datagen's schema). */
export const ORDERS_SCHEMA = {
  type: 'record',
  name: 'orders',
  namespace: 'ksql',
  fields: [
    { name: 'ordertime', type: 'long' },
    { name: 'orderid', type: 'int' },
    { name: 'itemid', type: 'string' },
    { name: 'orderunits', type: 'double' },
    {
      name: 'address',
      type: { type: 'record', name: 'address', fields: [{ name: 'city', type: 'string' }, { name: 'state', type: 'string' }, { name: 'zipcode', type: 'long' }] },
    },
  ],
};

/** After `first` was read: a put (second), an update of first, a put then a delete (third): every kind of change. */
export async function changeEveryWay(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const first = richItem('first');
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: richItem('second') }));
  await dynamodb.send(
    new UpdateItemCommand({ TableName: table, Key: { pk: first.pk!, sk: first.sk! }, UpdateExpression: 'SET #t = :t', ExpressionAttributeNames: { '#t': 'text' }, ExpressionAttributeValues: { ':t': { S: 'changed' } } }),
  );
  const third = richItem('third');
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: third }));
  await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk: third.pk!, sk: third.sk! } }));
}
