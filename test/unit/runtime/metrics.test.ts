import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/runtime/metrics.js';
import type { SinkConnectorStatus } from '../../../src/runtime/sink-connector.js';
import type { ConnectorStatus } from '../../../src/runtime/source-connector.js';

const NOW = 1_700_000_100_000;

function sourceStatus(): ConnectorStatus {
  return {
    name: 'orders-source',
    type: 'source',
    discovery: { method: 'include list', tables: ['orders', 'customers'] },
    tasks: [{ id: 0, state: 'RUNNING', tables: [] }],
    tables: [
      {
        table: 'orders',
        topic: 'orders',
        state: 'SNAPSHOT',
        snapshot: { snapshotCount: 1, totalSegments: 4, segmentsCompleted: 1, itemsRead: 250, estimatedItems: 1000, startedAt: NOW - 10_000 },
      },
      {
        table: 'customers',
        topic: 'customers',
        state: 'STREAMING',
        stream: { shardsRead: 2, shardsActive: 1, recordsWritten: 42, recordsSkipped: 3, lastRecordAt: NOW - 1_500, changesByOp: { c: 30, u: 8, d: 2 } },
      },
    ],
  };
}

const sinkStatus: SinkConnectorStatus = {
  name: 'orders-sink',
  type: 'sink',
  tasks: [
    { task: 0, state: 'FAILED', recordsWritten: 7, recordsDeadLettered: 2 },
    { task: 1, state: 'RUNNING', recordsWritten: 9, recordsDeadLettered: 0, lag: [{ topic: 'orders', partition: 3, records: 120 }] },
  ],
};

function expectLines(text: string, lines: string[]): void {
  for (const line of lines) expect(text).toContain(line);
}

async function scrape(metrics: Metrics): Promise<string> {
  return (await metrics.exposition()).text;
}

describe('metrics', () => {
  it("reads each table's snapshot and stream progress from the connectors' status at scrape time", async () => {
    const metrics = new Metrics(() => NOW);
    let status = sourceStatus();
    metrics.watch(() => [status, sinkStatus]);
    const text = await scrape(metrics);
    expectLines(text, [
      'dynamodb_kafka_snapshot_items_read{connector="orders-source",table="orders"} 250',
      'dynamodb_kafka_snapshot_segments_done{connector="orders-source",table="orders"} 1',
      'dynamodb_kafka_snapshot_segments{connector="orders-source",table="orders"} 4',
    ]);
    // 250 of 1,000 items in 10 s: 750 more at that pace take 30 s.
    expectLines(text, [
      'dynamodb_kafka_snapshot_seconds_left{connector="orders-source",table="orders"} 30',
      'dynamodb_kafka_stream_records_written_total{connector="orders-source",table="customers"} 42',
      'dynamodb_kafka_stream_changes_total{connector="orders-source",table="customers",op="d"} 2',
      'dynamodb_kafka_ms_behind_source{connector="orders-source",table="customers"} 1500',
      'dynamodb_kafka_table_state{connector="orders-source",table="orders",state="SNAPSHOT"} 1',
      'dynamodb_kafka_task_state{connector="orders-sink",task="0",state="FAILED"} 1',
      'dynamodb_kafka_sink_dead_letters_total{connector="orders-sink",task="0"} 2',
      'dynamodb_kafka_sink_consumer_lag{connector="orders-sink",topic="orders",partition="3"} 120',
    ]);

    // The next scrape shows the state then, not the one before: a table that moved on leaves its old state.
    status = { ...status, tables: [{ ...status.tables[0]!, state: 'STREAMING', snapshot: { ...status.tables[0]!.snapshot!, itemsRead: 1000 } }] };
    const later = await scrape(metrics);
    expect(later).toContain('dynamodb_kafka_snapshot_items_read{connector="orders-source",table="orders"} 1000');
    expect(later).not.toContain('state="SNAPSHOT"');
    expect(later).not.toContain('table="customers"');
  });

  it('counts AWS calls by operation and outcome, their retries and consumed capacity, and transactions by outcome', async () => {
    const metrics = new Metrics(() => NOW);
    const aws = metrics.awsObserver('orders-source');
    aws.started('Scan')({ operation: 'Scan', outcome: 'ok', attempts: 3, seconds: 0.02, consumedCapacity: 12.5 });
    aws.started('Scan')({ operation: 'Scan', outcome: 'throttled', attempts: 10, seconds: 2, consumedCapacity: 0 });
    const transactions = metrics.transactionObserver('orders-source');
    transactions.began()('committed', 0.03, 100);
    transactions.began()('aborted', 0.5, 100);
    const text = await scrape(metrics);
    expectLines(text, [
      'dynamodb_kafka_aws_calls_total{connector="orders-source",operation="Scan",outcome="ok"} 1',
      'dynamodb_kafka_aws_calls_total{connector="orders-source",operation="Scan",outcome="throttled"} 1',
      'dynamodb_kafka_aws_retries_total{connector="orders-source",operation="Scan"} 11',
      'dynamodb_kafka_consumed_capacity_units_total{connector="orders-source",operation="Scan"} 12.5',
      'dynamodb_kafka_transactions_total{connector="orders-source",outcome="committed"} 1',
      'dynamodb_kafka_transactions_total{connector="orders-source",outcome="aborted"} 1',
      'dynamodb_kafka_transaction_seconds_count{connector="orders-source"} 1',
    ]);
  });

  it("includes the process's own metrics under the same prefix", async () => {
    const text = await scrape(new Metrics());
    expect(text).toMatch(/^dynamodb_kafka_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^dynamodb_kafka_process_resident_memory_bytes \d/m);
  });
});
