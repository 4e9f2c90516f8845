import { setTimeout as delay } from 'node:timers/promises';
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { RetryPolicy, SinkTables } from '../../sink/ports.js';
import { AwsError } from '../../domain/aws-error.js';
import { classifyAwsError } from './errors.js';
import { backoffDelayMs } from '../../domain/retry.js';
import { createTable, describeTable } from './tables.js';

/** The sink's SinkTables port on DynamoDB. */
export function dynamoDbSinkTables(client: DynamoDBClient): SinkTables {
  return {
    describe: (table) => describeTable(client, table),
    create: (spec) => createTable(client, spec),
    writeBatch: (table, requests, policy) => batchWriteAll(client, table, requests, policy),
  };
}

/**
 * Writes up to 25 requests with BatchWriteItem until DynamoDB has processed all of them: UnprocessedItems and
 * throttling are retried with exponential backoff and full jitter; anything else fails at once.
 */
export async function batchWriteAll(client: DynamoDBClient, table: string, requests: WriteRequest[], policy: RetryPolicy): Promise<void> {
  let pending = requests;
  const deadline = Date.now() + policy.maxRetryTimeMs;
  for (let attempt = 0; pending.length > 0; attempt++) {
    let failure: AwsError | undefined;
    try {
      const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = answer.UnprocessedItems?.[table] ?? [];
    } catch (error) {
      failure = classifyAwsError(error, `BatchWriteItem ${table}`);
      if (!failure.canRetry) throw failure;
    }
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new AwsError(
        'throttled',
        `BatchWriteItem ${table}: ${pending.length} item(s) still not written after ${policy.maxRetryTimeMs} ms ` +
          `(max.retry.time.ms)${failure ? `; last error: ${failure.message}` : ''}`,
      );
    }
    await delay(Math.min(backoffDelayMs(attempt, policy.retryBackoffMs), Math.max(0, deadline - Date.now())));
  }
}
