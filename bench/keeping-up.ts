/**
 * Issue 15's cost of keeping up: the same table snapshotted with its stream read alongside (SNAPSHOT_CDC) and
 * with the scan alone (SNAPSHOT: what the snapshot-then-stream design did until the scan ended), writes running
 * in both, runs alternated (scan alone, alongside, alongside, scan alone) so DynamoDB Local's drift weighs on both;
 * and the latency of a change made while the snapshot runs, write acknowledged → read_committed consumer.
 */
import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../src/adapters/dynamodb/client.js';
import type { SyncMode } from '../src/source/settings.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { latencyFollower, startConnector } from './connector.js';
import { cpuMicrosSince, percentile, waitUntil } from './measure.js';
import { benchDatabase, createBenchTable, dropBenchTable, loadBenchItems } from './tables.js';

const ITEMS = Number(process.env.BENCH_KEEPUP_ITEMS ?? 100_000);
const WRITES_PER_SECOND = Number(process.env.BENCH_KEEPUP_WRITES ?? 50);
const say = (line: string) => process.stderr.write(`${line}\n`);

interface KeepingUpRun {
  syncMode: SyncMode;
  /** From the connector's start to the snapshot's end: with the stream alongside, its positions are read first. */
  itemsPerSecond: number;
  /** From the scan's first page to its end. */
  scanItemsPerSecond: number;
  /** Reading every shard up to its newest record, nothing written, before the scan (alongside only). */
  positionsMs: number;
  cpuMicrosPerItem: number;
  /** Write acknowledged → record read, for changes made while the scan ran (alongside only). */
  latenciesMs: number[];
}

export async function benchKeepingUp(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'keep');
  const client = createDynamoDbClient(connection);
  const table = `bench-keepup-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, true);
  say(`keeping up: loading ${ITEMS.toLocaleString('en')} items…`);
  await loadBenchItems(client, table, ITEMS);
  const runs: KeepingUpRun[] = [];
  for (const syncMode of ['SNAPSHOT', 'SNAPSHOT_CDC', 'SNAPSHOT_CDC', 'SNAPSHOT'] as const) {
    say(`keeping up: ${syncMode === 'SNAPSHOT' ? 'the scan alone' : 'the scan with its stream read alongside'}, ${WRITES_PER_SECOND} writes/s…`);
    runs.push(await snapshotWithWrites(stack, connection, client, table, syncMode));
  }
  await dropBenchTable(client, table);
  client.destroy();
  const mean = (syncMode: SyncMode, value: (run: KeepingUpRun) => number) => {
    const of = runs.filter((run) => run.syncMode === syncMode).map(value);
    return of.reduce((sum, each) => sum + each, 0) / of.length;
  };
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const alongside = mean('SNAPSHOT_CDC', (run) => run.itemsPerSecond);
  const alone = mean('SNAPSHOT', (run) => run.itemsPerSecond);
  return {
    items: ITEMS,
    writesPerSecond: WRITES_PER_SECOND,
    alongsideItemsPerSecond: Math.round(alongside),
    scanAloneItemsPerSecond: Math.round(alone),
    ratio: Number((alongside / alone).toFixed(3)),
    scanItemsPerSecond: { alongside: Math.round(mean('SNAPSHOT_CDC', (run) => run.scanItemsPerSecond)), scanAlone: Math.round(mean('SNAPSHOT', (run) => run.scanItemsPerSecond)) },
    scanRatio: Number((mean('SNAPSHOT_CDC', (run) => run.scanItemsPerSecond) / mean('SNAPSHOT', (run) => run.scanItemsPerSecond)).toFixed(3)),
    positionsMs: Math.round(mean('SNAPSHOT_CDC', (run) => run.positionsMs)),
    cpuMicrosPerItem: { alongside: Number(mean('SNAPSHOT_CDC', (run) => run.cpuMicrosPerItem).toFixed(1)), scanAlone: Number(mean('SNAPSHOT', (run) => run.cpuMicrosPerItem).toFixed(1)) },
    latencyDuringSnapshot: latencies.length === 0 ? null : { samples: latencies.length, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(latencies.at(-1)!) },
  };
}

async function snapshotWithWrites(
  stack: StackEndpoints,
  connection: ReturnType<typeof benchDatabase>,
  client: ReturnType<typeof createDynamoDbClient>,
  table: string,
  syncMode: SyncMode,
): Promise<KeepingUpRun> {
  const connector = startConnector(stack, connection, table, syncMode);
  await connector.start();
  // The topic exists once the table is past STARTING: the consumer joins before the scan gets far.
  await waitUntil(() => connector.status()?.state !== undefined && connector.status()?.state !== 'STARTING', 60_000, 'the connector to start');
  const follower = await latencyFollower(stack, connector.topic, 'bench-keepup');
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const running = () => connector.status()?.state === 'SNAPSHOT';
  let writes = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const before = performance.now();
      const id = `keep-${syncMode}-${writes++}-${randomUUID().slice(0, 4)}`;
      await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: String(writes) } } }));
      // Only a change acknowledged while the scan runs (stream read alongside, consumer assigned) is a sample.
      const sampled = syncMode === 'SNAPSHOT_CDC' && running() && connector.status()?.snapshot?.scanStartedAt !== undefined && follower.assigned();
      if (sampled) follower.sent(JSON.stringify({ id }));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / WRITES_PER_SECOND - (performance.now() - before))));
    }
  })();
  const done = syncMode === 'SNAPSHOT' ? 'SNAPSHOT_DONE' : 'STREAMING';
  await waitUntil(() => connector.status()?.state === done || connector.status()?.state === 'FAILED', 30 * 60_000, 'the snapshot');
  const cpu = cpuMicrosSince(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const endedAtMs = Date.now();
  const status = connector.status()!;
  writing = false;
  await writer;
  // Every sampled change is read before the consumer goes.
  if (status.state !== 'FAILED') await waitUntil(follower.caughtUp, 60_000, 'every change written during the snapshot');
  await follower.disconnect();
  await connector.stop();
  if (status.state === 'FAILED') throw new Error(`snapshot failed: ${status.error}`);
  const items = status.snapshot!.itemsRead;
  const scanStartedAt = status.snapshot!.scanStartedAt ?? status.snapshot!.startedAt;
  return {
    syncMode,
    itemsPerSecond: items / seconds,
    scanItemsPerSecond: items / ((endedAtMs - scanStartedAt) / 1000),
    positionsMs: scanStartedAt - status.snapshot!.startedAt,
    cpuMicrosPerItem: cpu / items,
    latenciesMs: follower.latenciesMs,
  };
}
