import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { listTopics } from '../adapters/kafka/client.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { StackError } from './errors.js';
import { ensureInstalled, type Progress } from './install.js';
import { restartKafka, startKafka } from './kafka-server.js';
import { ensureMotoInstalled, startMoto } from './moto-server.js';
import { stackPaths, type StackPaths } from './paths.js';
import { isAlive, isOurs, killProcess, stopProcess } from './processes.js';
import { PortTakenError, answersDynamoDbApi } from './readiness.js';
import { answersSchemaRegistry, ensureSchemaRegistryInstalled, startSchemaRegistry } from './schema-registry.js';

/** What clients need to reach the stack: exactly what `stack up --json` prints. */
export interface StackEndpoints {
  kafka: { bootstrapServers: string };
  dynamodb: { endpoint: string; region: string };
  /** moto, an AWS emulator that keeps tags (for TAG discovery); present when started with `--with moto`. */
  moto?: { endpoint: string; region: string };
  /**
   * A Schema Registry answering Confluent's REST API (Apicurio Registry); `url` is its Confluent-compatible base
   * URL. Present when started with `--with schema-registry`.
   */
  schemaRegistry?: { url: string };
}

/** Servers the stack starts only when asked. */
export type OptionalServer = 'moto' | 'schema-registry';
export const OPTIONAL_SERVERS: readonly OptionalServer[] = ['moto', 'schema-registry'];

export interface StackUpOptions {
  /** Optional servers to start as well; added to an already running stack when it lacks them. */
  with?: readonly OptionalServer[];
}

interface ServerState {
  pid: number;
  logFile: string;
}

interface StackState {
  version: 1;
  startedAt: string;
  kafka: ServerState & { bootstrapServers: string };
  dynamodb: ServerState & { endpoint: string; region: string };
  moto?: ServerState & { endpoint: string; region: string };
  schemaRegistry?: ServerState & { url: string };
}

/** Placed on each server's command line so `down` can tell our processes from a recycled pid. */
function markerFor(paths: StackPaths): string {
  return `-Ddynamodb-kafka.stack=${paths.home}`;
}

const START_ATTEMPTS = 3;
/** How long a running stack may take to answer before `up` and `status` treat it as gone. */
const RUNNING_STACK_PATIENCE_MS = 30_000;

/** Starts the stack, or returns the running one (with any requested optional server added). */
export async function stackUp(
  progress: Progress = () => {},
  paths = stackPaths(),
  options: StackUpOptions = {},
): Promise<StackEndpoints> {
  return withLock(paths, async () => {
    const running = (await runningState(paths)) ?? (await startCore(paths, progress));
    await startOptional(paths, running, options.with ?? [], progress);
    return endpointsOf(running);
  });
}

/**
 * Adds optional servers to the running stack, and never starts or replaces its core: for a client that found the
 * stack up (a test suite that needs the registry) and must not take it from the others when it is slow to answer.
 */
export async function stackAdd(servers: readonly OptionalServer[], progress: Progress = () => {}, paths = stackPaths()): Promise<StackEndpoints> {
  return withLock(paths, async () => {
    const running = await runningState(paths);
    if (!running) throw new StackError('No local stack is running (start one with `dynamodb-kafka stack up`).');
    await startOptional(paths, running, servers, progress);
    return endpointsOf(running);
  });
}

/** Starts the optional servers the running stack lacks, recording each in its state. */
async function startOptional(paths: StackPaths, running: StackState, servers: readonly OptionalServer[], progress: Progress): Promise<void> {
  const marker = markerFor(paths);
  if (servers.includes('moto') && !running.moto) {
    await stopSilent(paths, readState(paths)?.moto);
    const python = await ensureMotoInstalled(paths, progress);
    progress('Starting moto…');
    const moto = await startMoto(python, paths.runDir, marker);
    running.moto = { pid: moto.pid, logFile: moto.logFile, endpoint: moto.endpoint, region: moto.region };
    writeFileSync(paths.stateFile, JSON.stringify(running, null, 2));
  }
  if (servers.includes('schema-registry') && !running.schemaRegistry) {
    await stopSilent(paths, readState(paths)?.schemaRegistry);
    const install = await ensureSchemaRegistryInstalled(paths, progress);
    progress('Starting the Schema Registry (Apicurio)…');
    const registry = await retryOnPortTaken(() => startSchemaRegistry(install, paths.runDir, marker));
    running.schemaRegistry = { pid: registry.pid, logFile: registry.logFile, url: registry.url };
    writeFileSync(paths.stateFile, JSON.stringify(running, null, 2));
  }
}

/** An optional server recorded but no longer answering is replaced, not left running beside the new one. */
async function stopSilent(paths: StackPaths, silent: ServerState | undefined): Promise<void> {
  if (silent && isOurs(silent.pid, markerFor(paths))) await stopProcess(silent.pid);
}

/** A server that lost the race for its free port starts again on another (awaitReady has stopped it). */
async function retryOnPortTaken<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

/** Starts Kafka and DynamoDB Local after clearing whatever an earlier stack left behind. */
async function startCore(paths: StackPaths, progress: Progress): Promise<StackState> {
  await stopRecorded(paths);
  const install = await ensureInstalled(paths, progress);
  for (let attempt = 1; ; attempt++) {
    rmSync(paths.runDir, { recursive: true, force: true });
    mkdirSync(paths.runDir, { recursive: true });
    const started: ServerState[] = [];
    try {
      progress('Starting DynamoDB Local and Kafka…');
      const marker = markerFor(paths);
      // One after the other: two JVMs starting at once on two cores slow each other more than they overlap.
      const dynamodb = await startDynamoDbLocal(install, paths.runDir, marker);
      started.push(dynamodb);
      const kafka = await startKafka(install, paths.runDir, marker);
      started.push(kafka);
      const state: StackState = {
        version: 1,
        startedAt: new Date().toISOString(),
        kafka: { pid: kafka.pid, logFile: kafka.logFile, bootstrapServers: kafka.bootstrapServers },
        dynamodb: { pid: dynamodb.pid, logFile: dynamodb.logFile, endpoint: dynamodb.endpoint, region: dynamodb.region },
      };
      writeFileSync(paths.stateFile, JSON.stringify(state, null, 2));
      return state;
    } catch (error) {
      await Promise.all(started.map((server) => stopProcess(server.pid)));
      if (error instanceof PortTakenError && attempt < START_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** The running stack's endpoints, or undefined when none is running (or it no longer answers). */
export async function stackStatus(paths = stackPaths()): Promise<StackEndpoints | undefined> {
  const state = await runningState(paths);
  return state && endpointsOf(state);
}

/** Servers `stack restart` restarts in place. */
export type RestartableServer = 'kafka';
export const RESTARTABLE_SERVERS: readonly RestartableServer[] = ['kafka'];

export interface StackRestartOptions {
  /** SIGKILL instead of a clean shutdown: the broker then recovers its log when it starts again. */
  kill?: boolean;
}

export interface StackRestart {
  endpoints: StackEndpoints;
  /** The pid stopped (absent when the server was not running: it is then only started). */
  stoppedPid?: number;
  pid: number;
  /** From the stop to the server answering again. */
  downMs: number;
}

/** A clean broker shutdown (its logs flushed, its leadership handed over) takes a few seconds; past this it is killed. */
const KAFKA_SHUTDOWN_GRACE_MS = 60_000;

/**
 * Restarts the running stack's Kafka broker in place: the same ports and the same log directory, so topics,
 * committed offsets and transactions survive and clients reconnect to the address they already have. A broker
 * that died (or was frozen) is started again as well; the rest of the stack is left alone.
 */
export async function stackRestart(
  server: RestartableServer,
  progress: Progress = () => {},
  paths = stackPaths(),
  options: StackRestartOptions = {},
): Promise<StackRestart> {
  return withLock(paths, async () => {
    const state = readState(paths);
    const marker = markerFor(paths);
    if (!state || !isOurs(state.dynamodb.pid, marker)) {
      throw new StackError('No local stack is running (start one with `dynamodb-kafka stack up`).');
    }
    const install = await ensureInstalled(paths, progress);
    const stoppedPid = isOurs(state.kafka.pid, marker) ? state.kafka.pid : undefined;
    const stoppedAt = Date.now();
    if (stoppedPid !== undefined) {
      progress(`Stopping ${server} (pid ${stoppedPid}${options.kill ? ', SIGKILL' : ''})…`);
      if (options.kill) await killProcess(stoppedPid);
      else await stopProcess(stoppedPid, KAFKA_SHUTDOWN_GRACE_MS);
    }
    progress(`Starting ${server} again on ${state.kafka.bootstrapServers}, with its data…`);
    const kafka = await restartKafka(install, paths.runDir, marker);
    state.kafka = { pid: kafka.pid, logFile: kafka.logFile, bootstrapServers: kafka.bootstrapServers };
    writeFileSync(paths.stateFile, JSON.stringify(state, null, 2));
    return { endpoints: endpointsOf(state), ...(stoppedPid !== undefined ? { stoppedPid } : {}), pid: kafka.pid, downMs: Date.now() - stoppedAt };
  });
}

/** Stops exactly the processes `up` started; returns how many were running. */
export async function stackDown(paths = stackPaths()): Promise<number> {
  return withLock(paths, () => stopRecorded(paths));
}

async function stopRecorded(paths: StackPaths): Promise<number> {
  const state = readState(paths);
  if (!state) return 0;
  const marker = markerFor(paths);
  const ours = [state.kafka.pid, state.dynamodb.pid, state.moto?.pid, state.schemaRegistry?.pid]
    .filter((pid): pid is number => pid !== undefined)
    .filter((pid) => isOurs(pid, marker));
  // Kafka first: a broker shutting down with its clients' servers still up finishes cleanly and quickly.
  for (const pid of ours) await stopProcess(pid);
  rmSync(paths.stateFile, { force: true });
  return ours.length;
}

async function runningState(paths: StackPaths): Promise<StackState | undefined> {
  const state = readState(paths);
  if (!state) return undefined;
  const marker = markerFor(paths);
  if (!isOurs(state.kafka.pid, marker) || !isOurs(state.dynamodb.pid, marker)) return undefined;
  // Our processes are alive: a slow answer means a busy machine, not a dead stack, and `up` would otherwise
  // replace a working stack (and its data) with an empty one. Only a stack that stays silent is given up.
  const deadline = Date.now() + RUNNING_STACK_PATIENCE_MS;
  for (;;) {
    try {
      await Promise.all([
        listTopics({ bootstrapServers: state.kafka.bootstrapServers }, 5_000),
        answersDynamoDbApi(state.dynamodb.endpoint, state.dynamodb.region),
      ]);
      break;
    } catch {
      if (Date.now() > deadline || !isOurs(state.kafka.pid, marker) || !isOurs(state.dynamodb.pid, marker)) return undefined;
      await delay(500);
    }
  }
  // moto and the registry are optional: when one no longer answers, the rest of the stack is still good, just
  // without it.
  const { moto } = state;
  if (moto) {
    const answers = isOurs(moto.pid, marker) && (await answersDynamoDbApi(moto.endpoint, moto.region).then(() => true, () => false));
    if (!answers) delete state.moto;
  }
  const { schemaRegistry } = state;
  if (schemaRegistry) {
    const answers = isOurs(schemaRegistry.pid, marker) && (await answersSchemaRegistry(schemaRegistry.url).then(() => true, () => false));
    if (!answers) delete state.schemaRegistry;
  }
  return state;
}

function readState(paths: StackPaths): StackState | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  try {
    const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as StackState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

function endpointsOf(state: StackState): StackEndpoints {
  return {
    kafka: { bootstrapServers: state.kafka.bootstrapServers },
    dynamodb: { endpoint: state.dynamodb.endpoint, region: state.dynamodb.region },
    ...(state.moto ? { moto: { endpoint: state.moto.endpoint, region: state.moto.region } } : {}),
    ...(state.schemaRegistry ? { schemaRegistry: { url: state.schemaRegistry.url } } : {}),
  };
}

/** Serialises stack commands across processes (a test run and a person may both call `up`). */
async function withLock<T>(paths: StackPaths, action: () => Promise<T>): Promise<T> {
  mkdirSync(paths.home, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(paths.lockFile, 'wx'));
      writeFileSync(paths.lockFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(paths.lockFile, 'utf8') || 0);
      if (holder && !isAlive(holder)) {
        rmSync(paths.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackError(`Another stack command (pid ${holder}) has held ${paths.lockFile} for 10 minutes.`);
      }
      await delay(200);
    }
  }
  try {
    return await action();
  } finally {
    rmSync(paths.lockFile, { force: true });
  }
}
