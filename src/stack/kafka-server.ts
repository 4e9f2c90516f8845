import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listTopics } from '../adapters/kafka/client.js';
import { StackError } from './errors.js';
import type { StackInstall } from './install.js';
import { LOOPBACK, freePort } from './ports.js';
import { spawnDetached } from './processes.js';
import { awaitReady } from './readiness.js';

const run = promisify(execFile);

export interface KafkaServer {
  pid: number;
  bootstrapServers: string;
  controllerPort: number;
  logFile: string;
}

const HEAP = ['-Xms256m', '-Xmx1g'];

/** Formats a fresh single-node KRaft log and starts a broker+controller on free loopback ports. */
export async function startKafka(install: StackInstall, runDir: string, marker: string): Promise<KafkaServer> {
  const dir = join(runDir, 'kafka');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const brokerPort = await freePort();
  const controllerPort = await freePort();
  const configFile = join(dir, 'server.properties');
  writeFileSync(configFile, serverProperties(brokerPort, controllerPort, dataDir));
  const log4jFile = join(dir, 'log4j2.properties');
  writeFileSync(log4jFile, LOG4J2_PROPERTIES);
  const jvm = [...HEAP, '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', install.kafkaClasspath];

  await formatStorage(install.java, jvm, configFile);

  const logFile = join(runDir, 'kafka.log');
  const pid = spawnDetached(install.java, [marker, ...jvm, 'kafka.Kafka', configFile], logFile);
  const bootstrapServers = `${LOOPBACK}:${brokerPort}`;
  await awaitReady({
    name: 'Kafka',
    pid,
    logFile,
    timeoutMs: 90_000,
    probe: () => listTopics({ bootstrapServers }, 2_000),
  });
  return { pid, bootstrapServers, controllerPort, logFile };
}

/**
 * A new Kafka cluster id: 16 random bytes in unpadded URL-safe base64. One in 64 of those starts with "-", which
 * Kafka's command-line tools read as an option (`format` then fails: "--cluster-id expected one argument"), so
 * such draws are skipped, as Kafka's own Uuid.randomUuid() does.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function formatStorage(java: string, jvm: string[], configFile: string): Promise<void> {
  const clusterId = newClusterId();
  try {
    await run(java, [...jvm, 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--config', configFile]);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    throw new StackError('Could not format the Kafka log directory', `${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

function serverProperties(brokerPort: number, controllerPort: number, dataDir: string): string {
  return `# Written by dynamodb-kafka's local stack: one KRaft node, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${LOOPBACK}:${controllerPort}
listeners=PLAINTEXT://${LOOPBACK}:${brokerPort},CONTROLLER://${LOOPBACK}:${controllerPort}
advertised.listeners=PLAINTEXT://${LOOPBACK}:${brokerPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
# Topics are created on purpose (by the connectors, with their settings), never by a stray produce.
auto.create.topics.enable=false
# A single node can only hold one replica of the internal topics, transactions included.
offsets.topic.replication.factor=1
# Few partitions for the internal topics: a one-node broker loads them all before the first group or transaction.
offsets.topic.num.partitions=8
transaction.state.log.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
# A new group waits 1 s for more members (Kafka's default is 3 s): consumers started together, like a sink's
# tasks, then form it in one generation instead of one rebalance per late joiner.
group.initial.rebalance.delay.ms=1000
`;
}

const LOG4J2_PROPERTIES = `status = error
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;
