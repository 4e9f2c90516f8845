import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AwsCall, AwsCallObserver } from '../adapters/dynamodb/client.js';
import type { TransactionObserver } from '../adapters/kafka/client.js';
import type { PipelineStatus } from '../source/status.js';
import type { SinkConnectorStatus } from './sink-connector.js';
import type { ConnectorStatus } from './source-connector.js';

/** Every metric's name starts with this, as Prometheus's naming guide asks of an exporter. */
export const METRIC_PREFIX = 'dynamodb_kafka_';

type Statuses = () => Array<ConnectorStatus | SinkConnectorStatus>;

/**
 * The process's Prometheus metrics (`GET /metrics`). Labels are `connector`, `table`, `task`, `operation` and
 * states — never shard ids, whose number grows without bound. Most values are read from the connectors' live
 * status when scraped, so the hot path pays nothing for them; AWS calls and transactions are counted as they
 * end, once per call or transaction (not per record).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly awsCalls: Counter<'connector' | 'operation' | 'outcome'>;
  private readonly awsRetries: Counter<'connector' | 'operation'>;
  private readonly awsSeconds: Histogram<'connector' | 'operation'>;
  private readonly capacity: Counter<'connector' | 'operation'>;
  private readonly transactions: Counter<'connector' | 'outcome'>;
  private readonly transactionSeconds: Histogram<'connector'>;
  private readonly sources: Array<Statuses> = [];

  constructor(now: () => number = Date.now) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.awsCalls = new Counter({
      name: `${METRIC_PREFIX}aws_calls_total`,
      help: 'AWS calls by operation and outcome (ok, throttled, error), after the SDK retries',
      labelNames: ['connector', 'operation', 'outcome'],
      registers,
    });
    this.awsRetries = new Counter({
      name: `${METRIC_PREFIX}aws_retries_total`,
      help: 'Attempts the AWS SDK repeated (throttling, 5xx, network), by operation',
      labelNames: ['connector', 'operation'],
      registers,
    });
    this.awsSeconds = new Histogram({
      name: `${METRIC_PREFIX}aws_call_seconds`,
      help: 'Duration of AWS calls, retries included (BatchWriteItem: the sink batch latency)',
      labelNames: ['connector', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.capacity = new Counter({
      name: `${METRIC_PREFIX}consumed_capacity_units_total`,
      help: 'Capacity units DynamoDB reports consumed (read units for Scan, write units for BatchWriteItem)',
      labelNames: ['connector', 'operation'],
      registers,
    });
    this.transactions = new Counter({
      name: `${METRIC_PREFIX}transactions_total`,
      help: 'Kafka transactions of the source connectors, by outcome (committed, aborted)',
      labelNames: ['connector', 'outcome'],
      registers,
    });
    this.transactionSeconds = new Histogram({
      name: `${METRIC_PREFIX}transaction_seconds`,
      help: 'Duration of committed Kafka transactions, from begin to commit',
      labelNames: ['connector'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.statusGauges(now);
  }

  /** Adds connectors whose status is read at each scrape (a worker's, for instance). */
  watch(statuses: Statuses): void {
    this.sources.push(statuses);
  }

  /** The AWS call observer of one connector's clients. */
  awsObserver(connector: string): AwsCallObserver {
    const ended = ({ operation, outcome, attempts, seconds, consumedCapacity }: AwsCall) => {
      this.awsCalls.inc({ connector, operation, outcome });
      if (attempts > 1) this.awsRetries.inc({ connector, operation }, attempts - 1);
      this.awsSeconds.observe({ connector, operation }, seconds);
      if (consumedCapacity > 0) this.capacity.inc({ connector, operation }, consumedCapacity);
    };
    return { started: () => ended };
  }

  /** The transaction observer of one connector's writers. */
  transactionObserver(connector: string): TransactionObserver {
    const ended = (outcome: 'committed' | 'aborted', seconds: number) => {
      this.transactions.inc({ connector, outcome });
      if (outcome === 'committed') this.transactionSeconds.observe({ connector }, seconds);
    };
    return { began: () => ended };
  }

  /** The Prometheus text exposition, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private statuses(): Array<ConnectorStatus | SinkConnectorStatus> {
    return this.sources.flatMap((statuses) => statuses());
  }

  /** Gauges and counters whose values are the connectors' status at scrape time. */
  private statusGauges(now: () => number): void {
    const registers = [this.registry];
    const metrics = this;
    const tablesOf = function* () {
      for (const status of metrics.statuses()) if (status.type === 'source') for (const table of status.tables) yield [status.name, table] as const;
    };
    const fromTables = (
      name: string,
      help: string,
      value: (table: PipelineStatus) => number | undefined,
      kind: 'gauge' | 'counter' = 'gauge',
    ) => {
      const Type = kind === 'gauge' ? Gauge : Counter;
      new Type({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['connector', 'table'],
        registers,
        collect(this: Gauge<'connector' | 'table'> | Counter<'connector' | 'table'>) {
          this.reset();
          for (const [connector, table] of tablesOf()) {
            const measured = value(table);
            if (measured !== undefined) (this as Gauge<'connector' | 'table'>).inc({ connector, table: table.table }, measured);
          }
        },
      });
    };
    new Gauge({
      name: `${METRIC_PREFIX}table_state`,
      help: "1 for the table's current state (SNAPSHOT, STREAMING, FAILED, …)",
      labelNames: ['connector', 'table', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [connector, table] of tablesOf()) this.set({ connector, table: table.table, state: table.state }, 1);
      },
    });
    fromTables('snapshot_items_read', 'Items read by the current (or last) snapshot of the table', (table) => table.snapshot?.itemsRead);
    fromTables('snapshot_estimated_items', "DynamoDB's approximate item count, the snapshot's goal", (table) => table.snapshot?.estimatedItems);
    fromTables('snapshot_segments_done', 'Scan segments the current (or last) snapshot finished', (table) => table.snapshot?.segmentsCompleted);
    fromTables('snapshot_segments', 'Scan segments of the current (or last) snapshot', (table) => table.snapshot?.totalSegments);
    fromTables('snapshots_total', 'Snapshots the table has taken (a gap in the stream takes another)', (table) => table.snapshot?.snapshotCount, 'counter');
    fromTables('snapshot_seconds_left', 'Estimated seconds to the end of the running snapshot, at its pace so far', (table) =>
      secondsLeft(table, now()),
    );
    fromTables('stream_records_written_total', 'Stream changes durably written to Kafka', (table) => table.stream?.recordsWritten, 'counter');
    fromTables('stream_records_skipped_total', 'Stream changes passed over (already in the snapshot, or older than it)', (table) => table.stream?.recordsSkipped, 'counter');
    new Counter({
      name: `${METRIC_PREFIX}stream_changes_total`,
      help: 'Stream changes durably written, by operation (c insert, u update, d delete); the snapshot writes r: snapshot_items_read',
      labelNames: ['connector', 'table', 'op'],
      registers,
      collect() {
        this.reset();
        for (const [connector, table] of tablesOf()) {
          for (const [op, count] of Object.entries(table.stream?.changesByOp ?? {})) this.inc({ connector, table: table.table, op }, count);
        }
      },
    });
    fromTables('stream_shards_active', 'Shards being read now', (table) => table.stream?.shardsActive);
    fromTables('stream_shards_read_total', 'Shards read to their end', (table) => table.stream?.shardsRead, 'counter');
    fromTables(
      'ms_behind_source',
      'Now minus the DynamoDB creation time of the last change written (MilliSecondsBehindSource); grows while the stream is idle',
      (table) => (table.stream?.lastRecordAt === undefined ? undefined : Math.max(0, now() - table.stream.lastRecordAt)),
    );
    fromTables('oversized_records_total', 'Changes over max.message.bytes (their before image dropped, or dead-lettered)', (table) =>
      table.oversized ? table.oversized.beforeDropped + table.oversized.deadLettered : undefined, 'counter');

    new Gauge({
      name: `${METRIC_PREFIX}task_state`,
      help: "1 for each task's current state (RUNNING, FAILED, …)",
      labelNames: ['connector', 'task', 'state'],
      registers,
      collect() {
        this.reset();
        for (const status of metrics.statuses()) {
          for (const task of status.tasks) {
            const id = 'id' in task ? task.id : task.task;
            this.set({ connector: status.name, task: String(id), state: task.state }, 1);
          }
        }
      },
    });
    const sinkTasksOf = function* () {
      for (const status of metrics.statuses()) if (status.type === 'sink') for (const task of status.tasks) yield [status.name, task] as const;
    };
    const fromSinkTasks = (name: string, help: string, value: (task: SinkConnectorStatus['tasks'][number]) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['connector', 'task'],
        registers,
        collect() {
          this.reset();
          for (const [connector, task] of sinkTasksOf()) this.inc({ connector, task: String(task.task) }, value(task));
        },
      });
    fromSinkTasks('sink_records_written_total', 'Records the sink wrote to DynamoDB', (task) => task.recordsWritten);
    fromSinkTasks('sink_dead_letters_total', 'Records the sink sent to the dead-letter topic', (task) => task.recordsDeadLettered);
    new Gauge({
      name: `${METRIC_PREFIX}sink_consumer_lag`,
      help: "Records behind each partition's high watermark that the sink has not yet written and committed (the partitions this process owns)",
      labelNames: ['connector', 'topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const [connector, task] of sinkTasksOf()) {
          for (const { topic, partition, records } of task.lag ?? []) this.set({ connector, topic, partition: String(partition) }, records);
        }
      },
    });
  }
}

/** Seconds a running snapshot still needs at the pace it has kept; undefined when not snapshotting or unknown. */
function secondsLeft(table: PipelineStatus, now: number): number | undefined {
  const snapshot = table.snapshot;
  if (!snapshot || table.state !== 'SNAPSHOT' || snapshot.itemsRead === 0) return undefined;
  const elapsed = (now - snapshot.startedAt) / 1000;
  const left = Math.max(0, snapshot.estimatedItems - snapshot.itemsRead);
  return (left * elapsed) / snapshot.itemsRead;
}
