/**
 * Issue 18's latency on a busy process (`busylatency`): one `dynamodb-kafka run` process, exactly-once on, over two
 * tables of one task. Table A holds BENCH_BUSY_ITEMS items (200,000) and is snapshotted; table B is small and
 * already STREAMING (its own snapshot done first). While A's scan runs, B gets 20 writes a second and each is
 * timed from DynamoDB's acknowledgement to a read_committed consumer of B's topic; then the same on B with A idle
 * (A's snapshot done, its stream quiet), in the same process. Repeated BENCH_BUSY_ROUNDS times (4), each with a
 * new connector (so A is snapshotted again): one 200k scan takes only a few seconds.
 *
 * The connector runs in a process of its own, as an operator runs it, and the writer and the consumer in this one:
 * a consumer on the connector's saturated event loop would time its own wait, not the connector's.
 *
 * A write is a busy sample when, at its acknowledgement, the process's REST status (polled every 25 ms) shows A
 * in SNAPSHOT with items read (its scan running) and B in STREAMING for a second or more (B's first second is
 * reported apart, firstSecondOfB); an idle sample when A is STREAMING.
 */
import { randomUUID } from 'node:crypto';
import { UpdateTableCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTopic } from '../src/adapters/kafka/admin.js';
import { createDynamoDbClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../src/config/source.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { latencyFollower, SEGMENTS } from './connector.js';
import { percentile, waitUntil } from './measure.js';
import { RunProcess } from './run-process.js';
import { deleteTopics } from './processes.js';
import { benchDatabase, connectorConfigFile, createBenchTable, dropBenchTable, loadBenchItems, retrying } from './tables.js';

const ITEMS = Number(process.env.BENCH_BUSY_ITEMS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_BUSY_ROUNDS ?? 4);
const B_ITEMS = 1_000;
const WRITES_PER_SECOND = 20;
const STATUS_POLL_MS = 25;
/** B's first second as STREAMING, measured apart (see runRound). */
const SETTLE_MS = 1_000;
const say = (line: string) => process.stderr.write(`${line}\n`);

interface TablePhase {
  table: string;
  phase: string;
  snapshot?: { itemsRead: number };
}

type Latencies = { samples: number; p50Ms: number; p99Ms: number; maxMs: number } | null;

export interface BusyLatencyResult {
  items: number;
  rounds: number;
  writesPerSecond: number;
  /** B's changes acknowledged while A's scan ran. */
  duringSnapshot: Latencies;
  /** B's changes of its first SETTLE_MS as STREAMING, A's scan running: kept out of duringSnapshot. */
  firstSecondOfB: Latencies;
  /** B's changes acknowledged once A's snapshot was done (A streaming, idle). */
  aIdle: Latencies;
  /** A's scan per round, from B streaming to A's snapshot done: items/s. */
  scanItemsPerSecond: number[];
  /** CPU of the connector process per item of A over the same span, per round (B's changes included). */
  cpuMicrosPerItem: number[];
  /** The latencies of each round: one bad round (a stall of the machine) shows as such. */
  byRound: Array<{ duringSnapshot: Latencies; aIdle: Latencies; firstSecondOfB: Latencies }>;
}

export async function benchBusyLatency(stack: StackEndpoints): Promise<BusyLatencyResult> {
  const connection = benchDatabase(stack, 'busy');
  const client = createDynamoDbClient(connection);
  const tableA = `bench-busy-a-${randomUUID().slice(0, 8)}`;
  const tableB = `bench-busy-b-${randomUUID().slice(0, 8)}`;
  // A loaded before its stream is on: its scan, not a 200k-record stream, is what keeps the process busy.
  await createBenchTable(client, tableA, false);
  await createBenchTable(client, tableB, true);
  say(`busy latency: loading ${ITEMS.toLocaleString('en')} items into A, ${B_ITEMS} into B…`);
  await loadBenchItems(client, tableA, ITEMS);
  await loadBenchItems(client, tableB, B_ITEMS);
  await retrying(() => client.send(new UpdateTableCommand({ TableName: tableA, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } })));

  // One topic suffix for every round: B's topic exists, and its consumer is assigned, before the first process starts.
  const suffix = `-busy-${randomUUID().slice(0, 8)}`;
  const topicB = `${tableB}${suffix}`;
  await createTopic(stack, topicB);
  const follower = await latencyFollower(stack, topicB, 'bench-busy-latency');
  await waitUntil(follower.assigned, 60_000, 'the latency consumer to be assigned');

  const rounds: Round[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      say(`busy latency: round ${round} of ${ROUNDS}, A snapshotting while B takes ${WRITES_PER_SECOND} writes/s…`);
      rounds.push(await runRound(stack, connection, client, [tableA, tableB], suffix, follower));
    }
  } finally {
    await follower.disconnect();
    await deleteTopics(stack, [`${tableA}${suffix}`, topicB]);
    await dropBenchTable(client, tableA);
    await dropBenchTable(client, tableB);
    client.destroy();
  }
  return {
    items: ITEMS,
    rounds: ROUNDS,
    writesPerSecond: WRITES_PER_SECOND,
    duringSnapshot: summary(rounds.flatMap((round) => round.busy)),
    aIdle: summary(rounds.flatMap((round) => round.idle)),
    scanItemsPerSecond: rounds.map((round) => round.scanItemsPerSecond),
    cpuMicrosPerItem: rounds.map((round) => round.cpuMicrosPerItem),
    firstSecondOfB: summary(rounds.flatMap((round) => round.settled)),
    byRound: rounds.map((round) => ({ duringSnapshot: summary(round.busy), aIdle: summary(round.idle), firstSecondOfB: summary(round.settled) })),
  };
}

async function createTopic(stack: StackEndpoints, topic: string): Promise<void> {
  const admin = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId: 'bench-busy-latency' }, logLevel.ERROR).admin();
  await admin.connect();
  try {
    await ensureTopic(admin, { topic, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(DEFAULT_MAX_MESSAGE_BYTES) } });
  } finally {
    await admin.disconnect();
  }
}

type Follower = Awaited<ReturnType<typeof latencyFollower>>;

/** Writes to B at WRITES_PER_SECOND until `done()`; a write acknowledged while `sampled()` holds is timed by the follower. */
async function writeToB(client: DynamoDBClient, table: string, follower: Follower, done: () => boolean, sampled: () => boolean): Promise<number> {
  let samples = 0;
  while (!done()) {
    const before = performance.now();
    const id = `busy-${randomUUID()}`;
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    // Latency counts from the moment DynamoDB acknowledged the write.
    if (sampled()) {
      follower.sent(JSON.stringify({ id }));
      samples++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / WRITES_PER_SECOND - (performance.now() - before))));
  }
  return samples;
}

interface Round {
  settled: number[];
  busy: number[];
  idle: number[];
  scanItemsPerSecond: number;
  cpuMicrosPerItem: number;
}

async function runRound(stack: StackEndpoints, connection: DynamoDbConnection, client: DynamoDBClient, tables: [string, string], suffix: string, follower: Follower): Promise<Round> {
  const [tableA, tableB] = tables;
  const name = `busy-${randomUUID().slice(0, 8)}`;
  const file = connectorConfigFile(stack, connection, name, {
    'dynamodb.table.includelist': tables.join(','),
    'exactly.once.support': 'enabled',
    'dynamodb.snapshot.segments': String(SEGMENTS),
    'kafka.topic.suffix': suffix,
  });
  const connector = new ConnectorProcess(name, file);
  try {
    await connector.restReady();
    const a = () => connector.table(tableA);
    const b = () => connector.table(tableB);
    const scanning = () => a()?.phase === 'SNAPSHOT' && (a()?.snapshot?.itemsRead ?? 0) > 0;
    await waitUntil(() => b()?.phase === 'STREAMING' || connector.failed(), 120_000, "B's snapshot");
    if (!scanning()) say(`busy latency: A was ${a()?.phase} (${a()?.snapshot?.itemsRead ?? 0} items read) when B was streaming`);
    const cpuBefore = connector.cpuMicros();
    const itemsBefore = a()?.snapshot?.itemsRead ?? 0;
    const scanFrom = performance.now();
    // Busy: until A's snapshot is over; a write counts only if acknowledged while A's scan was seen running. The
    // first SETTLE_MS after B turns STREAMING are kept apart: the write then in flight, and A's pages queued
    // before it, were sized while no table streamed (B's changes of that second waited ~0.5-0.9 s, in a row).
    const snapshotOver = () => a()?.phase === 'STREAMING' || connector.failed();
    const sampled = () => scanning() && b()?.phase === 'STREAMING';
    const mark = follower.latenciesMs.length;
    const settling = await writeToB(client, tableB, follower, () => snapshotOver() || performance.now() - scanFrom >= SETTLE_MS, sampled);
    await writeToB(client, tableB, follower, snapshotOver, sampled);
    const scanSeconds = (performance.now() - scanFrom) / 1000;
    const cpuMicros = connector.cpuMicros() - cpuBefore;
    if (connector.failed()) throw new Error(`connector process failed:\n${connector.logTail()}`);
    await waitUntil(follower.caughtUp, 60_000, 'every change of B made during the snapshot');
    // One partition, written in order: the samples are read in the order they were made.
    const settled = follower.latenciesMs.slice(mark, mark + settling);
    const busy = follower.latenciesMs.slice(mark + settling);
    // Idle: as many writes (at least 100) with A streaming and quiet, in the same process.
    const idleMark = follower.latenciesMs.length;
    let idleWrites = 0;
    await writeToB(client, tableB, follower, () => idleWrites >= Math.max(100, busy.length), () => (idleWrites++, true));
    await waitUntil(follower.caughtUp, 60_000, 'every change of B made with A idle');
    return {
      settled,
      busy,
      idle: follower.latenciesMs.slice(idleMark),
      scanItemsPerSecond: Math.round((ITEMS - itemsBefore) / scanSeconds),
      cpuMicrosPerItem: Number((cpuMicros / (ITEMS - itemsBefore)).toFixed(1)),
    };
  } finally {
    await connector.stop();
  }
}

/** A `dynamodb-kafka run` process serving its REST status, which is polled every STATUS_POLL_MS. */
class ConnectorProcess {
  private readonly process: RunProcess;
  private url?: string;
  private tables: TablePhase[] = [];
  private poller?: NodeJS.Timeout;

  constructor(private readonly name: string, file: string) {
    this.process = new RunProcess(file, { cliArgs: ['--rest-port', '0'] });
  }

  async restReady(): Promise<void> {
    this.url = (await this.process.logged(/REST status API at (http:\/\/\S+)\/connectors/, 60_000, 'the connector process to serve its REST API'))[1]!;
    this.poller = setInterval(() => void this.poll(), STATUS_POLL_MS);
  }

  table(name: string): TablePhase | undefined {
    return this.tables.find((table) => table.table === name);
  }

  failed(): boolean {
    return this.process.exited || this.tables.some((table) => table.phase === 'FAILED');
  }

  cpuMicros(): number {
    return this.process.cpuMicros();
  }

  logTail(): string {
    return this.process.logTail();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    await this.process.stop();
  }

  private async poll(): Promise<void> {
    try {
      const status = (await (await fetch(`${this.url}/connectors/${this.name}/status`)).json()) as { tasks?: Array<{ tables?: TablePhase[] }> };
      this.tables = (status.tasks ?? []).flatMap((task) => task.tables ?? []);
    } catch {
      // The process is starting or stopping: the last status stands.
    }
  }
}

function summary(latencies: number[]): Latencies {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((x, y) => x - y);
  return { samples: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted.at(-1)!) };
}
