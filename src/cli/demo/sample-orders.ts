import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';

const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED'];
const CUSTOMERS = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara'];

export function sampleOrder(index: number): Record<string, AttributeValue> {
  return {
    orderId: { S: `order-${String(index).padStart(5, '0')}` },
    customer: { S: CUSTOMERS[index % CUSTOMERS.length]! },
    status: { S: 'PENDING' },
    total: { N: (((index * 7919) % 20_000) / 100).toFixed(2) },
    items: { L: [{ M: { sku: { S: `sku-${index % 97}` }, qty: { N: String(1 + (index % 3)) } } }] },
  };
}

/** Creates the demo table (stream with old and new images) unless it exists; returns whether it was created. */
export async function ensureOrdersTable(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return false;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table });
  return true;
}

export async function loadOrders(client: DynamoDBClient, table: string, count: number, onProgress: (done: number) => void): Promise<void> {
  for (let start = 0; start < count; start += 25) {
    let requests: Record<string, any[]> = {
      [table]: Array.from({ length: Math.min(25, count - start) }, (_, offset) => ({ PutRequest: { Item: sampleOrder(start + offset) } })),
    };
    while (Object.keys(requests).length > 0) {
      requests = ((await client.send(new BatchWriteItemCommand({ RequestItems: requests }))).UnprocessedItems ?? {}) as Record<string, any[]>;
    }
    onProgress(Math.min(count, start + 25));
  }
}

/** Keeps changing the table like an application would: new orders, status changes, cancellations. */
export async function keepWriting(client: DynamoDBClient, table: string, firstNewIndex: number, perSecond: number, signal: AbortSignal): Promise<void> {
  let next = firstNewIndex;
  let step = 0;
  while (!signal.aborted) {
    const existing = `order-${String((step * 7907) % next).padStart(5, '0')}`;
    switch (step % 5) {
      case 0:
      case 1:
        await client.send(new PutItemCommand({ TableName: table, Item: sampleOrder(next++) }));
        break;
      case 4:
        await client.send(new DeleteItemCommand({ TableName: table, Key: { orderId: { S: existing } } }));
        break;
      default:
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { orderId: { S: existing } },
            UpdateExpression: 'SET #status = :status',
            ConditionExpression: 'attribute_exists(orderId)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': { S: STATUSES[1 + (step % 3)]! } },
          }),
        ).catch((error: Error) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
    }
    step++;
    await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
  }
}
