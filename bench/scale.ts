/**
 * The scale probe (`BENCH_ONLY=scale`): one `dynamodb-kafka run` process, as an operator starts it, with a source
 * connector over many small tables, exactly-once on. It measures what issue 20 sets targets for: the seconds from
 * the process's start until every table's snapshot is committed (read back with a read_committed consumer), the
 * process's peak RSS and thread count (sampled every second from /proc), and the transactional producers the
 * broker knows for the connector.
 *
 * Sizes (environment): BENCH_SCALE_TABLES (1000), BENCH_SCALE_ITEMS (20 per table, about 210 B each),
 * BENCH_SCALE_TASKS (tasks.max; a comma list, e.g. "8,1", runs the process once per value over the same tables),
 * BENCH_SCALE_POLL_MS (dynamodb.cdc.poll.interval.ms, the connector's default unless set), BENCH_SCALE_WORKERS (a
 * comma list of process counts, default "1": 1 is a `run` process; N > 1 are N `worker` processes of one cluster,
 * the connector created in its config topic, so the tasks spread over them through the group).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createDynamoDbClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { stackPaths } from '../src/stack/paths.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { TopicFollower } from '../test/support/topic-follower.js';
import { inParallel, procStatus } from './measure.js';
import { deleteTopics, spawnProcesses } from './processes.js';
import { benchDatabase, connectorConfigFile, createLoadedTables, dropBenchTable } from './tables.js';

const say = (line: string) => process.stderr.write(`${line}\n`);
const TARGETS = { seconds: 60, peakRssMiB: 1024, threads: 200, transactionalProducers: 8 };

export interface ScaleSample {
  /** Seconds since the process started. */
  t: number;
  rssMiB: number;
  threads: number;
}

export interface ScaleRun {
  tasksMax: number;
  /** 1: one `run` process; more: that many `worker` processes sharing the connector's tasks. */
  processes: number;
  /** Each process's peak RSS and threads (the run's peakRssMiB and peakThreads are the largest of them). */
  perProcess: Array<{ peakRssMiB: number; peakThreads: number }>;
  /** The process's log. */
  logFile: string;
  /** From spawning the process until every table's snapshot records were readable read_committed. */
  snapshotsCommittedSeconds: number | null;
  /** The records of the last table, read at that moment (for a run that missed its deadline: how far it got). */
  tablesComplete: number;
  peakRssMiB: number;
  vmHwmMiB: number;
  peakThreads: number;
  /** Transactional ids of the connector the broker lists (its transaction coordinator's view). */
  transactionalProducers: number;
  transactionalIds: string[];
  /** From SIGTERM to the process's exit. */
  stopSeconds: number;
  exitCode: number | string;
  /** Once a second from the start, until a few seconds after the snapshots: what streaming alone costs. */
  curve: ScaleSample[];
  meetsTargets: boolean;
}

export interface ScaleResult {
  tables: number;
  itemsPerTable: number;
  setup: { createSeconds: number; loadSeconds: number; enableStreamsSeconds: number };
  runs: ScaleRun[];
  targets: typeof TARGETS;
}

/** The broker's transactional ids starting with `prefix`, through the Admin API of the Kafka jars `stack up` installed. */
async function brokerTransactionalIds(bootstrapServers: string, prefix: string): Promise<string[]> {
  const classpath = `${join(stackPaths().installDir, 'kafka', 'lib')}/*`;
  const { stdout } = await promisify(execFile)('java', ['-cp', classpath, join(import.meta.dirname, 'ListTransactions.java'), bootstrapServers, prefix], { timeout: 60_000 });
  return stdout.split('\n').filter((line) => line.startsWith(prefix)).map((line) => line.split(' ')[0]!).sort();
}

async function runProcess(stack: StackEndpoints, connection: DynamoDbConnection, tables: string[], items: number, tasksMax: number, deadlineSeconds: number, processes = 1): Promise<ScaleRun> {
  const name = `scale-${randomUUID().slice(0, 8)}`;
  const suffix = `-${name}`;
  const file = connectorConfigFile(stack, connection, name, {
    'dynamodb.table.includelist': tables.join(','),
    'tasks.max': String(tasksMax),
    'exactly.once.support': 'enabled',
    'kafka.topic.suffix': suffix,
    ...(process.env.BENCH_SCALE_POLL_MS ? { 'dynamodb.cdc.poll.interval.ms': process.env.BENCH_SCALE_POLL_MS } : {}),
  });
  const topics = tables.map((table) => `${table}${suffix}`);
  // Following the topics before they exist: the consumer's start-up is not counted against the connector.
  const follower = await TopicFollower.follow(stack.kafka.bootstrapServers, topics);
  const startedAt = performance.now();
  const children = await spawnProcesses(stack, file, name, processes);
  // Each process's log, whole, next to the results: where its time went, table by table.
  mkdirSync('bench-results', { recursive: true });
  const logFile = join('bench-results', `${name}-tasks${tasksMax}${processes > 1 ? `-workers${processes}` : ''}.log`);
  const logStream = createWriteStream(logFile);
  let log = '';
  for (const child of children) {
    child.stderr!.on('data', (chunk) => {
      logStream.write(chunk);
      log = (log + chunk).slice(-20_000);
    });
  }
  const exited = Promise.race(children.map((child) => new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))));
  // One curve per process: the targets are per process.
  const curves: ScaleSample[][] = children.map(() => []);
  let hwmKiB = 0;
  const sample = () => {
    children.forEach((child, index) => {
      const status = procStatus(child.pid!);
      if (!status) return;
      hwmKiB = Math.max(hwmKiB, status.hwmKiB);
      curves[index]!.push({ t: Math.round((performance.now() - startedAt) / 1000), rssMiB: Math.round(status.rssKiB / 1024), threads: status.threads });
    });
  };
  const curve = curves[0]!;
  const sampler = setInterval(sample, 1000);
  sample();

  const complete = () => {
    const counts = new Map<string, number>();
    for (const record of follower.records) if (record.value !== null) counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
    return topics.filter((topic) => (counts.get(topic) ?? 0) >= items).length;
  };
  let snapshotsCommittedSeconds: number | null = null;
  let lastReport = 0;
  let processExit: number | string | undefined;
  void exited.then((code) => (processExit = code));
  while (processExit === undefined) {
    const done = complete();
    const seconds = (performance.now() - startedAt) / 1000;
    if (done === tables.length) {
      snapshotsCommittedSeconds = Number(seconds.toFixed(1));
      break;
    }
    if (seconds > deadlineSeconds) break;
    if (seconds - lastReport >= 10) {
      lastReport = seconds;
      const last = curve.at(-1);
      say(`scale: tasks.max ${tasksMax}, ${processes} process(es), ${seconds.toFixed(0)} s: ${done}/${tables.length} tables committed; first process RSS ${last?.rssMiB} MiB, ${last?.threads} threads`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tablesComplete = complete();
  if (processExit !== undefined) say(`scale: the process exited (${processExit}) early:\n${log.slice(-5000)}`);
  // A few seconds of streaming after the snapshots: 1,000 idle shards polled.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const transactionalIds = await brokerTransactionalIds(stack.kafka.bootstrapServers, `${name}-`).catch((error: Error) => {
    say(`scale: listing the broker's transactions failed: ${error.message}`);
    return [];
  });
  clearInterval(sampler);
  sample();
  const stopping = performance.now();
  const exits = children.map((child) => new Promise<number | string>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode!);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  }));
  for (const child of children) child.kill('SIGTERM');
  const killer = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 60_000);
  const exitCodes = await Promise.all(exits);
  const exitCode = exitCodes.find((code) => code !== 0) ?? 0;
  clearTimeout(killer);
  logStream.end();
  const stopSeconds = Number(((performance.now() - stopping) / 1000).toFixed(1));
  await follower.close();
  await deleteTopics(stack, [...topics, `${name}-offsets`, ...(processes > 1 ? [`${name}-configs`, `${name}-status`, `${name}-work`] : [])]);

  const perProcess = curves.map((points) => ({ peakRssMiB: Math.max(...points.map((point) => point.rssMiB)), peakThreads: Math.max(...points.map((point) => point.threads)) }));
  const peakRssMiB = Math.max(...perProcess.map((each) => each.peakRssMiB));
  const peakThreads = Math.max(...perProcess.map((each) => each.peakThreads));
  const vmHwmMiB = Math.round(hwmKiB / 1024);
  const run: ScaleRun = {
    tasksMax,
    processes,
    perProcess,
    logFile,
    snapshotsCommittedSeconds,
    tablesComplete,
    peakRssMiB,
    vmHwmMiB,
    peakThreads,
    transactionalProducers: transactionalIds.length,
    transactionalIds,
    stopSeconds,
    exitCode,
    curve,
    meetsTargets:
      snapshotsCommittedSeconds !== null &&
      snapshotsCommittedSeconds <= TARGETS.seconds &&
      Math.max(vmHwmMiB, peakRssMiB) <= TARGETS.peakRssMiB &&
      peakThreads <= TARGETS.threads &&
      transactionalIds.length <= TARGETS.transactionalProducers,
  };
  say(
    `scale: ${tables.length} tables × ${items} items, tasks.max ${tasksMax}, ${processes} process(es): snapshots committed in ${snapshotsCommittedSeconds ?? `— (${tablesComplete}/${tables.length} after ${deadlineSeconds} s)`} s; ` +
      `peak RSS ${peakRssMiB} MiB (VmHWM ${vmHwmMiB}), ${peakThreads} threads, ${transactionalIds.length} transactional producers; stopped in ${stopSeconds} s (exit ${exitCode})`,
  );
  return run;
}

export async function benchScale(stack: StackEndpoints): Promise<ScaleResult> {
  const tableCount = Number(process.env.BENCH_SCALE_TABLES ?? 1000);
  const items = Number(process.env.BENCH_SCALE_ITEMS ?? 20);
  const tasks = (process.env.BENCH_SCALE_TASKS ?? '8').split(',').map(Number);
  const processCounts = (process.env.BENCH_SCALE_WORKERS ?? '1').split(',').map(Number);
  const deadlineSeconds = Number(process.env.BENCH_SCALE_DEADLINE_SECONDS ?? 300);
  const connection = benchDatabase(stack, 'scale');
  const client = createDynamoDbClient(connection);
  const prefix = `scale-${randomUUID().slice(0, 6)}`;
  const tables = Array.from({ length: tableCount }, (_, index) => `${prefix}-${String(index).padStart(4, '0')}`);
  say(`scale: ${tableCount} tables × ${items} items, tasks.max ${tasks.join(' then ')}…`);
  try {
    const setup = await createLoadedTables(client, tables, items, 'scale');
    const runs: ScaleRun[] = [];
    for (const processes of processCounts) {
      for (const tasksMax of tasks) runs.push(await runProcess(stack, connection, tables, items, tasksMax, deadlineSeconds, processes));
    }
    return { tables: tableCount, itemsPerTable: items, setup, runs, targets: TARGETS };
  } finally {
    await inParallel(tables, 8, (table) => dropBenchTable(client, table).catch(() => undefined));
    client.destroy();
  }
}
