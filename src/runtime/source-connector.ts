import { setTimeout as delay } from 'node:timers/promises';
import { Sema } from 'async-sema';
import type { TableFinder } from '../source/discovery.js';
import type { PipelineSettings } from '../source/settings.js';
import type { PipelineStatus } from '../source/status.js';
import { taskOfTable } from '../source/task-assignment.js';
import { Backoff } from './backoff.js';
import { FailureLog } from './failure-log.js';
import type { RecordFormat } from '../formats/ports.js';
import type { Logger } from './logger.js';
import { waitForRecovery } from './recovery-wait.js';
import { explainKafkaFailure, SourceTask, type SourceConnectorClients, type TaskStatus } from './source-task.js';
import { fenceEarlierLayouts, taskTransactionalId } from './zombie-fencing.js';

export type { SourceConnectorClients } from './source-task.js';

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
  /** tasks.max: the tables are spread over this many tasks, each with one producer. */
  tasks: number;
  /** The largest record written: the topics' max.message.bytes. */
  maxMessageBytes: number;
  /** Records coalesced into one write (one transaction) of a task. */
  maxRecordsPerWrite: number;
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
  /** Why the tasks cannot start yet (the producers of an earlier task layout could not be fenced; retrying). */
  error?: string;
  tasks: TaskStatus[];
  /** Every task's tables. */
  tables: PipelineStatus[];
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Snapshot pages (up to `dynamodb.snapshot.max.poll.records` items, at most 1 MB each) one connector holds in
 * memory at once across all its tables: enough for one table to keep its scans and transactions overlapped,
 * and a bound on memory however many tables snapshot together.
 */
export const SNAPSHOT_PAGES_IN_MEMORY = 32;

/**
 * Runs a source connector's tables in `tasks` tasks (Kafka Connect's unit of work: one producer, many tables).
 * A table sits in the task its name hashes to, so it keeps its task however many tables come and go. Discovery
 * runs again every period: a new table starts in its task, a table that no longer matches (or was deleted) is
 * stopped. Stopping keeps the table's offsets, so a table that comes back resumes, or re-snapshots by the gap
 * rules. With exactly-once, producers of an earlier task layout are fenced before any task starts.
 */
export class SourceConnector {
  private readonly controller = new AbortController();
  private readonly tasks: SourceTask[];
  private readonly tableTasks = new Map<string, SourceTask>();
  private readonly discovery: DiscoveryStatus;
  private startError?: string;
  private runLoop?: Promise<void>;

  constructor(
    private readonly plan: SourceConnectorPlan,
    private readonly clients: SourceConnectorClients,
    private readonly log: Logger,
  ) {
    this.discovery = { method: plan.finder.description, tables: [] };
    const snapshotPages = new Sema(SNAPSHOT_PAGES_IN_MEMORY);
    this.tasks = Array.from({ length: plan.tasks }, (_, id) =>
      new SourceTask(
        {
          connector: plan.name,
          id,
          ...(plan.exactlyOnce ? { transactionalId: taskTransactionalId(plan.name, id) } : {}),
          foundBy: plan.finder.description,
          settingsFor: plan.settingsFor,
          format: plan.format,
          offsetsTopic: plan.offsetsTopic,
          topic: plan.topic,
          maxMessageBytes: plan.maxMessageBytes,
          maxRecordsPerWrite: plan.maxRecordsPerWrite,
          snapshotPages,
        },
        clients,
        log,
      ),
    );
  }

  start(): void {
    this.runLoop = (async () => {
      if (this.plan.exactlyOnce && !(await this.fenceEarlierLayouts())) return;
      await this.discover();
    })();
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('connector stopping'));
    await this.runLoop;
    await Promise.allSettled(this.tasks.map((task) => task.stop()));
    await this.clients.kafka.close();
  }

  status(): ConnectorStatus {
    const tasks = this.tasks.map((task) => task.status());
    return {
      name: this.plan.name,
      type: 'source',
      discovery: { ...this.discovery, tables: [...this.discovery.tables] },
      ...(this.startError ? { error: this.startError } : {}),
      tasks,
      tables: tasks.flatMap((task) => task.tables),
    };
  }

  /** Fences the producers of an earlier task layout, retrying while Kafka fails; false when stopped meanwhile. */
  private async fenceEarlierLayouts(): Promise<boolean> {
    const signal = this.controller.signal;
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    const failures = new FailureLog(MAX_BACKOFF_MS);
    const current = this.tasks.map((task) => taskTransactionalId(this.plan.name, task.id));
    while (!signal.aborted) {
      try {
        const { fenced } = await fenceEarlierLayouts(this.clients.kafka, { offsetsTopic: this.plan.offsetsTopic, connector: this.plan.name, current });
        if (fenced.length > 0) this.log.info(`fenced the producers of the connector's earlier task layout: ${fenced.join(', ')}`);
        if (this.startError) this.log.info('earlier producers fenced: starting the tasks');
        this.startError = undefined;
        return !signal.aborted;
      } catch (error) {
        if (signal.aborted) return false;
        const line = `cannot fence the producers of the connector's earlier tasks, so no task starts yet (retrying): ${explainKafkaFailure(this.clients, error)}`;
        const logged = failures.lineFor(line);
        if (logged) this.log.error(logged);
        this.startError = line;
        await waitForRecovery(backoff.next(), () => this.clients.kafka.probe(), signal);
      }
    }
    return false;
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

  /** Starts tables that are new in their tasks and stops those no longer found. */
  private async apply(tables: string[]): Promise<void> {
    const wanted = new Set(tables);
    const added = tables.filter((table) => !this.tableTasks.has(table));
    if (added.length > 0) this.log.info(`starting ${added.length} table(s) ${this.plan.finder.description}: ${added.join(', ')}`);
    for (const table of added) {
      const task = this.tasks[taskOfTable(table, this.tasks.length)]!;
      this.tableTasks.set(table, task);
      task.add(table);
    }
    const gone = [...this.tableTasks].filter(([table]) => !wanted.has(table));
    await Promise.all(
      gone.map(async ([table, task]) => {
        this.log.info(`table ${table} is no longer found (deleted, or ${this.plan.finder.description} no more): stopping it; its offsets are kept`);
        await task.remove(table);
        this.tableTasks.delete(table);
      }),
    );
  }
}
