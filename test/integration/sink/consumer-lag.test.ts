import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/runtime/metrics.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { aroundBatchWrites, produce, startSink } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

const PER_PARTITION = 20;

describe('sink: consumer lag per partition in /metrics', () => {
  const { connection, dynamodb, defer } = suiteResources('sinklag');

  it("shows each partition's unwritten records while DynamoDB writes are held, and 0 once written (transactional topic)", async () => {
    const topic = uniqueName('lag');
    // Written as the source connector writes: one transaction, so each partition ends with a commit marker.
    const records = [0, 1].flatMap((partition) => Array.from({ length: PER_PARTITION }, (_, n) => ({ value: { id: `${partition}-${n}` }, partition })));
    await produce(topic, records, 2, { transactional: true });

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const name = uniqueName('sinklag');
    const sink = await startSink(
      name,
      connection,
      { topics: topic, 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' },
      { instrument: aroundBatchWrites('hold-writes', async (_input, write) => released.then(write)) },
    );
    defer(() => sink.stop());
    // Clean-ups run last-first: held writes are let go before the sink stops (it waits for them).
    defer(async () => release());
    const metrics = new Metrics();
    metrics.watch(() => [sink.connector.status()]);
    const lagByPartition = async () => {
      const lines = (await metrics.exposition()).text.split('\n').filter((line) => line.startsWith(`dynamodb_kafka_sink_consumer_lag{connector="${name}",topic="${topic}"`));
      return Object.fromEntries(lines.map((line) => [/partition="(\d+)"/.exec(line)![1], Number(line.slice(line.lastIndexOf(' ') + 1))]));
    };

    // Read but not written: every record counts, and the marker after them (an offset the sink has not passed yet).
    await expect.poll(lagByPartition, { timeout: 30_000 }).toEqual({ 0: PER_PARTITION + 1, 1: PER_PARTITION + 1 });
    expect(await scanAll(dynamodb, topic).catch(() => [])).toHaveLength(0);

    release();
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 30_000 }).toBe(2 * PER_PARTITION);
    // Written and committed: 0, not the 1 librdkafka's own consumer_lag keeps for the marker.
    await expect.poll(lagByPartition, { timeout: 30_000 }).toEqual({ 0: 0, 1: 0 });
  }, 90_000);
});
