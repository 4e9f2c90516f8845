import { inject } from 'vitest';
import { createDynamoDbClient, createStreamsClient, type DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';
import { createLogger, type Logger } from '../../src/runtime/logger.js';
import { SourceConnector } from '../../src/runtime/source-connector.js';
import { sourcePorts } from '../../src/runtime/connections.js';
import { includeListFinder, type TableFinder } from '../../src/source/discovery.js';
import type { PipelineSettings } from '../../src/source/settings.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/config/source.js';
import { confluentJsonFormat, type DocumentFormat } from '../../src/formats/confluent-json.js';
import type { RecordFormat } from '../../src/formats/ports.js';

export interface SourceUnderTest {
  connector: SourceConnector;
  stop(): Promise<void>;
}

type Overrides = Partial<Omit<PipelineSettings, 'snapshot' | 'cdc'>> & {
  /** How envelopes hold items; default DynamoDB JSON. */
  document?: DocumentFormat;
  snapshot?: Partial<PipelineSettings['snapshot']>;
  cdc?: Partial<PipelineSettings['cdc']>;
};

/** Runs the source connector in this process against the test stack, with test-friendly settings. */
export async function startSource(options: {
  name: string;
  /** The tables to replicate, or how to find them. */
  tables: string[] | TableFinder;
  dynamodb: DynamoDbConnection;
  exactlyOnce?: boolean;
  /** tasks.max: how many tasks (producers) carry the tables; 1 by default, as Kafka Connect's. */
  tasks?: number;
  overrides?: Overrides;
  /** How changes become records; by default the confluent envelope in JSON. */
  format?: RecordFormat;
  /** Where log lines go; by default warnings and errors to stderr. */
  log?: Logger;
  /** The Kafka to write to; by default the test stack's (a fault test passes its private broker's). */
  bootstrapServers?: string;
}): Promise<SourceUnderTest> {
  const bootstrapServers = options.bootstrapServers ?? inject('stack').kafka.bootstrapServers;
  const kafka = createKafka({ bootstrapServers, clientId: options.name }, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  const dynamodb = createDynamoDbClient(options.dynamodb);
  const streams = createStreamsClient(options.dynamodb);
  const settingsFor = (table: string): PipelineSettings => ({
    connector: options.name,
    syncMode: 'SNAPSHOT_CDC',
    topic: table,
    maxBatchSize: 1000,
    records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
    ...options.overrides,
    snapshot: { maxPollRecords: 1000, maxRcuPercentage: 50, consistentRead: false, ...options.overrides?.snapshot },
    cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 50, gapPolicy: 'resnapshot', ...options.overrides?.cdc },
  });
  const connector = new SourceConnector(
    {
      name: options.name,
      finder: Array.isArray(options.tables) ? includeListFinder(options.tables) : options.tables,
      settingsFor,
      format: options.format ?? confluentJsonFormat({ document: options.overrides?.document ?? 'dynamodb-json', tombstones: true }),
      exactlyOnce: options.exactlyOnce ?? true,
      offsetsTopic: `${options.name}-offsets`,
      topic: { partitions: 1, replicationFactor: 1 },
      tasks: options.tasks ?? 1,
      maxMessageBytes: settingsFor('').records.maxMessageBytes,
      maxRecordsPerWrite: settingsFor('').maxBatchSize,
    },
    sourcePorts({ kafka, connection: { bootstrapServers }, admin, dynamodb, streams }),
    options.log ?? createLogger(options.name, 'warn'),
  );
  connector.start();
  return {
    connector,
    async stop() {
      await connector.stop();
      await admin.disconnect();
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

/** A logger that keeps every line (`LEVEL [scope] message`) for assertions. */
export function capturingLogger(lines: string[], scope = ''): Logger {
  const write = (level: string) => (message: string) => void lines.push(`${level} [${scope}] ${message}`);
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR'), child: (child) => capturingLogger(lines, scope ? `${scope}/${child}` : child) };
}
