import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Sema } from 'async-sema';
import { AwsError } from '../domain/aws-error.js';
import { withRetries, type RetryLimits } from '../domain/retry.js';
import type { SinkConfig } from '../config/sink-config.js';
import type { KeySchema } from '../domain/attribute-codec.js';
import type { KeyAttributeType } from '../domain/table-info.js';
import { planBatches, type PlannedBatch } from './batch-planner.js';
import { loadRegistrySchemas } from './registry-input.js';
import type { DeadLetterSink, FailedRecord, MissingTopics, PartitionLag, RecordSource, RecordSourceOptions, RetryPolicy, SinkTables } from './ports.js';
import { ConversionError, convertRecord, tableNameFor, type ConverterSettings, type WriteOperation } from './record-converter.js';
import type { SinkRecord } from './sink-record.js';

export interface SinkTaskSettings {
  connector: string;
  taskId: number;
  groupId: string;
  topics: { names?: string[]; regex?: string };
  consumerProperties: Record<string, string>;
  conversion: Omit<ConverterSettings, 'keySchemaOf'>;
  batchSize: number;
  retry: RetryPolicy;
  tolerance: 'none' | 'all';
  tableCreation: SinkConfig['tableCreation'];
}

export interface SinkTaskStatus {
  task: number;
  state: 'STARTING' | 'RUNNING' | 'FAILED' | 'STOPPED';
  error?: string;
  /** While subscribed topics do not exist yet: which ones (or the regex none matches), in words. */
  waitingFor?: string;
  recordsWritten: number;
  recordsDeadLettered: number;
  /** Each owned partition's lag behind its end, measured when the status is taken (absent when not running). */
  lag?: PartitionLag[];
}

/**
 * Records one round takes from the consumer at most: the consumer's per-round work and each partition's last,
 * part-empty writes are spread over more records, and one round still holds only a few MB.
 */
const MAX_ROUND_RECORDS = 4000;

/**
 * One consumer of the connector's group. Each round's records of a partition are converted, reduced to one change
 * per key (the last wins), written with BatchWriteItem, and only then committed, so a crash replays (idempotently)
 * instead of losing. Records that cannot be converted or written go to the dead-letter topic (errors.tolerance
 * =all) or stop the task with an error naming topic, partition and offset (none).
 */
export class SinkTask {
  readonly status: SinkTaskStatus;
  private consumer?: RecordSource;
  private rounds?: Promise<void>;
  private readonly tables = new Map<string, KeySchema & { types: Record<string, KeyAttributeType> } | null>();

  constructor(
    private readonly settings: SinkTaskSettings,
    private readonly clients: {
      /** A member of the connector's consumer group. */
      openRecords: (options: RecordSourceOptions) => RecordSource;
      tables: SinkTables;
      deadLetters?: DeadLetterSink;
      /** BatchWriteItem calls in flight, shared by the connector's tasks. */
      writeSlots: Sema;
    },
    private readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void },
  ) {
    this.status = { task: settings.taskId, state: 'STARTING', recordsWritten: 0, recordsDeadLettered: 0 };
  }

  async start(): Promise<void> {
    const consumer = this.clients.openRecords({
      groupId: this.settings.groupId,
      properties: this.settings.consumerProperties,
      topics: this.settings.topics,
      warn: (message) => this.log.warn(message),
      onMissingTopics: (missing) => this.onMissingTopics(missing),
    });
    this.consumer = consumer;
    await consumer.connect();
    this.status.state = 'RUNNING';
    this.rounds = this.consumeRounds(consumer);
    this.rounds.catch((error: unknown) => this.fail(error));
  }

  /** Each owned partition's lag now; none when not running (a consumer out of the group measures nothing). */
  lag(): PartitionLag[] {
    return this.status.state === 'RUNNING' ? (this.consumer?.lag?.() ?? []) : [];
  }

  async stop(): Promise<void> {
    if (this.status.state === 'RUNNING' || this.status.state === 'STARTING') this.status.state = 'STOPPED';
    await this.shutdown();
  }

  /**
   * Rounds of: take what the consumer has fetched, write it (each partition's records in offset order, the
   * partitions side by side), commit, and only then hand revoked partitions over to the group.
   */
  private async consumeRounds(consumer: RecordSource): Promise<void> {
    while (this.status.state === 'RUNNING') {
      const records: SinkRecord[] = await consumer.poll(MAX_ROUND_RECORDS);
      if (records.length > 0) {
        const partitions = byPartition(records);
        await Promise.all(partitions.map((batch) => this.process(batch)));
        if (this.hasFailed()) return;
        // Not awaited: the commit overlaps the next round. It names only offsets already written, and the
        // consumer sends commits in order and finishes them before it hands a partition over.
        consumer
          .commit(partitions.map((batch) => ({ topic: batch[0]!.topic, partition: batch[0]!.partition, offset: Number(batch.at(-1)!.offset) + 1 })))
          .catch((error: unknown) => this.fail(error));
      }
      await consumer.settle();
    }
  }

  /** Says in the status and the log which topics the task waits for, and when it waits no more. */
  private onMissingTopics(missing: MissingTopics | undefined): void {
    if (missing) {
      this.status.waitingFor = describeMissingTopics(missing);
      this.log.info(`waiting for ${this.status.waitingFor}`);
    } else if (this.status.waitingFor) {
      this.log.info('the topics waited for exist now');
      delete this.status.waitingFor;
    }
  }

  /** A method, not an inline test: TypeScript would keep the loop condition's narrowing of the state. */
  private hasFailed(): boolean {
    return this.status.state === 'FAILED';
  }

  /** Lets the current round finish, then leaves the group (committing nothing a failed round read). */
  private async shutdown(): Promise<void> {
    this.consumer?.interrupt();
    await this.rounds?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async fail(error: unknown): Promise<void> {
    if (this.status.state !== 'RUNNING') return;
    this.status.state = 'FAILED';
    this.status.error = error instanceof Error ? error.message : String(error);
    this.log.error(`task ${this.settings.taskId} stopped: ${this.status.error}`);
    await this.shutdown();
  }

  /** Converts, writes and dead-letters one partition's batch; throws to stop the task. */
  private async process(records: SinkRecord[]): Promise<void> {
    const operations: Array<{ op: WriteOperation; record: SinkRecord }> = [];
    const failed: FailedRecord[] = [];
    // Fetched here, asynchronously, so that converting each record stays synchronous.
    await loadRegistrySchemas(records, this.settings.conversion);
    await this.learnTableOf(records[0]!.topic);
    const conversion = { ...this.settings.conversion, keySchemaOf: (table: string) => this.tables.get(table) ?? undefined };
    for (const record of records) {
      try {
        const op = convertRecord(record, conversion);
        if (op.kind !== 'skip') operations.push({ op, record });
      } catch (error) {
        if (!(error instanceof ConversionError)) throw error;
        failed.push(this.rejected(record, error));
      }
    }
    await this.ensureTables(operations.map((entry) => entry.op));
    // Which record a refused request came from: the planner puts each operation's own item (or key) object into
    // its request, so the object finds it. Only needed when DynamoDB refuses a request, so built only then.
    let recordByItem: Map<object | undefined, SinkRecord> | undefined;
    const recordOf = (request: WriteRequest) => {
      recordByItem ??= new Map(operations.map(({ op, record }) => [op.kind === 'put' ? op.item : op.kind === 'delete' ? op.key : undefined, record]));
      return recordByItem.get(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
    };
    const planned = planBatches(
      operations.map(({ op }) => op),
      this.settings.batchSize,
    );
    // Chunks of one batch touch disjoint keys (one change per key), so all of them may be written at once; the
    // connector's write slots bound the calls in flight, and a partition finishing its batch leaves its slots
    // to the other partitions' chunks instead of idling.
    const { writeSlots } = this.clients;
    await Promise.all(
      planned.map(async (chunk) => {
        await writeSlots.acquire();
        try {
          failed.push(...(await this.writeChunk(chunk, recordOf)));
        } finally {
          writeSlots.release();
        }
      }),
    );
    if (failed.length > 0) {
      // In offset order, as they were read: conversion refusals are found before DynamoDB's.
      failed.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
      await this.clients.deadLetters!.report(failed);
      this.status.recordsDeadLettered += failed.length;
    }
  }

  /**
   * Writes one chunk. When DynamoDB refuses the whole batch for a bad item, the requests are written one by one
   * to find it; the records it refuses are returned for the dead-letter topic (or stop the task).
   */
  private async writeChunk(chunk: PlannedBatch, recordOf: (request: WriteRequest) => SinkRecord | undefined): Promise<FailedRecord[]> {
    const requests = chunk.requests as WriteRequest[];
    try {
      await this.clients.tables.writeBatch(chunk.table, requests, this.settings.retry);
      this.status.recordsWritten += requests.length;
      return [];
    } catch (error) {
      if (!(error instanceof AwsError) || error.kind !== 'invalid') throw error;
    }
    const refused: FailedRecord[] = [];
    for (const request of requests) {
      try {
        await this.clients.tables.writeBatch(chunk.table, [request], this.settings.retry);
        this.status.recordsWritten++;
      } catch (single) {
        if (!(single instanceof AwsError) || single.kind !== 'invalid') throw single;
        const record = recordOf(request);
        if (!record) throw single;
        refused.push(this.rejected(record, single));
      }
    }
    return refused;
  }

  /** A record that cannot be written: kept for the dead-letter topic, or the reason the task stops. */
  private rejected(record: SinkRecord, error: Error): FailedRecord {
    const where = `topic ${record.topic} partition ${record.partition} offset ${record.offset}`;
    if (this.settings.tolerance === 'none') {
      // A ConversionError's message already names the record: its bare reason, so the position is said once.
      const reason = error instanceof ConversionError ? error.reason : error.message;
      throw new Error(`${where}: ${reason} (errors.tolerance=none; set errors.tolerance=all and a dead-letter topic to skip such records)`);
    }
    return { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, value: record.value, error };
  }

  /**
   * Describes the topic's table, when it exists, before its first records are converted: a key written as text
   * (trustpilot's numbers, our source's base64 bytes) is then read as the type the table stores, even in a
   * tombstone, which has no document to tell.
   */
  private async learnTableOf(topic: string): Promise<void> {
    let table: string;
    try {
      table = tableNameFor(this.settings.conversion.tableNameFormat, topic);
    } catch {
      return; // each record's conversion reports the bad name
    }
    if (!this.tables.get(table)) await this.describe(table);
  }

  private async ensureTables(operations: WriteOperation[]): Promise<void> {
    for (const op of operations) {
      if (op.kind === 'skip' || this.tables.get(op.table)) continue;
      const known = await this.describe(op.table);
      if (known) continue;
      if (!this.settings.tableCreation.enabled) {
        throw new Error(`table ${op.table} does not exist and aws.dynamodb.table.create is false`);
      }
      const [hash, range] = Object.entries(op.key);
      const typeOf = (value: object) => Object.keys(value)[0] as KeyAttributeType;
      const spec = {
        name: op.table,
        hashKey: { name: hash![0], type: typeOf(hash![1]) },
        ...(range ? { rangeKey: { name: range[0], type: typeOf(range[1]) } } : {}),
        billing: this.settings.tableCreation.billing,
      };
      await withRetries(() => this.clients.tables.create(spec), undefined, this.tableCallRetries());
      this.log.info(`created table ${op.table}`);
      await this.describe(op.table);
    }
  }

  /** Throttling or a passing 5xx is retried as writes are (max.retry.time.ms): no reason to stop the task. */
  private tableCallRetries(): RetryLimits {
    return { maxAttempts: Number.POSITIVE_INFINITY, maxTimeMs: this.settings.retry.maxRetryTimeMs, baseMs: this.settings.retry.retryBackoffMs };
  }

  private async describe(table: string) {
    if (this.tables.get(table)) return this.tables.get(table);
    try {
      const info = await withRetries(() => this.clients.tables.describe(table), undefined, this.tableCallRetries());
      const schema = { ...info.keySchema, types: info.keyTypes };
      this.tables.set(table, schema);
      return schema;
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'not-found') return null;
      throw error;
    }
  }
}

/** `topic orders (not created yet)`, `topics a, b (not created yet)`, `a topic matching orders-.* (none exists yet)`. */
export function describeMissingTopics(missing: MissingTopics): string {
  if ('regex' in missing) return `a topic matching ${missing.regex} (none exists yet)`;
  return `${missing.names.length === 1 ? 'topic' : 'topics'} ${missing.names.join(', ')} (not created yet)`;
}

/** A round's records, split by partition, each in offset order (as the consumer returns them). */
function byPartition(records: SinkRecord[]): SinkRecord[][] {
  const batches = new Map<string, Map<number, SinkRecord[]>>();
  // The consumer hands out runs of one partition's records: most records join the run before them.
  let run: SinkRecord[] | undefined;
  for (const record of records) {
    const previous = run?.[0];
    if (run && previous!.partition === record.partition && previous!.topic === record.topic) {
      run.push(record);
      continue;
    }
    let partitions = batches.get(record.topic);
    if (!partitions) batches.set(record.topic, (partitions = new Map()));
    run = partitions.get(record.partition);
    if (run) run.push(record);
    else partitions.set(record.partition, (run = [record]));
  }
  return [...batches.values()].flatMap((partitions) => [...partitions.values()]);
}
