import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Where a broker started under `runDir` keeps its configuration and its log directory. */
function kafkaFiles(runDir: string) {
  const dir = join(runDir, 'kafka');
  return {
    dataDir: join(dir, 'data'),
    configFile: join(dir, 'server.properties'),
    log4jFile: join(dir, 'log4j2.properties'),
    logFile: join(runDir, 'kafka.log'),
  };
}

/** Formats a fresh single-node KRaft log and starts a broker+controller on free loopback ports. */
export async function startKafka(install: StackInstall, runDir: string, marker: string): Promise<KafkaServer> {
  const files = kafkaFiles(runDir);
  mkdirSync(files.dataDir, { recursive: true });
  const brokerPort = await freePort();
  const controllerPort = await freePort();
  writeFileSync(files.configFile, serverProperties(brokerPort, controllerPort, files.dataDir));
  writeFileSync(files.log4jFile, LOG4J2_PROPERTIES);
  await formatStorage(install.java, jvmArguments(install, files.log4jFile), files.configFile);
  return launch(install, runDir, marker, `${LOOPBACK}:${brokerPort}`, controllerPort);
}

/**
 * Starts again a broker that `startKafka` set up under `runDir` and that has since stopped (cleanly or
 * killed): the same configuration, hence the same ports, and the same log directory, so its topics, committed
 * offsets and transactions are kept and its clients reconnect to the address they know. A broker killed
 * mid-write recovers its log before it answers.
 */
export async function restartKafka(install: StackInstall, runDir: string, marker: string): Promise<KafkaServer> {
  const files = kafkaFiles(runDir);
  let config: string;
  try {
    config = readFileSync(files.configFile, 'utf8');
  } catch {
    throw new StackError(`No Kafka broker was set up under ${runDir} (${files.configFile} is missing): start one with \`dynamodb-kafka stack up\``);
  }
  const brokerPort = /^listeners=PLAINTEXT:\/\/[^:]+:(\d+)/m.exec(config)?.[1];
  const controllerPort = /^controller\.quorum\.voters=\d+@[^:]+:(\d+)/m.exec(config)?.[1];
  if (!brokerPort || !controllerPort) throw new StackError(`Cannot read the Kafka broker's ports from ${files.configFile}`);
  return launch(install, runDir, marker, `${LOOPBACK}:${brokerPort}`, Number(controllerPort));
}

async function launch(
  install: StackInstall,
  runDir: string,
  marker: string,
  bootstrapServers: string,
  controllerPort: number,
): Promise<KafkaServer> {
  const files = kafkaFiles(runDir);
  const pid = spawnDetached(install.java, [marker, ...jvmArguments(install, files.log4jFile), 'kafka.Kafka', files.configFile], files.logFile);
  await awaitReady({
    name: 'Kafka',
    pid,
    logFile: files.logFile,
    timeoutMs: 90_000,
    probe: () => listTopics({ bootstrapServers }, 2_000),
  });
  return { pid, bootstrapServers, controllerPort, logFile: files.logFile };
}

function jvmArguments(install: StackInstall, log4jFile: string): string[] {
  return [...HEAP, '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', install.kafkaClasspath];
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
