import type { Sema } from 'async-sema';
import type { KafkaClientEvents } from '../adapters/kafka/client-events.js';
import { AwsError } from '../domain/aws-error.js';
import type { RecordFormat } from '../formats/ports.js';
import { SchemaRegistryError } from '../formats/registry/ports.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { Emitter } from '../source/emitter.js';
import { OversizedRecordError } from '../source/oversized-records.js';
import { FencedError, type BatchWriter, type ChangeStreams, type SourceKafka, type SourceTables, type TableExports } from '../source/ports.js';
import type { PipelineSettings } from '../source/settings.js';
import type { PipelineStatus } from '../source/status.js';
import { TableNotReplicableError, TablePipeline } from '../source/table-pipeline.js';
import { Backoff } from './backoff.js';
import { FailureLog } from './failure-log.js';
import type { Logger } from './logger.js';
import { waitForRecovery } from './recovery-wait.js';
import { nextTaskState, type TaskEvent, type TaskState } from './task-lifecycle.js';

/** The connector's ports to Kafka and DynamoDB, and what its Kafka clients said (to explain failures). */
export interface SourceConnectorClients {
  kafka: SourceKafka;
  tables: SourceTables;
  streams: ChangeStreams;
  /** DynamoDB's export to S3: present when the snapshot method is EXPORT. */
  exports?: TableExports;
  kafkaEvents?: KafkaClientEvents;
}

const MAX_BACKOFF_MS = 60_000;
/** Batches one table may have waiting for the task's writer. */
const TABLE_QUEUE_CAPACITY = 32;

/** What a task needs from its connector's plan. */
export interface SourceTaskPlan {
  connector: string;
  id: number;
  /** With exactly-once: stable per connector and task, so a new owner of the task fences the old one. */
  transactionalId?: string;
  /** How tables are chosen, for the message when one does not exist. */
  foundBy: string;
  settingsFor(table: string): PipelineSettings;
  format: RecordFormat;
  offsetsTopic: string;
  topic: { partitions: number; replicationFactor: number };
  maxMessageBytes: number;
  /** Records coalesced into one write (one transaction), across the task's tables. */
  maxRecordsPerWrite: number;
  /** The connector's budget of snapshot pages held in memory, shared by all its tables. */
  snapshotPages: Sema;
}

export interface TaskStatus {
  id: number;
  state: TaskState;
  /** Why the task's writes failed (it retries), or why it stopped (fenced). */
  error?: string;
  tables: PipelineStatus[];
}

/** The producer, the offsets and the emitter of one run of the task: replaced whole after a failed write. */
interface Generation {
  writer: BatchWriter;
  store: OffsetStore;
  emitter: Emitter;
  /** Aborted when this generation ends: every table running in it stops. */
  controller: AbortController;
}

interface AssignedTable {
  /** Aborted when the table leaves the task (no longer discovered). */
  controller: AbortController;
  /** The table's run in the current generation, if one is running. */
  supervisor?: Promise<void>;
}

/**
 * A unit of work, as in Kafka Connect: one producer (one transactional id) carrying many tables. Each write is
 * one transaction holding the records and offsets of whichever of its tables had data. A table that fails on
 * its own (missing, no stream, a refused schema, an oversized change) leaves the task's writes and is retried by
 * itself with a growing backoff, while the others go on. A failed write concerns every table in it: the task
 * stops them all, opens its producer again (fencing what the failed one left open), reads the committed offsets
 * and restarts them. Fenced by a newer owner of its transactional id, the task stops for good.
 */
export class SourceTask {
  private state: TaskState = 'IDLE';
  private error?: string;
  private readonly assigned = new Map<string, AssignedTable>();
  private readonly pipelines = new Map<string, TablePipeline>();
  private readonly stopping = new AbortController();
  private generation?: Generation;
  private loop?: Promise<void>;

  constructor(
    private readonly plan: SourceTaskPlan,
    private readonly clients: SourceConnectorClients,
    private readonly log: Logger,
  ) {}

  get id(): number {
    return this.plan.id;
  }

  /** Starts replicating a table in this task (its producer opens with the first table). */
  add(table: string): void {
    if (this.assigned.has(table) || this.stopping.signal.aborted) return;
    const entry: AssignedTable = { controller: new AbortController() };
    this.assigned.set(table, entry);
    if (this.state === 'IDLE') {
      this.move('TABLES_ASSIGNED');
      this.loop = this.run();
    } else if (this.state === 'RUNNING' && this.generation) {
      entry.supervisor = this.superviseTable(table, entry, this.generation);
    }
  }

  /** Stops a table (no longer discovered); its offsets are kept. */
  async remove(table: string): Promise<void> {
    const entry = this.assigned.get(table);
    if (!entry) return;
    entry.controller.abort(new Error(`table ${table} no longer found`));
    await entry.supervisor;
    this.assigned.delete(table);
    this.pipelines.delete(table);
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('connector stopping'));
    await this.loop;
    if (this.state !== 'STOPPED') this.move('STOP');
  }

  status(): TaskStatus {
    return {
      id: this.plan.id,
      state: this.state,
      ...(this.error ? { error: this.error } : {}),
      tables: [...this.pipelines.values()].map((pipeline) => ({ ...pipeline.status })),
    };
  }

  /** Generations of the task's producer, one after another, until stopped or fenced. */
  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    const failures = new FailureLog(MAX_BACKOFF_MS);
    while (!signal.aborted) {
      let generation: Generation | undefined;
      let startedAt = Date.now();
      try {
        generation = await this.open();
        this.generation = generation;
        if (signal.aborted) break; // stopped while the producer opened: no table starts
        startedAt = Date.now();
        this.move('WRITER_READY');
        if (this.error) this.log.info('writes work again');
        this.error = undefined;
        for (const [table, entry] of this.assigned) entry.supervisor = this.superviseTable(table, entry, generation);
        await untilAborted(AbortSignal.any([signal, generation.emitter.failureSignal]));
        if (signal.aborted) break;
        throw generation.emitter.failed;
      } catch (error) {
        if (signal.aborted) break;
        await this.end(generation);
        const message = this.explain(error);
        if (error instanceof FencedError) {
          // A newer owner runs this task now; restarting would fence it back, and the two would take turns.
          this.error = `stopped: ${message}. Restart this connector to take its tables back.`;
          this.log.error(this.error);
          for (const pipeline of this.pipelines.values()) pipeline.status.error = this.error;
          this.move('FENCED');
          return;
        }
        this.error = message;
        const line = failures.lineFor(message);
        if (line) this.log.error(`task ${this.plan.id}: ${line}`);
        this.move('WRITE_FAILED');
        if (Date.now() - startedAt > 5 * MAX_BACKOFF_MS) backoff.reset();
        const recovery = await waitForRecovery(backoff.next(), () => this.clients.kafka.probe(), signal);
        if (recovery === 'recovered') {
          this.log.info('Kafka answers again: restarting the task now');
          backoff.reset();
        }
        if (!signal.aborted) this.move('RETRY');
      }
    }
    await this.end(this.generation);
  }

  /** Opens the producer (fencing any older one with its id), then reads the offsets nothing can commit behind. */
  private async open(): Promise<Generation> {
    const { kafka } = this.clients;
    const writer = await kafka.openWriter({
      ...(this.plan.transactionalId !== undefined ? { transactionalId: this.plan.transactionalId } : {}),
      maxMessageBytes: this.plan.maxMessageBytes,
    });
    try {
      const store = await kafka.loadOffsets(this.plan.offsetsTopic, this.plan.connector);
      const emitter = new Emitter(writer, store, { queueCapacity: TABLE_QUEUE_CAPACITY, maxRecordsPerWrite: this.plan.maxRecordsPerWrite });
      return { writer, store, emitter, controller: new AbortController() };
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
  }

  /** Stops every table of a generation, then its writer. */
  private async end(generation: Generation | undefined): Promise<void> {
    if (!generation) return;
    if (this.generation === generation) this.generation = undefined;
    generation.controller.abort(new Error('task restarting'));
    await Promise.allSettled([...this.assigned.values()].map((entry) => entry.supervisor));
    await generation.emitter.close().catch(() => undefined);
    await generation.writer.close().catch(() => undefined);
  }

  /**
   * Runs one table in a generation, restarting it on its own failures with a growing backoff (reported once per
   * distinct error); returns when the table leaves, the generation ends, or a write of the task failed (the task
   * restarts every table then).
   */
  private async superviseTable(table: string, entry: AssignedTable, generation: Generation): Promise<void> {
    const log = this.log.child(table);
    const backoff = new Backoff(1_000, MAX_BACKOFF_MS);
    const failures = new FailureLog(MAX_BACKOFF_MS);
    const signal = AbortSignal.any([entry.controller.signal, generation.controller.signal, this.stopping.signal]);
    while (!signal.aborted) {
      const pipeline = new TablePipeline({
        ...this.clients,
        settings: this.plan.settingsFor(table),
        format: this.plan.format,
        tableName: table,
        foundBy: this.plan.foundBy,
        topic: this.plan.topic,
        store: generation.store,
        emitter: generation.emitter,
        snapshotPages: this.plan.snapshotPages,
        log,
      });
      const previous = this.pipelines.get(table);
      if (previous?.status.error) pipeline.status.error = previous.status.error;
      pipeline.status.task = this.plan.id;
      this.pipelines.set(table, pipeline);
      const startedAt = Date.now();
      try {
        log.info(`starting (topic ${pipeline.status.topic}, task ${this.plan.id})`);
        await pipeline.run(signal);
        return;
      } catch (error) {
        if (signal.aborted || generation.emitter.failed) return;
        const message = this.explain(error);
        const line = failures.lineFor(message);
        if (line) log.error(line);
        pipeline.status.error = message;
        if (Date.now() - startedAt > 5 * MAX_BACKOFF_MS) backoff.reset();
        // A table that cannot be replicated as it is (or a change that cannot be written) waits the longest:
        // only a change to it, or to the configuration, can help.
        const needsPerson =
          error instanceof TableNotReplicableError ||
          error instanceof OversizedRecordError ||
          (error instanceof SchemaRegistryError && error.refused);
        const wait = needsPerson ? MAX_BACKOFF_MS : backoff.next();
        const recovery = await waitForRecovery(wait, needsPerson ? undefined : this.probeFor(error, table), signal);
        if (recovery === 'recovered') {
          log.info(`${error instanceof AwsError ? 'DynamoDB' : 'Kafka'} answers again: restarting now`);
          // After an outage's end the first restarts may still stumble on its leftovers: they retry soon.
          backoff.reset();
        }
      }
    }
  }

  /**
   * How to tell that what failed works again: DynamoDB for an AWS failure that retrying can cure, Kafka for
   * anything else (a topic that could not be created); none for failures the backoff alone should pace.
   */
  private probeFor(error: unknown, table: string): (() => Promise<unknown>) | undefined {
    if (error instanceof AwsError) return error.canRetry ? () => this.clients.tables.describe(table) : undefined;
    if (error instanceof SchemaRegistryError) return undefined;
    return () => this.clients.kafka.probe();
  }

  /** A failure's message; a Kafka one also names the broker connection failure behind it, when there was one. */
  private explain(error: unknown): string {
    if (error instanceof AwsError || error instanceof TableNotReplicableError || error instanceof SchemaRegistryError) return error.message;
    return explainKafkaFailure(this.clients, error);
  }

  private move(event: TaskEvent): void {
    this.state = nextTaskState(this.state, event);
  }
}

/** A Kafka failure's message, with the broker connection failure behind it when the clients saw one. */
export function explainKafkaFailure(clients: Pick<SourceConnectorClients, 'kafkaEvents'>, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return clients.kafkaEvents?.explain(message) ?? message;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
