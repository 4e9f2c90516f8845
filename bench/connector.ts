/**
 * The source connector as the bench runs it, in this process: exactly-once, the connector's defaults, one table;
 * with metrics, its AWS calls and transactions observed as a worker observes them.
 */
import { randomUUID } from 'node:crypto';
import { createDynamoDbClient, createStreamsClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../src/config/source.js';
import { confluentJsonFormat } from '../src/formats/confluent-json.js';
import type { RecordFormat } from '../src/formats/ports.js';
import { sourcePorts } from '../src/runtime/connections.js';
import { createLogger } from '../src/runtime/logger.js';
import type { Metrics } from '../src/runtime/metrics.js';
import { SourceConnector } from '../src/runtime/source-connector.js';
import { includeListFinder } from '../src/source/discovery.js';
import type { PipelineSettings, SyncMode } from '../src/source/settings.js';
import type { StackEndpoints } from '../src/stack/stack.js';

/** Parallel Scan segments, for the connector and the raw Scan alike. */
export const SEGMENTS = 8;

export const JSON_FORMAT = confluentJsonFormat({ document: 'dynamodb-json', tombstones: true });

export function startConnector(stack: StackEndpoints, connection: DynamoDbConnection, table: string, syncMode: SyncMode, format: RecordFormat = JSON_FORMAT, metrics?: Metrics) {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  // With metrics: the AWS calls and transactions observed as a worker observes them.
  const kafkaConnection = { bootstrapServers: stack.kafka.bootstrapServers, clientId: name, ...(metrics ? { transactions: metrics.transactionObserver(name) } : {}) };
  const kafka = createKafka(kafkaConnection, logLevel.ERROR);
  const admin = kafka.admin();
  const observed = metrics ? { ...connection, observer: metrics.awsObserver(name) } : connection;
  const dynamodb = createDynamoDbClient(observed);
  const streams = createStreamsClient(observed);
  const settings: PipelineSettings = {
    connector: name,
    syncMode,
    topic: `${table}-${name}`,
    maxBatchSize: 10_000, // the connector's default
    records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
    snapshot: { maxPollRecords: 1000, segments: SEGMENTS, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN' },
    cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 100, gapPolicy: 'resnapshot' },
  };
  const connector = new SourceConnector(
    { name, finder: includeListFinder([table]), settingsFor: () => settings, format, exactlyOnce: true, offsetsTopic: `${name}-offsets`, topic: { partitions: 1, replicationFactor: 1 }, tasks: 1, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, maxRecordsPerWrite: settings.maxBatchSize },
    sourcePorts({ kafka, connection: kafkaConnection, admin, dynamodb, streams }),
    createLogger(name, 'warn'),
  );
  metrics?.watch(() => [connector.status()]);
  return {
    topic: settings.topic,
    async start() {
      await admin.connect();
      connector.start();
    },
    status: () => connector.status().tables[0],
    async stop() {
      await connector.stop();
      await admin.disconnect();
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

/**
 * A read_committed consumer of `topic` timing changes: `sent(key)` marks a write DynamoDB acknowledged (by its
 * Kafka key), and the first record read with that key is its sample, write → record, in ms.
 */
export async function latencyFollower(stack: StackEndpoints, topic: string, clientId: string) {
  const kafka = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId }, logLevel.ERROR);
  const consumer = kafka.consumer({ kafkaJS: { groupId: `bench-${randomUUID()}`, fromBeginning: true, autoCommit: false }, 'isolation.level': 'read_committed' });
  await consumer.connect();
  await consumer.subscribe({ topic });
  /** Writes not yet read, by Kafka key. */
  const pending = new Map<string, number>();
  const latenciesMs: number[] = [];
  void consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString();
      const sentAt = key === undefined ? undefined : pending.get(key);
      if (sentAt === undefined || !message.value) return;
      latenciesMs.push(performance.now() - sentAt);
      pending.delete(key!);
    },
  });
  return {
    latenciesMs,
    sent: (key: string) => void pending.set(key, performance.now()),
    /** Every write marked so far was read. */
    caughtUp: () => pending.size === 0,
    assigned: () => consumer.assignment().length > 0,
    disconnect: () => consumer.disconnect(),
  };
}
