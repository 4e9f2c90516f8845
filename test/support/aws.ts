import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';

/**
 * DynamoDB Local keeps a separate database per access key: a suite with its own key never sees (or is slowed
 * by) the stream records of another. Keys may hold only letters and digits.
 */
export function isolatedDynamoDb(suite: string): DynamoDbConnection {
  const { endpoint, region } = inject('stack').dynamodb;
  const accessKeyId = `${suite.replace(/[^A-Za-z0-9]/g, '')}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey: 'local' } };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
