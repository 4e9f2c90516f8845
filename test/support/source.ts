import { setTimeout as delay } from 'node:timers/promises';
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
  /**
   * Resolve only once each listed table's scan has begun (or it streams, or failed): by default, so a change a
   * test makes next comes through the stream. A change made before the scan begins is shown by the scan only.
   * False for a test that starts the source where it cannot get that far (DynamoDB unreachable or frozen).
   */
  awaitScanStart?: boolean;
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
    snapshot: { maxPollRecords: 1000, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN', ...options.overrides?.snapshot },
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
  const started = {
    connector,
    async stop() {
      await connector.stop();
      await admin.disconnect();
      dynamodb.destroy();
      streams.destroy();
    },
  };
  const syncMode = settingsFor('').syncMode;
  if (Array.isArray(options.tables) && syncMode !== 'CDC' && (options.awaitScanStart ?? true)) await scansStarted(started, options.tables);
  return started;
}

const SCAN_START_TIMEOUT_MS = 60_000;

/** Waits until every table has passed the start of its scan (its stream positions are recorded). */
async function scansStarted(source: SourceUnderTest, tables: string[]): Promise<void> {
  const passed = (table: string) => {
    const status = source.connector.status().tables.find((candidate) => candidate.table === table);
    return status !== undefined && (status.snapshot?.scanStartedAt !== undefined || ['STREAMING', 'SNAPSHOT_DONE', 'FAILED', 'STOPPED'].includes(status.state));
  };
  const deadline = Date.now() + SCAN_START_TIMEOUT_MS;
  while (!tables.every(passed)) {
    if (Date.now() > deadline) {
      const states = tables.map((table) => `${table}: ${source.connector.status().tables.find((status) => status.table === table)?.state ?? 'not started'}`);
      await source.stop();
      throw new Error(`the source's scans did not start within ${SCAN_START_TIMEOUT_MS / 1000} s (${states.join(', ')})`);
    }
    await delay(20);
  }
}

/** A logger that keeps every line (`LEVEL [scope] message`) for assertions. */
export function capturingLogger(lines: string[], scope = ''): Logger {
  const write = (level: string) => (message: string) => void lines.push(`${level} [${scope}] ${message}`);
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR'), child: (child) => capturingLogger(lines, scope ? `${scope}/${child}` : child) };
}
