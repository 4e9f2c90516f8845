// Records the format tests share: the item every format must carry unchanged, and Confluent's quick-start orders.
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item } from './tables.js';

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
