import { setTimeout as delay } from 'node:timers/promises';
import { Sema } from 'async-sema';
import { AwsError } from '../domain/aws-error.js';
import type { KafkaClientEvents } from '../adapters/kafka/client-events.js';
import type { TableFinder } from '../source/discovery.js';
import { FencedError, type ChangeStreams, type SourceKafka, type SourceTables } from '../source/ports.js';
import type { PipelineSettings } from '../source/settings.js';
import type { PipelineStatus } from '../source/status.js';
import { OversizedRecordError } from '../source/oversized-records.js';
import { SchemaRegistryError } from '../formats/registry/ports.js';
import { TableNotReplicableError, TablePipeline } from '../source/table-pipeline.js';
import { Backoff } from './backoff.js';
import type { RecordFormat } from '../formats/ports.js';
import { FailureLog } from './failure-log.js';
import type { Logger } from './logger.js';
import { waitForRecovery } from './recovery-wait.js';

export interface SourceConnectorPlan {
  name: string;
  /** Which tables to replicate, asked again every rediscovery period. */
  finder: TableFinder;
  settingsFor(table: string): PipelineSettings;
  /** How changes become Kafka records. */
  format: RecordFormat;
  exactlyOnce: boolean;
  offsetsTopic: string;
  topic: { partitions: number; replicationFactor: number };
}

/** The connector's ports to Kafka and DynamoDB, and what its Kafka clients said (to explain failures). */
export interface SourceConnectorClients {
  kafka: SourceKafka;
  tables: SourceTables;
  streams: ChangeStreams;
  kafkaEvents?: KafkaClientEvents;
}

export interface DiscoveryStatus {
  /** How tables are chosen ("matching the tag filters env:prod"). */
  method: string;
  /** The tables found by the last successful discovery. */
  tables: string[];
  lastRunAt?: number;
  /** Why the last discovery failed; the tables found before keep running. */
  error?: string;
}

export interface ConnectorStatus {
  name: string;
  type: 'source';
  discovery: DiscoveryStatus;
  tables: PipelineStatus[];
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Snapshot pages (up to `dynamodb.snapshot.max.poll.records` items, at most 1 MB each) one connector holds in
 * memory at once across all its tables: enough for one table to keep its scans and transactions overlapped,
 * and a bound on memory however many tables snapshot together.
 */
export const SNAPSHOT_PAGES_IN_MEMORY = 32;

interface RunningTable {
  controller: AbortController;
  supervisor: Promise<void>;
}

/**
 * Runs one pipeline per discovered table, each supervised on its own: a failing table is restarted from its
 * committed offsets with growing backoff and reported once per distinct error, while the other tables go on.
 * Discovery runs again every period: a new table starts its pipeline, a table that no longer matches (or was
 * deleted) has its pipeline stopped. Stopping keeps the table's offsets, so a table that comes back resumes,
 * or re-snapshots by the gap rules.
 */
export class SourceConnector {
  private readonly controller = new AbortController();
  private readonly running = new Map<string, RunningTable>();
  private readonly pipelines = new Map<string, TablePipeline>();
  private readonly discovery: DiscoveryStatus;
  private readonly snapshotPages = new Sema(SNAPSHOT_PAGES_IN_MEMORY);
  private discoveryLoop?: Promise<void>;

  constructor(
    private readonly plan: SourceConnectorPlan,
    private readonly clients: SourceConnectorClients,
    private readonly log: Logger,
  ) {
    this.discovery = { method: plan.finder.description, tables: [] };
  }

  start(): void {
    this.discoveryLoop = this.discover();
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('connector stopping'));
    await this.discoveryLoop;
    await Promise.allSettled([...this.running.values()].map((table) => table.supervisor));
    await this.clients.kafka.close();
  }

  status(): ConnectorStatus {
    return {
      name: this.plan.name,
      type: 'source',
      discovery: { ...this.discovery, tables: [...this.discovery.tables] },
      tables: [...this.pipelines.values()].map((pipeline) => ({ ...pipeline.status })),
    };
  }

  /** Finds the tables, then again every period; a failed discovery is retried and leaves the running tables alone. */
  private async discover(): Promise<void> {
    const { finder } = this.plan;
    const signal = this.controller.signal;
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    while (!signal.aborted) {
      let waitMs: number | undefined;
      try {
        const tables = await finder.find();
        if (signal.aborted) return;
        this.discovery.tables = tables;
        this.discovery.lastRunAt = Date.now();
        if (this.discovery.error) this.log.info('table discovery works again');
        this.discovery.error = undefined;
        await this.apply(tables);
        backoff.reset();
        waitMs = finder.rediscoveryPeriodMs;
        if (waitMs === undefined) return;
      } catch (error) {
        if (signal.aborted) return;
        const message = `table discovery failed: ${error instanceof Error ? error.message : String(error)}`;
        if (message !== this.discovery.error) this.log.error(message);
        this.discovery.error = message;
        waitMs = Math.min(backoff.next(), finder.rediscoveryPeriodMs ?? MAX_BACKOFF_MS);
      }
      await delay(waitMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Starts pipelines for tables that are new and stops those of tables no longer found. */
  private async apply(tables: string[]): Promise<void> {
    const wanted = new Set(tables);
    const added = tables.filter((table) => !this.running.has(table));
    if (added.length > 0) this.log.info(`starting ${added.length} table(s) ${this.plan.finder.description}: ${added.join(', ')}`);
    for (const table of added) {
      const controller = new AbortController();
      const stopWithConnector = () => controller.abort(this.controller.signal.reason);
      this.controller.signal.addEventListener('abort', stopWithConnector, { once: true });
      const supervisor = this.supervise(table, controller.signal).finally(() =>
        this.controller.signal.removeEventListener('abort', stopWithConnector),
      );
      this.running.set(table, { controller, supervisor });
    }
    const gone = [...this.running].filter(([table]) => !wanted.has(table));
    await Promise.all(
      gone.map(async ([table, { controller, supervisor }]) => {
        this.log.info(`table ${table} is no longer found (deleted, or ${this.plan.finder.description} no more): stopping its pipeline; its offsets are kept`);
        controller.abort(new Error(`table ${table} no longer found`));
        await supervisor;
        this.running.delete(table);
        this.pipelines.delete(table);
      }),
    );
  }

  /**
   * How to tell that what failed works again: DynamoDB for an AWS failure that retrying can cure, Kafka for
   * anything else (a timed-out transaction, a lost connection); none for failures that only a person can fix.
   */
  private probeFor(error: unknown, table: string): (() => Promise<unknown>) | undefined {
    if (error instanceof AwsError) return error.canRetry ? () => this.clients.tables.describe(table) : undefined;
    if (error instanceof SchemaRegistryError) return undefined; // the backoff alone paces the retries
    return () => this.clients.kafka.probe();
  }

  /** A failure's message; a Kafka one also names the broker connection failure behind it, when there was one. */
  private explain(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof AwsError || error instanceof TableNotReplicableError || error instanceof SchemaRegistryError) return message;
    return this.clients.kafkaEvents?.explain(message) ?? message;
  }

  private async supervise(table: string, signal: AbortSignal): Promise<void> {
    const log = this.log.child(table);
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    const failures = new FailureLog(MAX_BACKOFF_MS);
    while (!signal.aborted) {
      const pipeline = new TablePipeline({
        ...this.clients,
        settings: this.plan.settingsFor(table),
        format: this.plan.format,
        tableName: table,
        foundBy: this.plan.finder.description,
        snapshotPages: this.snapshotPages,
        exactlyOnce: this.plan.exactlyOnce,
        offsetsTopic: this.plan.offsetsTopic,
        topic: this.plan.topic,
        log,
      });
      const previous = this.pipelines.get(table);
      this.pipelines.set(table, pipeline);
      if (previous?.status.error) pipeline.status.error = previous.status.error;
      const startedAt = Date.now();
      try {
        log.info(`starting (topic ${pipeline.status.topic})`);
        await pipeline.run(signal);
        return;
      } catch (error) {
        if (signal.aborted) return;
        const message = this.explain(error);
        if (error instanceof FencedError) {
          // A newer owner runs this table now; restarting would fence it back, and the two would take turns.
          pipeline.status.error = `stopped: ${message}. Restart this connector to take the table back.`;
          log.error(pipeline.status.error);
          return;
        }
        const line = failures.lineFor(message);
        if (line) log.error(line);
        pipeline.status.error = message;
        // A pipeline that ran a while before failing starts over with a short backoff.
        if (Date.now() - startedAt > 5 * MAX_BACKOFF_MS) backoff.reset();
        // A table that cannot be replicated as it is (or a change that cannot be written) waits the longest:
        // only a change to it, or to the configuration, can help.
        const needsPerson =
          error instanceof TableNotReplicableError ||
          error instanceof OversizedRecordError ||
          (error instanceof SchemaRegistryError && error.refused);
        const wait = needsPerson ? MAX_BACKOFF_MS : backoff.next();
        const recovery = await waitForRecovery(wait, needsPerson ? undefined : this.probeFor(error, table), signal);
        if (recovery === 'recovered') log.info(`${error instanceof AwsError ? 'DynamoDB' : 'Kafka'} answers again: restarting now`);
        // After an outage's end the first restarts may still stumble on its leftovers: they retry soon, not
        // after the backoff the outage grew.
        if (recovery === 'recovered') backoff.reset();
      }
    }
  }
}
