import { inject } from 'vitest';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';

/**
 * Our source connector's config for the tables listed, against the test stack: its broker, the suite's DynamoDB
 * Local and access key (DynamoDB Local keeps one database per key), and an offsets topic of its own.
 */
export function stackSourceConfig(
  connection: DynamoDbConnection,
  { tables, offsetsTopic, secretAccessKey = 'local' }: { tables: string; offsetsTopic: string; secretAccessKey?: string },
): Record<string, string> {
  return {
    'connector.class': 'DynamoDbSource',
    'dynamodb.table.includelist': tables,
    'bootstrap.servers': inject('stack').kafka.bootstrapServers,
    'dynamodb.service.endpoint': connection.endpoint!,
    'aws.region': connection.region,
    'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
    'aws.secret.access.key': secretAccessKey,
    'offset.storage.topic': offsetsTopic,
  };
}
