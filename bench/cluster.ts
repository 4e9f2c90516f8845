/**
 * The cluster phase (`BENCH_ONLY=cluster`): what spreading a source connector over `worker` processes buys, and
 * what a dead worker costs.
 *
 * - Snapshot scale: the same tables (BENCH_CLUSTER_TABLES, 4, of BENCH_CLUSTER_ITEMS, 50,000 items of about
 *   210 B each) snapshotted by 1 worker process, then by 2 (one task per table, two tables per worker), exactly-once
 *   on. Items/s from the connector's creation until every record is readable read_committed, the scale factor
 *   2-worker/1-worker, and each process's CPU per item (/proc/<pid>/stat): the workers', DynamoDB Local's, the
 *   broker's and this process's (its consumer). On a small machine the stack shares the cores with the workers,
 *   so the CPU figures say what the scale factor is limited by.
 * - Hand-over gap: BENCH_HANDOVER_WORKERS (3) workers stream BENCH_HANDOVER_TABLES (6) tables, each written
 *   BENCH_HANDOVER_WRITES_PER_SECOND (5) times a second; BENCH_HANDOVER_KILLS (4) times the owner of some tables
 *   is killed with SIGKILL (then replaced, and the tasks settle). For each moved table, gap = from the last record
 *   the dead owner wrote to the first its new owner wrote, as the broker stamped them (the topics are created
 *   with LogAppendTime beforehand; read read_committed). BENCH_HANDOVER_SESSION_MS (10,000: Connect's default)
 *   is the workers' session.timeout.ms, which is what the gap waits for.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDynamoDbClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { partitionOfTask } from '../src/domain/work-partition.js';
import type { ClusterConnectorStatus } from '../src/runtime/cluster-status.js';
import { taskOfTable } from '../src/source/task-assignment.js';
import { stackPaths } from '../src/stack/paths.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { TopicFollower, type ConsumedRecord } from '../test/support/topic-follower.js';
import { VersionedWriter } from '../test/support/versioned-writer.js';
import { inParallel, percentile, procCpuMicros, waitUntil } from './measure.js';
import { connectorConfig, deleteTopics, putClusterConnector, WorkerProcess, workerPropertiesFile } from './processes.js';
import { benchDatabase, connectorConfigFile, createLoadedTables, dropBenchTable } from './tables.js';

const say = (line: string) => process.stderr.write(`cluster: ${line}\n`);

export interface ClusterSnapshotRun {
  workers: number;
  items: number;
  /** From the connector's creation (workers already joined) until every record was readable read_committed. */
  seconds: number;
  itemsPerSecond: number;
  /** From the connector's creation until the first record was readable: the tasks' start (fencing, offsets). */
  startSeconds: number;
  /** Items/s from the first record readable to the last: the snapshot without the start. */
  itemsPerSecondAfterStart: number;
  /** CPU (user + system) per item read, in µs, of each process over the snapshot. */
  cpuMicrosPerItem: { workers: number[]; dynamodbLocal: number; kafka: number; benchConsumer: number };
  /** Cores kept busy on average by those processes together. */
  coresBusy: number;
}

export interface HandOverGap {
  kill: number;
  table: string;
  /** Last record of the dead owner → first of the new one (broker append times). */
  gapMs: number;
  /** The kill → the new owner's first record. */
  killToFirstMs: number;
}

export interface ClusterResult {
  snapshot: {
    tables: number;
    itemsPerTable: number;
    runs: ClusterSnapshotRun[];
    /** 2-worker items/s over 1-worker items/s, from the connector's creation; and without the start. */
    scaleFactor: number;
    scaleFactorAfterStart: number;
    machineCpus: number;
  };
  handOver: {
    workers: number;
    tables: number;
    writesPerSecond: number;
    sessionTimeoutMs: number;
    kills: number;
    gaps: HandOverGap[];
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    killToFirstP50Ms: number;
    killToFirstP99Ms: number;
  };
}

/** `count` table names, each in a task of its own out of `count` tasks: one table per task, every task busy. */
function tablesOnePerTask(prefix: string, count: number): string[] {
  const byTask = new Map<number, string>();
  while (byTask.size < count) {
    const table = `${prefix}-${randomUUID().slice(0, 6)}`;
    if (!byTask.has(taskOfTable(table, count))) byTask.set(taskOfTable(table, count), table);
  }
  return [...byTask.values()];
}

/** A connector name whose `tasks` tasks fall evenly into `partitions` work partitions: each worker then gets as many. */
function connectorNameSpreadEvenly(prefix: string, tasks: number, partitions: number): string {
  for (;;) {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    const perPartition = Array.from({ length: partitions }, () => 0);
    for (let task = 0; task < tasks; task++) perPartition[partitionOfTask(name, task, partitions)]!++;
    if (perPartition.every((count) => count === tasks / partitions)) return name;
  }
}

/** The pids of the stack's broker and DynamoDB Local (its state file, written by `stack up`). */
function stackPids(): { kafka: number; dynamodb: number } {
  const state = JSON.parse(readFileSync(stackPaths().stateFile, 'utf8')) as { kafka: { pid: number }; dynamodb: { pid: number } };
  return { kafka: state.kafka.pid, dynamodb: state.dynamodb.pid };
}

/** How many work partitions the worker said last that it owns. */
function ownedPartitions(worker: WorkerProcess): number | undefined {
  const lines = [...worker.output.matchAll(/this worker owns (\d+) of the \d+ work partitions/g)];
  return lines.length > 0 ? Number(lines.at(-1)![1]) : undefined;
}

/** Starts `count` workers and waits until they have joined and share the work partitions evenly. */
async function startWorkers(propertiesFile: string, count: number, partitions: number): Promise<Array<{ process: WorkerProcess; url: string }>> {
  const processes = Array.from({ length: count }, () => WorkerProcess.start(propertiesFile));
  try {
    const urls = await Promise.all(processes.map((worker) => worker.joined()));
    await waitUntil(() => processes.every((worker) => ownedPartitions(worker) === partitions / count), 60_000, `${count} workers to share ${partitions} work partitions`);
    return processes.map((process, index) => ({ process, url: urls[index]! }));
  } catch (error) {
    say(`workers own ${processes.map((worker) => ownedPartitions(worker) ?? 'no').join(', ')} partitions; the first one's log:\n${processes[0]!.output.slice(-4000)}`);
    await Promise.all(processes.map((worker) => worker.stop('SIGKILL')));
    throw error;
  }
}

/** Counts each topic's records with a value as they arrive, without rescanning what was counted. */
function recordCounter(follower: TopicFollower) {
  const counts = new Map<string, number>();
  let seen = 0;
  return (topic: string) => {
    for (; seen < follower.records.length; seen++) {
      const record = follower.records[seen]!;
      if (record.value !== null) counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
    }
    return counts.get(topic) ?? 0;
  };
}

async function snapshotRun(stack: StackEndpoints, connection: DynamoDbConnection, tables: string[], items: number, workerCount: number): Promise<ClusterSnapshotRun> {
  const partitions = 2;
  const name = connectorNameSpreadEvenly('cbench-snap', tables.length, partitions);
  const suffix = `-${name}`;
  const config = connectorConfig(
    connectorConfigFile(stack, connection, name, {
      'dynamodb.table.includelist': tables.join(','),
      'dynamodb.table.sync.mode': 'SNAPSHOT',
      'tasks.max': String(tables.length),
      'exactly.once.support': 'enabled',
      'kafka.topic.suffix': suffix,
    }),
  );
  const topics = tables.map((table) => `${table}${suffix}`);
  const follower = await TopicFollower.follow(stack.kafka.bootstrapServers, topics);
  const properties = workerPropertiesFile(stack, name, config['offset.storage.topic']!, { 'work.storage.partitions': String(partitions) });
  const workers = await startWorkers(properties, workerCount, partitions);
  try {
    const pids = stackPids();
    const cpuOf = () => ({
      workers: workers.map(({ process }) => procCpuMicros(process.pid) ?? 0),
      dynamodbLocal: procCpuMicros(pids.dynamodb) ?? 0,
      kafka: procCpuMicros(pids.kafka) ?? 0,
      benchConsumer: ((usage) => usage.user + usage.system)(process.cpuUsage()),
    });
    const before = cpuOf();
    const started = performance.now();
    await putClusterConnector(stack, name, name, config);
    const count = recordCounter(follower);
    let firstRecordAt: number | undefined;
    await waitUntil(
      () => {
        if (firstRecordAt === undefined && follower.records.length > 0) firstRecordAt = performance.now();
        return topics.every((topic) => count(topic) >= items);
      },
      30 * 60_000,
      `the ${workerCount}-worker snapshot of ${tables.length} tables`,
    );
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    const after = cpuOf();
    const total = items * tables.length;
    const perItem = (used: number) => Number((used / total).toFixed(1));
    const cpuMicrosPerItem = {
      workers: after.workers.map((used, index) => perItem(used - before.workers[index]!)),
      dynamodbLocal: perItem(after.dynamodbLocal - before.dynamodbLocal),
      kafka: perItem(after.kafka - before.kafka),
      benchConsumer: perItem(after.benchConsumer - before.benchConsumer),
    };
    const allMicros = [...cpuMicrosPerItem.workers, cpuMicrosPerItem.dynamodbLocal, cpuMicrosPerItem.kafka, cpuMicrosPerItem.benchConsumer].reduce((sum, each) => sum + each, 0) * total;
    const run = {
      workers: workerCount,
      items: total,
      seconds: Number(seconds.toFixed(1)),
      itemsPerSecond: Math.round(total / seconds),
      startSeconds: Number(((firstRecordAt! - started) / 1000).toFixed(1)),
      itemsPerSecondAfterStart: Math.round(total / ((ended - firstRecordAt!) / 1000)),
      cpuMicrosPerItem,
      coresBusy: Number((allMicros / seconds / 1e6).toFixed(2)),
    };
    say(`snapshot of ${total} items by ${workerCount} worker(s): ${run.seconds} s, ${run.itemsPerSecond} items/s (${run.itemsPerSecondAfterStart} after the first record at ${run.startSeconds} s); CPU µs per item ${JSON.stringify(cpuMicrosPerItem)}, ${run.coresBusy} cores busy`);
    return run;
  } finally {
    await Promise.all(workers.map(({ process }) => process.stop()));
    await follower.close();
    await deleteTopics(stack, [...topics, `${name}-offsets`, `${name}-configs`, `${name}-status`, `${name}-work`]);
  }
}

async function benchSnapshotScale(stack: StackEndpoints): Promise<ClusterResult['snapshot']> {
  const tableCount = Number(process.env.BENCH_CLUSTER_TABLES ?? 4);
  const items = Number(process.env.BENCH_CLUSTER_ITEMS ?? 50_000);
  const connection = benchDatabase(stack, 'cluster');
  const client = createDynamoDbClient(connection);
  const tables = tablesOnePerTask('cbench', tableCount);
  try {
    await createLoadedTables(client, tables, items, 'cluster');
    const runs = [await snapshotRun(stack, connection, tables, items, 1), await snapshotRun(stack, connection, tables, items, 2)];
    const scaleFactor = Number((runs[1]!.itemsPerSecond / runs[0]!.itemsPerSecond).toFixed(2));
    const scaleFactorAfterStart = Number((runs[1]!.itemsPerSecondAfterStart / runs[0]!.itemsPerSecondAfterStart).toFixed(2));
    return { tables: tableCount, itemsPerTable: items, runs, scaleFactor, scaleFactorAfterStart, machineCpus: (await import('node:os')).cpus().length };
  } finally {
    await inParallel(tables, 4, (table) => dropBenchTable(client, table).catch(() => undefined));
    client.destroy();
  }
}

/** Creates the topics before the connector does, with the broker's append time as record timestamps. */
async function createLogAppendTimeTopics(stack: StackEndpoints, topics: string[]): Promise<void> {
  const admin = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId: 'bench-handover' }, logLevel.ERROR).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** For a table moved by a kill at `killedAt`: its last record appended before the kill and its first after. */
function gapAround(records: ConsumedRecord[], killedAt: number): { last: number; first: number } | undefined {
  let last: number | undefined;
  for (const record of records) {
    if (record.timestamp <= killedAt) last = record.timestamp;
    else return last === undefined ? undefined : { last, first: record.timestamp };
  }
  return undefined;
}

async function benchHandOver(stack: StackEndpoints): Promise<ClusterResult['handOver']> {
  const workerCount = Number(process.env.BENCH_HANDOVER_WORKERS ?? 3);
  const tableCount = Number(process.env.BENCH_HANDOVER_TABLES ?? 6);
  const kills = Number(process.env.BENCH_HANDOVER_KILLS ?? 4);
  const writesPerSecond = Number(process.env.BENCH_HANDOVER_WRITES_PER_SECOND ?? 5);
  const sessionTimeoutMs = Number(process.env.BENCH_HANDOVER_SESSION_MS ?? 10_000);
  const items = 20;
  const connection = benchDatabase(stack, 'handover');
  const client = createDynamoDbClient(connection);
  const tables = tablesOnePerTask('cbench-ho', tableCount);
  const name = connectorNameSpreadEvenly('cbench-handover', tableCount, workerCount);
  const suffix = `-${name}`;
  const topicOf = (table: string) => `${table}${suffix}`;
  const config = connectorConfig(
    connectorConfigFile(stack, connection, name, {
      'dynamodb.table.includelist': tables.join(','),
      'tasks.max': String(tableCount),
      'exactly.once.support': 'enabled',
      'kafka.topic.suffix': suffix,
    }),
  );
  const workers: Array<{ process: WorkerProcess; url: string }> = [];
  const writers: VersionedWriter[] = [];
  let follower: TopicFollower | undefined;
  try {
    await createLoadedTables(client, tables, items, 'cluster');
    await createLogAppendTimeTopics(stack, tables.map(topicOf));
    const following = await TopicFollower.follow(stack.kafka.bootstrapServers, tables.map(topicOf));
    follower = following;
    const byTopic = new Map<string, ConsumedRecord[]>();
    let indexed = 0;
    const recordsOf = (table: string) => {
      for (; indexed < following.records.length; indexed++) {
        const record = following.records[indexed]!;
        if (!byTopic.has(record.topic)) byTopic.set(record.topic, []);
        byTopic.get(record.topic)!.push(record);
      }
      return byTopic.get(topicOf(table)) ?? [];
    };
    const properties = workerPropertiesFile(stack, name, config['offset.storage.topic']!, {
      'work.storage.partitions': String(workerCount),
      'session.timeout.ms': String(sessionTimeoutMs),
    });
    workers.push(...(await startWorkers(properties, workerCount, workerCount)));
    await putClusterConnector(stack, name, name, config);
    await waitUntil(() => tables.every((table) => recordsOf(table).length >= items), 120_000, 'every table’s snapshot');
    say(`hand-over: ${tableCount} tables snapshotted on ${workerCount} workers; writes at ${writesPerSecond}/s per table, session.timeout.ms ${sessionTimeoutMs}`);
    const ids = Array.from({ length: items }, (_, index) => `item-${String(index).padStart(8, '0')}`);
    for (const table of tables) writers.push(new VersionedWriter(client, table, { ids, perSecond: writesPerSecond, total: Number.MAX_SAFE_INTEGER }).start());

    const statusOf = async (url: string) => (await (await fetch(`${url}/connectors/${name}/status`)).json()) as ClusterConnectorStatus;
    const gaps: HandOverGap[] = [];
    for (let kill = 1; kill <= kills; kill++) {
      // Streaming everywhere, every task running on a live worker: the state a kill should find.
      const settledAt = Date.now();
      await waitUntil(() => tables.every((table) => recordsOf(table).some((record) => record.timestamp > settledAt)), 60_000, 'changes streaming from every table');
      const status = await statusOf(workers[0]!.url);
      const ownerOf = (url: string) => status.tasks.filter((task) => task.worker_id === new URL(url).host).map((task) => task.id);
      const victim = workers.reduce((most, worker) => (ownerOf(worker.url).length > ownerOf(most.url).length ? worker : most));
      const moved = tables.filter((table) => ownerOf(victim.url).includes(taskOfTable(table, tableCount)));
      await victim.process.stop('SIGKILL');
      const killedAt = Date.now();
      workers.splice(workers.indexOf(victim), 1);
      await waitUntil(
        () => moved.every((table) => recordsOf(table).some((record) => record.timestamp > killedAt)),
        sessionTimeoutMs + 60_000,
        `the tables of the killed worker (${moved.join(', ')}) to stream again`,
      );
      for (const table of moved) {
        const around = gapAround(recordsOf(table), killedAt);
        if (around) gaps.push({ kill, table, gapMs: around.first - around.last, killToFirstMs: around.first - killedAt });
      }
      say(`hand-over: kill ${kill}/${kills}: ${moved.length} table(s) moved, gaps ${gaps.filter((gap) => gap.kill === kill).map((gap) => `${gap.gapMs} ms`).join(', ')}`);
      // A replacement joins; the kill after it starts from every worker busy again.
      const replacement = WorkerProcess.start(properties);
      workers.push({ process: replacement, url: await replacement.joined() });
      await waitUntil(() => workers.every(({ process }) => ownedPartitions(process) === 1), 60_000, 'the replacement to get its share');
      const live = new Set(workers.map(({ url }) => new URL(url).host));
      for (;;) {
        const now = await statusOf(workers[0]!.url);
        if (now.tasks.every((task) => task.state === 'RUNNING' && live.has(task.worker_id))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const sorted = gaps.map((gap) => gap.gapMs).sort((a, b) => a - b);
    const killToFirst = gaps.map((gap) => gap.killToFirstMs).sort((a, b) => a - b);
    return {
      workers: workerCount,
      tables: tableCount,
      writesPerSecond,
      sessionTimeoutMs,
      kills,
      gaps,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      killToFirstP50Ms: percentile(killToFirst, 50),
      killToFirstP99Ms: percentile(killToFirst, 99),
    };
  } finally {
    await Promise.all(writers.map((writer) => writer.stop()));
    await Promise.all(workers.map(({ process }) => process.stop()));
    await follower?.close();
    await deleteTopics(stack, [...tables.map(topicOf), `${name}-offsets`, `${name}-configs`, `${name}-status`, `${name}-work`]);
    await inParallel(tables, 4, (table) => dropBenchTable(client, table).catch(() => undefined));
    client.destroy();
  }
}

export async function benchCluster(stack: StackEndpoints): Promise<ClusterResult> {
  const snapshot = await benchSnapshotScale(stack);
  const handOver = await benchHandOver(stack);
  return { snapshot, handOver };
}
