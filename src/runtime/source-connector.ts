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
import { fenceEarlierLayouts, layoutRecorded, taskTransactionalId } from './zombie-fencing.js';

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
  /**
   * The task indexes this process runs (a worker of a cluster runs those of its share); unset: all of them.
   * Tables of the other tasks are left to the processes that run those.
   */
  ownedTasks?: ReadonlySet<number>;
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
/** How often a process without task 0 looks whether the current task layout is recorded (fenced) yet. */
const LAYOUT_RECHECK_MS = 1_000;

/**
 * Snapshot pages (up to `dynamodb.snapshot.max.poll.records` items, at most 1 MB each) one connector holds in
 * memory at once across all its tables: a bound on memory however many tables snapshot together. Each held page
 * lives through at least one transaction, so V8 promotes it to the old generation, whose garbage then piles up
 * to a multiple of what is held before a full GC: with 32 pages the CLI process snapshotting 1M items of ~215 B
 * peaked at 291–313 MiB RSS (V8 heap up to 160 MiB in use), with 8 at 243–258 and with 6 at 227–241, at the same
 * CPU per item (~20 µs) and items/s within the machine's noise (issue 18's target: 256 MiB). Six pages still
 * overlap scans with the transaction in flight; small pages share slots (see holdUntilWritten), so many small
 * tables are not held to six scans' worth of pages.
 */
export const SNAPSHOT_PAGES_IN_MEMORY = 6;

/**
 * Runs a source connector's tables in `tasks` tasks (Kafka Connect's unit of work: one producer, many tables).
 * A table sits in the task its name hashes to, so it keeps its task however many tables come and go. Discovery
 * runs again every period: a new table starts in its task, a table that no longer matches (or was deleted) is
 * stopped. Stopping keeps the table's offsets, so a table that comes back resumes, or re-snapshots by the gap
 * rules. With exactly-once, producers of an earlier task layout are fenced before any task starts.
 *
 * A process may run only some of the tasks (`ownedTasks`, changed with `assign` while running): the tables of
 * the others are left alone, and a task given up stops without disturbing the rest.
 */
export class SourceConnector {
  private readonly controller = new AbortController();
  private readonly tasks = new Map<number, SourceTask>();
  private readonly tableTasks = new Map<string, SourceTask>();
  private readonly discovery: DiscoveryStatus;
  private readonly snapshotPages = new Sema(SNAPSHOT_PAGES_IN_MEMORY);
  private owned: ReadonlySet<number>;
  /** Set once the task layout is settled (fenced, or seen recorded): tasks start only then. */
  private layoutSettled = false;
  /** Discovery's and assign's changes to the tasks, one after another. */
  private changes: Promise<void> = Promise.resolve();
  private startError?: string;
  private runLoop?: Promise<void>;

  constructor(
    private readonly plan: SourceConnectorPlan,
    private readonly clients: SourceConnectorClients,
    private readonly log: Logger,
  ) {
    this.discovery = { method: plan.finder.description, tables: [] };
    this.owned = plan.ownedTasks ?? new Set(Array.from({ length: plan.tasks }, (_, id) => id));
  }

  start(): void {
    this.runLoop = (async () => {
      if (this.plan.exactlyOnce && !(await this.settleLayout())) return;
      this.layoutSettled = true;
      await this.serialized(() => this.applyOwnership());
      await this.discover();
    })();
  }

  /**
   * Runs these task indexes from now on: tasks no longer in the set stop at once (their open write finishes or
   * is aborted; a new owner's producer fences them anyway), new ones start with their tables.
   */
  assign(tasks: ReadonlySet<number>): Promise<void> {
    this.owned = new Set(tasks);
    return this.serialized(() => this.applyOwnership());
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('connector stopping'));
    await this.runLoop;
    await this.changes;
    await Promise.allSettled([...this.tasks.values()].map((task) => task.stop()));
    await this.clients.kafka.close();
  }

  status(): ConnectorStatus {
    const tasks = [...this.tasks.values()].sort((a, b) => a.id - b.id).map((task) => task.status());
    return {
      name: this.plan.name,
      type: 'source',
      discovery: { ...this.discovery, tables: [...this.discovery.tables] },
      ...(this.startError ? { error: this.startError } : {}),
      tasks,
      tables: tasks.flatMap((task) => task.tables),
    };
  }

  /**
   * Makes sure no producer of an earlier task layout can commit before a task starts. One process does the
   * fencing: the one running task 0 (every process, were each to fence, would fence tasks the others had just
   * started). The others wait until the offsets topic records the current layout. False when stopped meanwhile.
   */
  private async settleLayout(): Promise<boolean> {
    const signal = this.controller.signal;
    const current = this.currentLayout();
    let waiting = false;
    while (!signal.aborted) {
      if (this.owned.has(0)) return this.fenceEarlierLayouts();
      try {
        if (await layoutRecorded(this.clients.kafka, { offsetsTopic: this.plan.offsetsTopic, connector: this.plan.name, current })) {
          this.startError = undefined;
          return !signal.aborted;
        }
      } catch (error) {
        if (signal.aborted) return false;
        this.startError = `cannot read the offsets topic ${this.plan.offsetsTopic} (retrying): ${explainKafkaFailure(this.clients, error)}`;
      }
      if (!waiting) this.log.info("waiting for the owner of task 0 to fence the producers of the connector's earlier task layout");
      waiting = true;
      await delay(LAYOUT_RECHECK_MS, undefined, { signal }).catch(() => undefined);
    }
    return false;
  }

  private currentLayout(): string[] {
    return Array.from({ length: this.plan.tasks }, (_, id) => taskTransactionalId(this.plan.name, id));
  }

  /** Fences the producers of an earlier task layout, retrying while Kafka fails; false when stopped meanwhile. */
  private async fenceEarlierLayouts(): Promise<boolean> {
    const signal = this.controller.signal;
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    const failures = new FailureLog(MAX_BACKOFF_MS);
    const current = this.currentLayout();
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

  /** Starts tables that are new in their (owned) tasks and stops those no longer found. */
  private apply(tables: string[]): Promise<void> {
    return this.serialized(async () => {
      const wanted = new Set(tables);
      const added = tables.filter((table) => !this.tableTasks.has(table) && this.owned.has(this.taskIndexOf(table)));
      if (added.length > 0) this.log.info(`starting ${added.length} table(s) ${this.plan.finder.description}: ${added.join(', ')}`);
      for (const table of added) this.addTable(table);
      const gone = [...this.tableTasks].filter(([table]) => !wanted.has(table));
      await Promise.all(
        gone.map(async ([table, task]) => {
          this.log.info(`table ${table} is no longer found (deleted, or ${this.plan.finder.description} no more): stopping it; its offsets are kept`);
          await task.remove(table);
          this.tableTasks.delete(table);
        }),
      );
    });
  }

  /** Stops the tasks given up and starts those taken on, with the tables discovery found for them. */
  private async applyOwnership(): Promise<void> {
    const given = [...this.tasks.values()].filter((task) => !this.owned.has(task.id));
    if (given.length > 0) this.log.info(`task(s) ${given.map((task) => task.id).join(', ')} moved to another worker: stopping them`);
    await Promise.all(
      given.map(async (task) => {
        this.tasks.delete(task.id);
        for (const [table, owner] of this.tableTasks) if (owner === task) this.tableTasks.delete(table);
        await task.stop();
      }),
    );
    if (!this.layoutSettled || this.controller.signal.aborted) return;
    for (const id of this.owned) this.taskFor(id);
    for (const table of this.discovery.tables) {
      if (!this.tableTasks.has(table) && this.owned.has(this.taskIndexOf(table))) this.addTable(table);
    }
  }

  private addTable(table: string): void {
    const task = this.taskFor(this.taskIndexOf(table));
    this.tableTasks.set(table, task);
    task.add(table);
  }

  private taskIndexOf(table: string): number {
    return taskOfTable(table, this.plan.tasks);
  }

  /** The owned task with this index, made on first use. */
  private taskFor(id: number): SourceTask {
    let task = this.tasks.get(id);
    if (!task) {
      const { plan } = this;
      task = new SourceTask(
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
          snapshotPages: this.snapshotPages,
        },
        this.clients,
        this.log,
      );
      this.tasks.set(id, task);
    }
    return task;
  }

  private serialized(change: () => Promise<void>): Promise<void> {
    const next = this.changes.then(change);
    this.changes = next.catch(() => undefined);
    return next;
  }
}
