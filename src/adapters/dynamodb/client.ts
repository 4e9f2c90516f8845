import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

export interface DynamoDbConnection {
  region: string;
  /** Set for DynamoDB Local or a VPC endpoint; unset means the region's public endpoint. */
  endpoint?: string;
  /** Unset means the SDK's default credential chain. */
  credentials?: DynamoDBClientConfig['credentials'];
  maxAttempts?: number;
}

/**
 * The SDK's default NoOpLogger has an `info` method, so its logger middleware builds a sensitive-data-filtered
 * copy of every response (schemaLogFilter) only to throw it away: on a snapshot that was about a fifth of the
 * Node thread's time. Without `info`/`error` the middleware skips that work; debug and warn stay (as no-ops)
 * because the SDK calls them unguarded.
 */
const QUIET_SDK_LOGGER = { debug() {}, warn() {}, trace() {} } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

function clientConfig(connection: DynamoDbConnection): DynamoDBClientConfig {
  return {
    logger: QUIET_SDK_LOGGER,
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
    ...(connection.maxAttempts ? { maxAttempts: connection.maxAttempts } : {}),
  };
}

export function createDynamoDbClient(connection: DynamoDbConnection): DynamoDBClient {
  return new DynamoDBClient(clientConfig(connection));
}

export function createStreamsClient(connection: DynamoDbConnection): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(clientConfig(connection));
}

/** The Resource Groups Tagging API client; `endpoint` here is that API's, not DynamoDB's. */
export function createTaggingClient(connection: DynamoDbConnection): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient(clientConfig(connection));
}

/** One ListTables call; rejects when the endpoint does not answer. */
export async function listTables(connection: DynamoDbConnection): Promise<string[]> {
  const client = createDynamoDbClient({ ...connection, maxAttempts: 1 });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}
