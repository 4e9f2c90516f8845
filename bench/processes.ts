/**
 * Connector processes for the benchmarks, started as an operator starts them: one `dynamodb-kafka run`, or
 * `worker` processes of one cluster whose config topic gets the connector (as a REST client would create it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { ConfigTopic } from '../src/adapters/kafka/config-topic.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { waitUntil } from './measure.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A `dynamodb-kafka worker` process, the tail of its log kept: where its REST API listens, whether it joined. */
export class WorkerProcess {
  private log = '';

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk) => (this.log = (this.log + chunk).slice(-50_000)));
  }

  static start(propertiesFile: string): WorkerProcess {
    return new WorkerProcess(spawn(process.execPath, ['bin/dynamodb-kafka.js', 'worker', propertiesFile], { stdio: ['ignore', 'ignore', 'pipe'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): string {
    return this.log;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The REST API's base URL once the worker has joined its group (its id in statuses is the URL's host). */
  async joined(timeoutMs = 60_000): Promise<string> {
    const rest = /REST API at (http:\/\/[^\s]+)\/connectors/;
    await waitUntil(() => this.exited || (rest.test(this.log) && /worker of group /.test(this.log)), timeoutMs, `worker ${this.pid} to join its group`);
    if (this.exited) throw new Error(`worker ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}) before joining its group:\n${this.log.slice(-3000)}`);
    return rest.exec(this.log)![1]!;
  }

  /** Sends `signal` and resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (this.exited) return this.child.exitCode ?? this.child.signalCode!;
    const exit = new Promise<number | string>((resolve) => this.child.once('exit', (code, signalName) => resolve(code ?? signalName ?? 'unknown')));
    this.child.kill(signal);
    return exit;
  }
}

/** A worker.properties file for cluster `name` over the stack's broker, with `extra` keys (session.timeout.ms…). */
export function workerPropertiesFile(stack: StackEndpoints, name: string, offsetsTopic: string, extra: Record<string, string> = {}): string {
  const worker = {
    'bootstrap.servers': stack.kafka.bootstrapServers,
    'group.id': name,
    'config.storage.topic': `${name}-configs`,
    'offset.storage.topic': offsetsTopic,
    'status.storage.topic': `${name}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    listeners: 'http://127.0.0.1:0',
    ...extra,
  };
  const file = join(mkdtempSync(join(tmpdir(), 'bench-worker-')), 'worker.properties');
  writeFileSync(file, Object.entries(worker).map(([key, value]) => `${key}=${value}`).join('\n'));
  return file;
}

/** Writes the connector into cluster `cluster`'s config topic, as a REST client's request would. */
export async function putClusterConnector(stack: StackEndpoints, cluster: string, name: string, config: Record<string, string>): Promise<void> {
  const connection = { bootstrapServers: stack.kafka.bootstrapServers, clientId: `${cluster}-bench` };
  const kafka = createKafka(connection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configs = await ConfigTopic.open({ kafka, connection, admin }, { topic: `${cluster}-configs`, replicationFactor: 1, warn: say });
    await configs.putConnector(name, config);
    await configs.close();
  } finally {
    await admin.disconnect();
  }
}

/** The connector's config out of a file `connectorConfigFile` wrote. */
export function connectorConfig(file: string): Record<string, string> {
  return (JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, string> }).config;
}

/** Spawns the connector's processes: one `run`, or `count` workers of a new cluster whose config topic gets the connector. */
export async function spawnProcesses(stack: StackEndpoints, file: string, name: string, count: number): Promise<ChildProcess[]> {
  if (count === 1) return [spawn(process.execPath, ['bin/dynamodb-kafka.js', 'run', file], { stdio: ['ignore', 'ignore', 'pipe'] })];
  const config = connectorConfig(file);
  const properties = workerPropertiesFile(stack, name, config['offset.storage.topic']!);
  const children = Array.from({ length: count }, () => spawn(process.execPath, ['bin/dynamodb-kafka.js', 'worker', properties], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await putClusterConnector(stack, name, name, config);
  return children;
}

/** Deletes the topics a run made (100 per request), ignoring those already gone. */
export async function deleteTopics(stack: StackEndpoints, topics: string[]): Promise<void> {
  const admin = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId: 'bench-cleanup' }, logLevel.ERROR).admin();
  await admin.connect();
  try {
    for (let start = 0; start < topics.length; start += 100) await admin.deleteTopics({ topics: topics.slice(start, start + 100) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
