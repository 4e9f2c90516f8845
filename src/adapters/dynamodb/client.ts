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
  /** Told of every call the clients make (for metrics); its hooks must be cheap: they run once per call. */
  observer?: AwsCallObserver;
}

/** What one AWS call came to, after the SDK's own retries. */
export interface AwsCall {
  /** The SDK command's operation, e.g. `Scan`, `GetRecords`, `BatchWriteItem`. */
  operation: string;
  outcome: 'ok' | 'throttled' | 'error';
  /** Attempts the SDK made (retries + 1). */
  attempts: number;
  seconds: number;
  /** The capacity units DynamoDB says the call consumed, when asked for (ReturnConsumedCapacity). */
  consumedCapacity: number;
  /** The error's message, when it failed. */
  error?: string;
}

export interface AwsCallObserver {
  /** A call begins; what it returns is told how it ended (a call that hangs is seen in flight). */
  started(operation: string): (call: AwsCall) => void;
}

const THROTTLING = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|LimitExceeded/;

/**
 * Wraps each command around the SDK's retries (the initialize step), so one observation is one call as the
 * caller sees it, with the attempts it took.
 */
function observeCalls(client: { middlewareStack: DynamoDBClient['middlewareStack'] }, observer: AwsCallObserver): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const ended = observer.started(operation);
      try {
        const result = await next(args);
        const output = result.output as { $metadata?: { attempts?: number }; ConsumedCapacity?: unknown };
        ended({
          operation,
          outcome: 'ok',
          attempts: output.$metadata?.attempts ?? 1,
          seconds: (performance.now() - started) / 1000,
          consumedCapacity: capacityUnits(output.ConsumedCapacity),
        });
        return result;
      } catch (error) {
        const failure = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
        ended({
          operation,
          outcome: THROTTLING.test(failure.name ?? '') ? 'throttled' : 'error',
          attempts: failure.$metadata?.attempts ?? 1,
          seconds: (performance.now() - started) / 1000,
          consumedCapacity: 0,
          error: `${failure.name ?? 'Error'}: ${failure.message ?? String(error)}`,
        });
        throw error;
      }
    },
    { step: 'initialize', name: 'dynamodbKafkaCallObserver' },
  );
}

/** ConsumedCapacity is one object (Scan, Query) or a list (BatchWriteItem, TransactWriteItems). */
function capacityUnits(consumed: unknown): number {
  if (Array.isArray(consumed)) return consumed.reduce((sum: number, entry) => sum + capacityUnits(entry), 0);
  return (consumed as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
}

/**
 * The SDK's default NoOpLogger has an `info` method, so its logger middleware builds a sensitive-data-filtered
 * copy of every response (schemaLogFilter) only to throw it away: on a snapshot that was about a fifth of the
 * Node thread's time. Without `info`/`error` the middleware skips that work; debug and warn stay (as no-ops)
 * because the SDK calls them unguarded.
 */
const QUIET_SDK_LOGGER = { debug() {}, warn() {}, trace() {} } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

/** The settings every AWS client of a connection shares: region, endpoint, credentials, a quiet logger. */
export function clientConfig(connection: DynamoDbConnection): DynamoDBClientConfig {
  return {
    logger: QUIET_SDK_LOGGER,
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
    ...(connection.maxAttempts ? { maxAttempts: connection.maxAttempts } : {}),
  };
}

export function createDynamoDbClient(connection: DynamoDbConnection): DynamoDBClient {
  const client = new DynamoDBClient(clientConfig(connection));
  if (connection.observer) observeCalls(client, connection.observer);
  return client;
}

export function createStreamsClient(connection: DynamoDbConnection): DynamoDBStreamsClient {
  const client = new DynamoDBStreamsClient(clientConfig(connection));
  if (connection.observer) observeCalls(client as unknown as DynamoDBClient, connection.observer);
  return client;
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
