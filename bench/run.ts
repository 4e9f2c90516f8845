/**
 * `npm run bench`: the source connector against the raw DynamoDB operation it is built on, measured in the same
 * run on the local stack. Prints a table and writes bench-results/source-<time>.json. For the snapshot, the
 * stream and the sink it also prints this process's CPU µs per record against two baselines run alongside
 * (bench/baselines.ts): the SDK call alone and the floor, the same request signed and only JSON.parse'd.
 *
 * Sizes (environment): BENCH_SNAPSHOT_ITEMS (200000), BENCH_CDC_ITEMS (10000), BENCH_LATENCY_SAMPLES (600),
 * BENCH_SINK_RECORDS (100000), BENCH_REPLICATION_SAMPLES (200). BENCH_ONLY=snapshot,sink (comma list of
 * snapshot, memory, latency, cdc, keepup, busylatency, lambda, sink, replication, scale, cluster) runs only those phases, for quicker tuning.
 * BENCH_CPU_PROFILE=<file> writes a V8 CPU profile of the (first, JSON) connector snapshot: `npx tsx
 * bench/profile.ts <file>` prints its top-10 functions by self time. The scale probe (bench/scale.ts, many tables
 * in one `run` process, or in BENCH_SCALE_WORKERS worker processes) and the cluster phase (bench/cluster.ts:
 * snapshot on 1 vs 2 worker processes, the hand-over gap after kill -9) run only when asked for: BENCH_ONLY=scale,
 * BENCH_ONLY=cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { describeTable } from '../src/adapters/dynamodb/tables.js';
import { createDynamoDbClient, createStreamsClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { silenceSdkNodeVersionWarning } from '../src/cli/node-warnings.js';
import { Metrics } from '../src/runtime/metrics.js';
import { confluentAvroFormat } from '../src/formats/avro/confluent-avro.js';
import type { RecordFormat } from '../src/formats/ports.js';
import { schemaRegistryClient } from '../src/adapters/schema-registry/registry-client.js';
import { stackDown, stackStatus, stackUp, type StackEndpoints } from '../src/stack/stack.js';
import { cpuMicrosSince, cpuRatio, percentile, waitUntil, type MeasuredRun } from './measure.js';
import { parallelScan, streamRead, type Baseline } from './baselines.js';
import { profiled } from './profile.js';
import { benchScale } from './scale.js';
import { benchCluster } from './cluster.js';
import { benchLambda } from './lambda.js';
import { benchReplicationLag, benchSinkThroughput, REGISTRY_FORMATS, RESULT_KEYS, SERIALIZERS } from './sink.js';
import { benchDatabase, createBenchTable, dropBenchTable, loadBenchItems } from './tables.js';
import { JSON_FORMAT, SEGMENTS, latencyFollower, startConnector } from './connector.js';
import { benchKeepingUp } from './keeping-up.js';
import { benchMemory, memoryRows } from './memory.js';
import { benchBusyLatency } from './busy-latency.js';

silenceSdkNodeVersionWarning();
const SNAPSHOT_ITEMS = Number(process.env.BENCH_SNAPSHOT_ITEMS ?? 200_000);
const CDC_ITEMS = Number(process.env.BENCH_CDC_ITEMS ?? 10_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 600);
const say = (line: string) => process.stderr.write(`${line}\n`);

async function benchSnapshot(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'snap');
  const client = createDynamoDbClient(connection);
  const table = `bench-snapshot-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, false);
  say(`snapshot: loading ${SNAPSHOT_ITEMS.toLocaleString('en')} items…`);
  await loadBenchItems(client, table, SNAPSHOT_ITEMS);

  // DynamoDB Local's speed drifts within a run, so the baselines run before and after the connector; an
  // untimed Scan first lets its JIT warm up, which would otherwise slow the first raw run only.
  await timedScan('sdk', client, table, 'warming up DynamoDB Local');
  const rawBefore = await timedScan('sdk', client, table);
  const floorBefore = await timedScan('floor', client, table);
  say('snapshot: connector (exactly-once, every page committed with its offsets)…');
  // BENCH_CPU_PROFILE=<file>: this run alone is profiled (bench/profile.ts summarises it); its CPU figures then include the profiler's.
  const json = await profiled(process.env.BENCH_CPU_PROFILE, () => timedSnapshot(stack, connection, table, JSON_FORMAT));
  // The metrics' cost. One run with metrics against the run before it measured the warming instead (DynamoDB
  // Local and the JIT speed up run after run: in two runs the later one was 43–48% faster); runs with and without alternate
  // (with, without, without, with), so a steady drift weighs on both sides alike.
  const costRuns: Array<{ metrics: boolean; run: TimedSnapshot }> = [];
  for (const metrics of [true, false, false, true]) {
    say(`snapshot: connector again, ${metrics ? 'with its metrics observed and scraped every second' : 'without metrics'}…`);
    costRuns.push({ metrics, run: await timedSnapshot(stack, connection, table, JSON_FORMAT, metrics ? new Metrics() : undefined) });
  }
  const costMean = (metrics: boolean, value: (run: TimedSnapshot) => number) => {
    const runs = costRuns.filter((each) => each.metrics === metrics).map((each) => value(each.run));
    return runs.reduce((sum, each) => sum + each, 0) / runs.length;
  };
  const registryUrl = stack.schemaRegistry?.url;
  let avro: TimedSnapshot | undefined;
  if (registryUrl) {
    say('snapshot: connector in AVRO through the Schema Registry…');
    const registry = await schemaRegistryClient({ url: registryUrl });
    const subjects = { strategy: 'TopicNameStrategy' } as const;
    avro = await timedSnapshot(stack, connection, table, confluentAvroFormat({ registry, document: 'dynamodb-json', tombstones: true, avroKeys: true, keySubjects: subjects, valueSubjects: subjects }));
  }
  const floorAfter = await timedScan('floor', client, table);
  const rawAfter = await timedScan('sdk', client, table);
  const rawItems = rawAfter.records;
  const rawItemsPerSecond = (rawBefore.recordsPerSecond + rawAfter.recordsPerSecond) / 2;
  const connectorItemsPerSecond = json.itemsPerSecond;
  const cpu = cpuPerRecord(json.cpuMicrosPerItem, [rawBefore, rawAfter], [floorBefore, floorAfter]);

  client.destroy();
  return {
    items: json.items,
    cpuMicrosPerItem: json.cpuMicrosPerItem,
    // The metrics' cost: the same snapshot with AWS calls and transactions observed and /metrics scraped each second.
    withMetrics: {
      itemsPerSecond: Math.round(costMean(true, (run) => run.itemsPerSecond)),
      plainItemsPerSecond: Math.round(costMean(false, (run) => run.itemsPerSecond)),
      ratioToPlain: Number((costMean(true, (run) => run.itemsPerSecond) / costMean(false, (run) => run.itemsPerSecond)).toFixed(3)),
      cpuMicrosPerItem: Number(costMean(true, (run) => run.cpuMicrosPerItem).toFixed(1)),
      plainCpuMicrosPerItem: Number(costMean(false, (run) => run.cpuMicrosPerItem).toFixed(1)),
      runs: costRuns.map(({ metrics, run }) => ({ metrics, itemsPerSecond: Math.round(run.itemsPerSecond), cpuMicrosPerItem: run.cpuMicrosPerItem })),
    },
    ...(avro ? { avro: { itemsPerSecond: Math.round(avro.itemsPerSecond), cpuMicrosPerItem: avro.cpuMicrosPerItem, cpuRatioToJson: Number((avro.cpuMicrosPerItem / json.cpuMicrosPerItem).toFixed(2)) } } : {}),
    rawItems,
    rawItemsPerSecond: Math.round(rawItemsPerSecond),
    rawRunsItemsPerSecond: [rawBefore.recordsPerSecond, rawAfter.recordsPerSecond],
    floorItemsPerSecond: Math.round((floorBefore.recordsPerSecond + floorAfter.recordsPerSecond) / 2),
    cpu,
    connectorItemsPerSecond: Math.round(connectorItemsPerSecond),
    ratio: Number((connectorItemsPerSecond / rawItemsPerSecond).toFixed(3)),
    startupMs: json.startupMs,
    table: { connection, table, items: SNAPSHOT_ITEMS },
  };
}

interface TimedSnapshot {
  items: number;
  itemsPerSecond: number;
  /** CPU (user + system, all threads) of this process, which runs the connector, per item read. */
  cpuMicrosPerItem: number;
  startupMs: number;
}

/** One snapshot of the table by a connector in this process, timed from its first state change to its end. */
async function timedSnapshot(stack: StackEndpoints, connection: DynamoDbConnection, table: string, format: RecordFormat, metrics?: Metrics): Promise<TimedSnapshot> {
  const connector = startConnector(stack, connection, table, 'SNAPSHOT', format, metrics);
  const launched = performance.now();
  await connector.start();
  await waitUntil(() => connector.status()?.state !== 'STARTING', 60_000, 'the connector to start');
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // Scraped every second, as Prometheus would: the exposition's own cost counts too.
  const scraping = metrics ? setInterval(() => void metrics.exposition(), 1_000) : undefined;
  await waitUntil(() => connector.status()?.state === 'SNAPSHOT_DONE' || connector.status()?.state === 'FAILED', 30 * 60_000, 'the snapshot');
  clearInterval(scraping);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const status = connector.status()!;
  await connector.stop();
  if (status.state === 'FAILED') throw new Error(`snapshot failed: ${status.error}`);
  const items = status.snapshot!.itemsRead;
  return {
    items,
    itemsPerSecond: items / seconds,
    cpuMicrosPerItem: Number(((cpu.user + cpu.system) / items).toFixed(1)),
    startupMs: Math.round(started - launched),
  };
}

/** A parallel Scan of the whole table by a baseline with the bench's segments and page size, discarding the items. */
async function timedScan(baseline: Baseline, client: ReturnType<typeof createDynamoDbClient>, table: string, purpose = 'timed') {
  say(`snapshot: ${baseline === 'sdk' ? 'SDK' : 'floor (signed HTTP, JSON.parse)'} parallel Scan, ${purpose}…`);
  return parallelScan(baseline, client, table, SEGMENTS);
}

/** CPU µs per record of the connector and of each baseline (the mean of its runs), and the connector's ratios to them. */
function cpuPerRecord(connector: number, sdkRuns: MeasuredRun[], floorRuns: MeasuredRun[]) {
  const mean = (runs: MeasuredRun[]) => Number((runs.reduce((sum, run) => sum + run.cpuMicrosPerRecord, 0) / runs.length).toFixed(1));
  const sdk = mean(sdkRuns);
  const floor = mean(floorRuns);
  return { connectorMicros: connector, sdkMicros: sdk, floorMicros: floor, toSdk: cpuRatio(connector, sdk), toFloor: cpuRatio(connector, floor) };
}

async function dropSnapshotTable({ connection, table }: { connection: DynamoDbConnection; table: string }) {
  const client = createDynamoDbClient(connection);
  await dropBenchTable(client, table);
  client.destroy();
}

async function benchCdcLatency(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'lat');
  const client = createDynamoDbClient(connection);
  const table = `bench-latency-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, true);
  const connector = startConnector(stack, connection, table, 'CDC');
  await connector.start();
  await waitUntil(() => connector.status()?.state === 'STREAMING', 60_000, 'the stream phase');

  const follower = await latencyFollower(stack, connector.topic, 'bench-latency');
  // The consumer has joined its group once it fetched from the (still empty) topic; wait for the assignment.
  await waitUntil(follower.assigned, 60_000, 'the latency consumer to be assigned');

  say(`cdc latency: ${LATENCY_SAMPLES} writes, 20 per second…`);
  for (let index = 0; index < LATENCY_SAMPLES; index++) {
    const id = `lat-${index}`;
    const before = performance.now();
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: String(index) } } }));
    // Latency counts from the moment DynamoDB acknowledged the write.
    follower.sent(JSON.stringify({ id }));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - (performance.now() - before))));
  }
  await waitUntil(() => follower.latenciesMs.length >= LATENCY_SAMPLES, 60_000, 'every latency sample');
  await follower.disconnect();
  await connector.stop();
  await dropBenchTable(client, table);
  client.destroy();
  const sorted = [...follower.latenciesMs].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted.at(-1)!) };
}

async function benchCdcThroughput(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'cdc');
  const client = createDynamoDbClient(connection);
  const streams = createStreamsClient(connection);
  const table = `bench-cdc-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, true);
  say(`cdc throughput: writing ${CDC_ITEMS.toLocaleString('en')} changes into the stream…`);
  await loadBenchItems(client, table, CDC_ITEMS, 4);

  const description = await streams.send(new DescribeStreamCommand({ StreamArn: (await describeTable(client, table)).stream!.arn }));
  const streamArn = description.StreamDescription!.StreamArn!;
  const shardIds = description.StreamDescription!.Shards!.map((shard) => shard.ShardId!);
  say('cdc throughput: SDK GetRecords…');
  const raw = await streamRead('sdk', streams, streamArn, shardIds, CDC_ITEMS);
  say('cdc throughput: floor GetRecords (signed HTTP, JSON.parse)…');
  const floor = await streamRead('floor', streams, streamArn, shardIds, CDC_ITEMS);

  say('cdc throughput: connector (exactly-once)…');
  const connector = startConnector(stack, connection, table, 'CDC');
  const launched = performance.now();
  await connector.start();
  await waitUntil(() => connector.status()?.state !== 'STARTING', 60_000, 'the connector to start');
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  await waitUntil(() => (connector.status()?.stream?.recordsWritten ?? 0) >= CDC_ITEMS || connector.status()?.state === 'FAILED', 10 * 60_000, 'every change');
  const connectorCpuMicros = Number((cpuMicrosSince(cpuAtStart) / CDC_ITEMS).toFixed(1));
  const seconds = (performance.now() - started) / 1000;
  const startupMs = Math.round(started - launched);
  await connector.stop();
  await dropBenchTable(client, table);
  client.destroy();
  streams.destroy();
  return {
    records: CDC_ITEMS,
    rawRecordsPerSecond: raw.recordsPerSecond,
    floorRecordsPerSecond: floor.recordsPerSecond,
    connectorRecordsPerSecond: Math.round(CDC_ITEMS / seconds),
    ratio: Number((CDC_ITEMS / seconds / raw.recordsPerSecond).toFixed(3)),
    cpu: cpuPerRecord(connectorCpuMicros, [raw], [floor]),
    startupMs,
  };
}

/** A table row of CPU per record: the connector's, the baselines' (SDK / floor), and its ratios to them. */
function cpuRow(cpu: ReturnType<typeof cpuPerRecord>, note: string) {
  return { connector: cpu.connectorMicros, raw: `SDK ${cpu.sdkMicros} / floor ${cpu.floorMicros}`, ratio: `${cpu.toSdk} / ${cpu.toFloor}`, note: `connector / SDK call alone and / floor (same run, this process, user + system); ${note}` };
}

async function main(): Promise<void> {
  const running = await stackStatus();
  const only = process.env.BENCH_ONLY?.split(',').map((phase) => phase.trim());
  const wanted = (phase: string) => !only || only.includes(phase);
  // The Schema Registry is added to a running stack that lacks it when a phase uses it (the AVRO snapshot, the
  // sink's registry formats); the others spare its install and start.
  const stack = await stackUp(say, undefined, { with: wanted('snapshot') || wanted('sink') ? ['schema-registry'] : [] });
  try {
    const snapshotRun = wanted('snapshot') ? await benchSnapshot(stack) : undefined;
    const snapshot = snapshotRun ? { ...snapshotRun, table: undefined } : undefined;
    // Each phase starts with DynamoDB Local holding only its own tables: a full heap slows whatever comes next.
    if (snapshotRun) await dropSnapshotTable(snapshotRun.table);
    const memory = wanted('memory') ? await benchMemory(stack) : undefined;
    const latency = wanted('latency') ? await benchCdcLatency(stack) : undefined;
    const cdc = wanted('cdc') ? await benchCdcThroughput(stack) : undefined;
    const keepingUp = wanted('keepup') ? await benchKeepingUp(stack) : undefined;
    const busyLatency = wanted('busylatency') ? await benchBusyLatency(stack) : undefined;
    const lambda = wanted('lambda') ? await benchLambda(stack, process.cwd()) : undefined;
    const sink = wanted('sink') ? await benchSinkThroughput(stack, Number(process.env.BENCH_SINK_RECORDS ?? 100_000)) : undefined;
    const replication = wanted('replication') ? await benchReplicationLag(stack, Number(process.env.BENCH_REPLICATION_SAMPLES ?? 200)) : undefined;
    // Minutes at its default size, and a heap of 1,000 tables in DynamoDB Local: only when asked for by name.
    const scale = only?.includes('scale') ? await benchScale(stack) : undefined;
    // Worker processes killed and replaced over minutes: only when asked for by name too.
    const cluster = only?.includes('cluster') ? await benchCluster(stack) : undefined;
    const result = { at: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, snapshot, memory, cdcLatency: latency, cdcThroughput: cdc, keepingUp, busyLatency, lambda, sink, replication, scale, cluster };
    mkdirSync('bench-results', { recursive: true });
    const file = `bench-results/bench-${result.at.replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const rows: Record<string, { connector: unknown; raw: unknown; ratio: unknown; note: string }> = {};
    if (snapshot) rows['snapshot (items/s)'] = { connector: snapshot.connectorItemsPerSecond, raw: snapshot.rawItemsPerSecond, ratio: snapshot.ratio, note: `${snapshot.items} items, ${SEGMENTS} segments, raw mean of ${snapshot.rawRunsItemsPerSecond.join(' and ')} before and after, start-up ${snapshot.startupMs} ms; connector CPU ${snapshot.cpuMicrosPerItem} µs per item` };
    if (snapshot) rows['snapshot CPU (µs per record)'] = cpuRow(snapshot.cpu, `floor Scan ${snapshot.floorItemsPerSecond} items/s`);
    if (snapshot) rows['snapshot with metrics scraped each second (items/s)'] = {
      connector: snapshot.withMetrics.itemsPerSecond,
      raw: snapshot.withMetrics.plainItemsPerSecond,
      ratio: snapshot.withMetrics.ratioToPlain,
      note: `means of 2 runs each, alternated with the runs without (raw column); CPU ${snapshot.withMetrics.cpuMicrosPerItem} µs per item, ${snapshot.withMetrics.plainCpuMicrosPerItem} without`,
    };
    if (snapshot?.avro) rows['snapshot AVRO (items/s)'] = { connector: snapshot.avro.itemsPerSecond, raw: snapshot.rawItemsPerSecond, ratio: Number((snapshot.avro.itemsPerSecond / snapshot.rawItemsPerSecond).toFixed(3)), note: `same table; connector CPU ${snapshot.avro.cpuMicrosPerItem} µs per item = ${snapshot.avro.cpuRatioToJson} × JSON's` };
    if (memory) Object.assign(rows, memoryRows(memory));
    if (keepingUp) rows['snapshot with the stream read alongside (items/s)'] = { connector: keepingUp.alongsideItemsPerSecond, raw: keepingUp.scanAloneItemsPerSecond, ratio: keepingUp.ratio, note: `the cost of keeping up: ${keepingUp.items} items, ${keepingUp.writesPerSecond} writes/s, against the scan alone (SNAPSHOT), runs alternated, from the start; the scan itself ${keepingUp.scanItemsPerSecond.alongside} / ${keepingUp.scanItemsPerSecond.scanAlone} items/s (${keepingUp.scanRatio}) after ${keepingUp.positionsMs} ms reading the stream's positions; CPU ${keepingUp.cpuMicrosPerItem.alongside} / ${keepingUp.cpuMicrosPerItem.scanAlone} µs per item (bench process: its writer and consumer included)` };
    if (keepingUp?.latencyDuringSnapshot) rows['cdc latency during a running snapshot (ms)'] = { connector: `p50 ${keepingUp.latencyDuringSnapshot.p50Ms}, p99 ${keepingUp.latencyDuringSnapshot.p99Ms}`, raw: '', ratio: '', note: `${keepingUp.latencyDuringSnapshot.samples} changes of the same table made while its scan ran, write acknowledged → read_committed consumer; max ${keepingUp.latencyDuringSnapshot.maxMs} ms` };
    if (busyLatency?.duringSnapshot) rows['cdc latency while another table snapshots (ms)'] = { connector: `p50 ${busyLatency.duringSnapshot.p50Ms} / p99 ${busyLatency.duringSnapshot.p99Ms}`, raw: busyLatency.aIdle ? `p50 ${busyLatency.aIdle.p50Ms} / p99 ${busyLatency.aIdle.p99Ms}` : '', ratio: '', note: `one run process, exactly-once: ${busyLatency.duringSnapshot.samples} changes of B (${busyLatency.writesPerSecond}/s) made while A's ${busyLatency.items}-item scan ran, over ${busyLatency.rounds} rounds, max ${busyLatency.duringSnapshot.maxMs} (B's first second as STREAMING apart: p50 ${busyLatency.firstSecondOfB?.p50Ms} / p99 ${busyLatency.firstSecondOfB?.p99Ms}); raw column: B with A idle, ${busyLatency.aIdle?.samples} samples, max ${busyLatency.aIdle?.maxMs}; A's scan ${busyLatency.scanItemsPerSecond.join(', ')} items/s, ${busyLatency.cpuMicrosPerItem.join(', ')} µs CPU per item` };
    if (cdc) rows['cdc throughput (records/s)'] = { connector: cdc.connectorRecordsPerSecond, raw: cdc.rawRecordsPerSecond, ratio: cdc.ratio, note: `${cdc.records} stream records, start-up ${cdc.startupMs} ms` };
    if (cdc) rows['cdc CPU (µs per record)'] = cpuRow(cdc.cpu, `floor GetRecords ${cdc.floorRecordsPerSecond} records/s`);
    if (lambda) rows['lambda handler (records/s)'] = { connector: lambda.recordsPerSecond, raw: '', ratio: '', note: `${lambda.records} stream records as Lambda delivers them, batches of ${lambda.batchSize}, one warm container: invocation p50 ${lambda.invocationP50Ms} ms, max ${lambda.invocationMaxMs}` };
    if (lambda) rows['lambda cold start (ms)'] = { connector: lambda.coldStart.firstBatchWrittenMs, raw: '', ratio: '', note: `the zip in a new process, from its start: module loaded at ${lambda.coldStart.moduleLoadedMs} ms, first batch written through handler (clients, producer init, offsets) at ${lambda.coldStart.firstBatchWrittenMs}` };
    if (sink) rows['sink (items/s)'] = { connector: sink.connectorItemsPerSecond, raw: sink.rawItemsPerSecond, ratio: sink.ratio, note: `${sink.records} records, raw BatchWriteItem at the same concurrency (32), mean of ${sink.rawRunsItemsPerSecond.join(' and ')} before and after; start-up ${sink.startupMs} ms; bench process CPU ${sink.nodeCpuMicrosPerItem.connector} µs per item (raw ${sink.nodeCpuMicrosPerItem.raw}); JSON runs before and after the registry formats: ${sink.jsonRuns.map((run) => `${run.itemsPerSecond}/s ${run.cpuMicrosPerItem} µs`).join(', ')}` };
    if (sink) rows['sink CPU (µs per record)'] = cpuRow(sink.cpu, `floor BatchWriteItem ${sink.floorItemsPerSecond} items/s`);
    for (const format of REGISTRY_FORMATS) {
      const run = sink?.[RESULT_KEYS[format]];
      if (run) rows[`sink ${format} (items/s)`] = { connector: run.itemsPerSecond, raw: sink!.rawItemsPerSecond, ratio: run.ratio, note: `Confluent's ${SERIALIZERS[format]}'s records through the registry: ${run.ratioToJson} × JSON's items/s; bench process CPU ${run.cpuMicrosPerItem} µs per item = ${run.cpuRatioToJson} × JSON's` };
    }
    if (replication) rows['replication lag (ms)'] = { connector: `p50 ${replication.p50Ms} / p99 ${replication.p99Ms}`, raw: '', ratio: '', note: `write to table A → readable in table B, ${replication.samples} samples` };
    if (latency) rows['cdc latency (ms)'] = { connector: `p50 ${latency.p50Ms} / p99 ${latency.p99Ms}`, raw: '', ratio: '', note: `write → read_committed consumer, ${latency.samples} samples, max ${latency.maxMs}` };
    for (const run of scale?.runs ?? []) {
      rows[`scale: ${scale!.tables} tables, tasks.max ${run.tasksMax}${run.processes > 1 ? `, ${run.processes} workers` : ''}`] = {
        connector: run.snapshotsCommittedSeconds === null ? `${run.tablesComplete}/${scale!.tables} tables` : `${run.snapshotsCommittedSeconds} s`,
        raw: '',
        ratio: '',
        note: `${scale!.itemsPerTable} items each, all snapshots committed from process start; peak RSS ${run.peakRssMiB} MiB (VmHWM ${run.vmHwmMiB}), ${run.peakThreads} threads${run.processes > 1 ? ` (largest process; each: ${run.perProcess.map((each) => `${each.peakRssMiB} MiB/${each.peakThreads}`).join(', ')})` : ''}, ${run.transactionalProducers} transactional producers (broker); targets 60 s, 1 GiB, 200, 8: ${run.meetsTargets ? 'met' : 'MISSED'}`,
      };
    }
    for (const run of cluster?.snapshot.runs ?? []) {
      const { snapshot } = cluster!;
      const cpu = run.cpuMicrosPerItem;
      rows[`cluster snapshot, ${run.workers} worker process${run.workers > 1 ? 'es' : ''} (items/s)`] = {
        connector: run.itemsPerSecond,
        raw: run.workers > 1 ? snapshot.runs[0]!.itemsPerSecond : '',
        ratio: run.workers > 1 ? snapshot.scaleFactor : '',
        note: `${snapshot.tables} tables × ${snapshot.itemsPerTable} items, one task each, in ${run.seconds} s from the connector's creation${run.workers > 1 ? ' (ratio: the scale factor over 1 worker, raw column)' : ''}; first record at ${run.startSeconds} s, ${run.itemsPerSecondAfterStart} items/s from there${run.workers > 1 ? ` (scale factor ${snapshot.scaleFactorAfterStart})` : ''}; CPU µs per item: worker${run.workers > 1 ? 's' : ''} ${cpu.workers.join(' + ')}, DynamoDB Local ${cpu.dynamodbLocal}, Kafka ${cpu.kafka}, bench consumer ${cpu.benchConsumer}: ${run.coresBusy} of ${snapshot.machineCpus} cores busy`,
      };
    }
    if (cluster) {
      const { handOver } = cluster;
      rows['hand-over gap after kill -9 (ms)'] = {
        connector: `p50 ${handOver.p50Ms} / p99 ${handOver.p99Ms}`,
        raw: '',
        ratio: '',
        note: `last record of the dead owner → first of the new (broker append times, read_committed), ${handOver.gaps.length} tables moved over ${handOver.kills} kills of 1 of ${handOver.workers} workers streaming ${handOver.tables} tables at ${handOver.writesPerSecond} writes/s each; session.timeout.ms ${handOver.sessionTimeoutMs}; kill → first record p50 ${handOver.killToFirstP50Ms} / p99 ${handOver.killToFirstP99Ms}, max gap ${handOver.maxMs}`,
      };
    }
    console.table(rows);
    console.log(`written to ${file}`);
  } finally {
    if (!running) await stackDown();
  }
}

await main();
process.exit(0);
