// The AWS Lambda handler: DynamoDB Streams (Lambda's event source mapping) → Kafka, with the source connector's
// records and guarantees. Configured from DYNAMODB_KAFKA_* environment variables (see env-config.ts).
import { dynamoDbSourceTables } from '../adapters/dynamodb/scan.js';
import { describeStream, shardHoldsRecord } from '../adapters/dynamodb/streams.js';
import { kafkaForSource } from '../adapters/kafka/source-kafka.js';
import { ConfigError, keyProblem } from '../config/errors.js';
import { openSourceClients } from '../runtime/connections.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { sourceRecordFormat } from '../runtime/record-formats.js';
import { pipelineSettings } from '../runtime/worker.js';
import { sourceConfigFromEnv, variableFor, type SecretFetcher } from './env-config.js';
import type { BatchResponse, LambdaStreamEvent } from './event.js';
import { secretsManagerFetcher } from './secrets.js';
import { StreamBatchHandler } from './stream-batch.js';

export interface StreamHandler {
  handle(event: LambdaStreamEvent): Promise<BatchResponse>;
  /** Closes the producers and clients. */
  close(): Promise<void>;
}

export interface StreamHandlerOptions {
  /** Where secrets given as ARNs are read; Secrets Manager unless given. */
  fetchSecret?: SecretFetcher;
  log?: Logger;
}

/**
 * One container's handler: reads the configuration (secrets included) and opens the Kafka and AWS clients once;
 * each shard's transactional producer is opened on its first batch and then kept.
 */
export async function createStreamHandler(env: Record<string, string | undefined>, options: StreamHandlerOptions = {}): Promise<StreamHandler> {
  const log = options.log ?? createLogger('lambda');
  const config = await sourceConfigFromEnv(env, options.fetchSecret ?? secretsManagerFetcher());
  const heading = `invalid configuration for connector "${config.name}"`;
  if (config.discovery.mode !== 'INCLUDELIST') {
    throw new ConfigError(keyProblem('dynamodb.table.includelist', `required by the Lambda handler (${variableFor('dynamodb.table.includelist')}): the table(s) of the function's event source mappings`), heading);
  }
  const bootstrapServers = config.kafka.bootstrapServers;
  if (!bootstrapServers) throw new ConfigError(keyProblem('bootstrap.servers', `required (${variableFor('bootstrap.servers')})`), heading);
  for (const warning of config.warnings) log.warn(warning);
  const format = await sourceRecordFormat(config.output);
  const { connection, kafka, admin, dynamodb, streams } = await openSourceClients(config, bootstrapServers, log);
  const sourceKafka = kafkaForSource({ kafka, connection, admin });
  const batches = new StreamBatchHandler(
    {
      connector: config.name,
      tables: config.discovery.tables,
      settingsFor: (table) => pipelineSettings(config, table),
      format,
      exactlyOnce: config.exactlyOnce,
      offsetsTopic: config.offsetStorageTopic,
      topic: { partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor },
    },
    {
      kafka: sourceKafka,
      tables: dynamoDbSourceTables(dynamodb),
      shards: {
        describe: (streamArn) => describeStream(streams, streamArn),
        holds: (streamArn, shardId, sequenceNumber) => shardHoldsRecord(streams, streamArn, shardId, sequenceNumber),
      },
    },
    log,
  );
  log.info(
    `connector ${config.name}: tables ${config.discovery.tables.join(', ')}; ${config.exactlyOnce ? 'exactly-once' : 'at-least-once'}; ` +
      `records ${format.description}; Kafka ${bootstrapServers}`,
  );
  return {
    handle: (event) => batches.handle(event),
    async close() {
      await batches.close();
      await sourceKafka.close();
      await admin.disconnect().catch(() => undefined);
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

/** The container's handler, made on the first invocation and kept while the container lives. */
let container: Promise<StreamHandler> | undefined;

function startContainer(): Promise<StreamHandler> {
  const started = createStreamHandler(process.env);
  started.catch(() => {
    container = undefined; // a configuration fixed meanwhile, or a broker back, is tried again next invocation
  });
  return started;
}

// In Lambda, the clients are made during the container's init phase, before the first event arrives.
if (process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.DYNAMODB_KAFKA_BOOTSTRAP_SERVERS) container = startContainer();

/** Lambda's entry point (`FunctionResponseTypes: ["ReportBatchItemFailures"]`). */
export async function handler(event: LambdaStreamEvent): Promise<BatchResponse> {
  container ??= startContainer();
  return (await container).handle(event);
}
