/**
 * Issue 18's memory target, measured on the real CLI process (`dynamodb-kafka run`, exactly-once) as an operator
 * starts it: a snapshot of BENCH_MEMORY_ITEMS (1,000,000) items of about 215 B, then BENCH_MEMORY_CHANGES
 * (100,000) stream changes written in one burst to a table the process is already streaming. For each, the
 * process's RSS (VmRSS) is sampled every second into a curve, with its V8 heap and external memory beside it (the
 * process reports them itself, see MEMORY_PROBE), and its VmHWM is read at the end: the peak against 256 MiB.
 */
import { randomUUID } from 'node:crypto';
import { createDynamoDbClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { TopicFollower } from '../test/support/topic-follower.js';
import { SEGMENTS } from './connector.js';
import { procStatus } from './measure.js';
import { RunProcess } from './run-process.js';
import { deleteTopics } from './processes.js';
import { benchDatabase, benchItem, connectorConfigFile, createBenchTable, dropBenchTable, loadBenchItems } from './tables.js';

const SNAPSHOT_ITEMS = Number(process.env.BENCH_MEMORY_ITEMS ?? 1_000_000);
const BURST_CHANGES = Number(process.env.BENCH_MEMORY_CHANGES ?? 100_000);
/** BatchWriteItem calls in flight while loading: DynamoDB Local on this machine gains nothing beyond. */
const LOAD_CONCURRENCY = 16;
export const TARGET_PEAK_RSS_MIB = 256;
/** A 180-character payload makes an item about 215 B by DynamoDB's measure: the target asks for at least 200. */
const itemOf = (index: number) => benchItem(index, 180);
const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Loaded before the CLI with --import: once a second the process writes its own process.memoryUsage() to stderr,
 * so the curve can tell V8's heap from memory outside it (Buffers, librdkafka's queues, the allocator's keep).
 */
const MEMORY_PROBE =
  'data:text/javascript,setInterval(() => process.stderr.write(`memory-usage ${JSON.stringify(process.memoryUsage())}\\n`), 1000).unref();';
const MIB = 1024 * 1024;

export interface RssSample {
  /** Seconds since the process started. */
  s: number;
  /** VmRSS from /proc/<pid>/status. */
  rssMiB: number;
  /** V8's heap in use and reserved, and external memory (Buffers, ArrayBuffers), at the process's last report. */
  heapUsedMiB?: number;
  heapTotalMiB?: number;
  externalMiB?: number;
}

export interface MemoryRun {
  /** Snapshot items read, or stream changes written. */
  records: number;
  /** The process's CPU (user + system, all threads, its start-up included) per record. */
  cpuMicrosPerRecord: number;
  /** Peak of the curve and the kernel's VmHWM at the end (which also sees peaks between samples). */
  peakRssMiB: number;
  vmHwmMiB: number;
  meetsTarget: boolean;
  curve: RssSample[];
}

/** A `dynamodb-kafka run` process with the memory probe, its RSS sampled every second. */
class SampledConnectorProcess {
  readonly curve: RssSample[] = [];
  private usage?: { heapUsed: number; heapTotal: number; external: number };
  private readonly startedAt = performance.now();
  private readonly sampler: NodeJS.Timeout;
  private hwmKiB = 0;
  private readonly process: RunProcess;

  constructor(configFile: string) {
    this.process = new RunProcess(configFile, {
      nodeArgs: ['--import', MEMORY_PROBE],
      onLine: (line) => {
        if (!line.startsWith('memory-usage ')) return false;
        this.usage = JSON.parse(line.slice('memory-usage '.length));
        return true;
      },
    });
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sample();
  }

  private sample(): void {
    const status = procStatus(this.process.child.pid!);
    // Gone, or not yet exec'd into node (no VmRSS line yet).
    if (!status || status.rssKiB === 0) return;
    this.hwmKiB = Math.max(this.hwmKiB, status.hwmKiB);
    this.curve.push({
      s: Math.round((performance.now() - this.startedAt) / 1000),
      rssMiB: Math.round(status.rssKiB / 1024),
      ...(this.usage
        ? { heapUsedMiB: Math.round(this.usage.heapUsed / MIB), heapTotalMiB: Math.round(this.usage.heapTotal / MIB), externalMiB: Math.round(this.usage.external / MIB) }
        : {}),
    });
  }

  logged(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
    return this.process.logged(pattern, timeoutMs, what);
  }

  /** Takes the last sample, stops the process and answers its figures. */
  async stop(records: number): Promise<MemoryRun> {
    this.sample();
    const cpuMicros = this.process.cpuMicros();
    await this.kill();
    const peakRssMiB = Math.max(...this.curve.map((point) => point.rssMiB));
    const vmHwmMiB = Math.round(this.hwmKiB / 1024);
    return { records, cpuMicrosPerRecord: Number((cpuMicros / records).toFixed(1)), peakRssMiB, vmHwmMiB, meetsTarget: Math.max(peakRssMiB, vmHwmMiB) <= TARGET_PEAK_RSS_MIB, curve: this.curve };
  }

  /** Stops sampling and the process, if not done already. */
  async kill(): Promise<void> {
    clearInterval(this.sampler);
    await this.process.stop();
  }
}

/** The curve in a few words: where it starts, peaks and ends. */
export function curveShape(run: MemoryRun): string {
  const peak = run.curve.reduce((top, point) => (point.rssMiB > top.rssMiB ? point : top), run.curve[0]!);
  const first = run.curve.find((point) => point.s >= 1) ?? run.curve[0]!;
  const last = run.curve.at(-1)!;
  return `${first.rssMiB} MiB at ${first.s} s, peak ${peak.rssMiB} at ${peak.s} s, ${last.rssMiB} at ${last.s} s`;
}

async function timedSeconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return Number(((performance.now() - started) / 1000).toFixed(1));
}

/** The CLI process snapshots a table of SNAPSHOT_ITEMS items (SNAPSHOT mode): its curve, load time and items/s. */
async function snapshotRun(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'mem');
  const client = createDynamoDbClient(connection);
  const table = `bench-memory-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, false);
  try {
    say(`memory: loading ${SNAPSHOT_ITEMS.toLocaleString('en')} items of ~215 B (${LOAD_CONCURRENCY} BatchWriteItem calls in flight)…`);
    const loadSeconds = await timedSeconds(() => loadBenchItems(client, table, SNAPSHOT_ITEMS, LOAD_CONCURRENCY, itemOf));
    say(`memory: loaded in ${loadSeconds} s; the CLI process snapshots it…`);
    return { ...(await measureSnapshot(stack, connection, table)), loadSeconds };
  } finally {
    await dropBenchTable(client, table);
    client.destroy();
  }
}

/** One snapshot of `table` by the CLI process, its RSS sampled; its topics are deleted after. */
export async function measureSnapshot(stack: StackEndpoints, connection: DynamoDbConnection, table: string) {
  const { name, file, topic } = connectorFile(stack, connection, table, 'SNAPSHOT');
  const connector = new SampledConnectorProcess(file);
  try {
    const done = await connector.logged(/snapshot 1 complete: (\d+) items in ([\d.]+) s/, 60 * 60_000, 'the snapshot');
    const run = await connector.stop(Number(done[1]));
    const snapshotSeconds = Number(done[2]);
    return { ...run, snapshotSeconds, itemsPerSecond: Math.round(run.records / snapshotSeconds) };
  } finally {
    await connector.kill();
    await deleteTopics(stack, [topic, `${name}-offsets`]);
  }
}

/**
 * The CLI process streams an empty table (CDC from the stream's start); BURST_CHANGES items are then written as
 * fast as DynamoDB Local takes them, and the process catches up: a read_committed consumer counts them in.
 */
async function burstRun(stack: StackEndpoints) {
  const connection = benchDatabase(stack, 'burst');
  const client = createDynamoDbClient(connection);
  const table = `bench-burst-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, true);
  const { name, file, topic } = connectorFile(stack, connection, table, 'CDC');
  const connector = new SampledConnectorProcess(file);
  let follower: TopicFollower | undefined;
  try {
    await connector.logged(/→ STREAMING/, 120_000, 'the stream phase');
    follower = await TopicFollower.follow(stack.kafka.bootstrapServers, topic);
    say(`memory: ${BURST_CHANGES.toLocaleString('en')} changes in one burst into the streamed table…`);
    const started = performance.now();
    const writeSeconds = await timedSeconds(() => loadBenchItems(client, table, BURST_CHANGES, LOAD_CONCURRENCY, itemOf));
    say(`memory: written in ${writeSeconds} s; waiting for the process to catch up…`);
    const reader = follower;
    await reader.waitFor((records) => records.length >= BURST_CHANGES, 60 * 60_000, `${BURST_CHANGES} changes read_committed`);
    const caughtUpSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
    const run = await connector.stop(reader.records.length);
    return { ...run, writeSeconds, caughtUpSeconds, changesPerSecond: Math.round(BURST_CHANGES / caughtUpSeconds) };
  } finally {
    await follower?.close();
    await connector.kill();
    await dropBenchTable(client, table);
    client.destroy();
    await deleteTopics(stack, [topic, `${name}-offsets`]);
  }
}

function connectorFile(stack: StackEndpoints, connection: DynamoDbConnection, table: string, syncMode: 'SNAPSHOT' | 'CDC') {
  const name = `bench-mem-${randomUUID().slice(0, 8)}`;
  const file = connectorConfigFile(stack, connection, name, {
    'dynamodb.table.includelist': table,
    'dynamodb.table.sync.mode': syncMode,
    'dynamodb.snapshot.segments': String(SEGMENTS),
    'exactly.once.support': 'enabled',
    'kafka.topic.suffix': `-${name}`,
  });
  return { name, file, topic: `${table}-${name}` };
}

export async function benchMemory(stack: StackEndpoints) {
  const snapshot = await snapshotRun(stack);
  say(`memory: snapshot peak RSS ${snapshot.peakRssMiB} MiB (VmHWM ${snapshot.vmHwmMiB}); ${curveShape(snapshot)}`);
  const burst = await burstRun(stack);
  say(`memory: burst peak RSS ${burst.peakRssMiB} MiB (VmHWM ${burst.vmHwmMiB}); ${curveShape(burst)}`);
  return { targetPeakRssMiB: TARGET_PEAK_RSS_MIB, snapshot, burst };
}

/** The bench table's rows for the memory phase. */
export function memoryRows({ snapshot, burst }: Awaited<ReturnType<typeof benchMemory>>) {
  const verdict = (run: MemoryRun) => (run.meetsTarget ? 'met' : 'MISSED');
  return {
    'memory: snapshot peak RSS (MiB)': {
      connector: `${snapshot.peakRssMiB} (VmHWM ${snapshot.vmHwmMiB})`,
      raw: '',
      ratio: '',
      note: `dynamodb-kafka run, exactly-once, ${snapshot.records} items of ~215 B (loaded in ${snapshot.loadSeconds} s) at ${snapshot.itemsPerSecond} items/s; RSS ${curveShape(snapshot)}; target ${TARGET_PEAK_RSS_MIB} MiB: ${verdict(snapshot)}`,
    },
    'memory: stream burst peak RSS (MiB)': {
      connector: `${burst.peakRssMiB} (VmHWM ${burst.vmHwmMiB})`,
      raw: '',
      ratio: '',
      note: `${burst.records} changes written in ${burst.writeSeconds} s to a streamed table, all read_committed ${burst.caughtUpSeconds} s after the burst began; RSS ${curveShape(burst)}; target ${TARGET_PEAK_RSS_MIB} MiB: ${verdict(burst)}`,
    },
  };
}
