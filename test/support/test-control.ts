import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** DynamoDB Local's hidden test hooks (enabled by the stack's launcher). */
export async function forceRollover(client: DynamoDBClient): Promise<void> {
  await client.send(new PutItemCommand({ TableName: '[TEST_CONTROL]', Item: { ACTION: { S: 'ROLLOVER' } } }));
}

/** Moves the server's clock forward: iterators expire after 15 min, records trim after 24 h, shards roll over every 4 h. */
export async function dilateTime(client: DynamoDBClient, hours: number): Promise<void> {
  await client.send(new PutItemCommand({ TableName: '[TEST_CONTROL]', Item: { ACTION: { S: 'DILATE_TIME' }, HOURS: { S: String(hours) } } }));
}
