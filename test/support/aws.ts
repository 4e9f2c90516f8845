import { randomUUID } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { createDynamoDbClient } from '../../src/adapters/dynamodb/client.js';
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

/** The local stack's moto (DynamoDB, its streams, S3 and the tagging API on one endpoint), with its test keys. */
export function motoConnection(): DynamoDbConnection {
  const { endpoint, region } = inject('stack').moto!;
  return { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A suite's own DynamoDB database and client, and a place to register clean-ups, all released after the suite
 * (in reverse order of registration).
 */
export function suiteResources(suite: string) {
  const connection = isolatedDynamoDb(suite);
  const dynamodb = createDynamoDbClient(connection);
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    dynamodb.destroy();
  });
  return { connection, dynamodb, defer: (cleanup: () => Promise<void>) => void cleanups.push(cleanup) };
}
