import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createDynamoDbClient } from '../../adapters/dynamodb/client.js';
import { createKafka, logLevel, type Consumer } from '../../adapters/kafka/client.js';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { restInfo, Worker } from '../../runtime/worker.js';
import { stackPaths } from '../../stack/paths.js';
import { stackUp, type StackEndpoints } from '../../stack/stack.js';
import { describeChange } from '../demo/change-view.js';
import { ProgressLine } from '../demo/progress.js';
import { ensureOrdersTable, keepWriting, loadOrders } from '../demo/sample-orders.js';

const TABLE = 'demo-orders';
const CONNECTOR = 'demo-orders-source';
// DynamoDB Local keeps one database per access key; the demo has its own.
const DEMO_CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' };

interface DemoOptions {
  items: number;
  rate: number;
  duration?: number;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('replicate a sample DynamoDB table into Kafka on the local stack, live, until Ctrl-C')
    .option('--items <count>', 'items in the sample table before the snapshot', positiveInteger, 20_000)
    .option('--rate <writes>', 'changes per second written while the demo runs', positiveInteger, 5)
    .option('--duration <seconds>', 'stop by itself after this many seconds', positiveInteger)
    .action(async (options: DemoOptions) => runDemo(options));
}

async function runDemo(options: DemoOptions): Promise<void> {
  const say = (line = '') => process.stdout.write(`${line}\n`);
  const endpoints = await stackUp((message) => process.stderr.write(`${message}\n`));
  say(`Local stack: Kafka ${endpoints.kafka.bootstrapServers}, DynamoDB ${endpoints.dynamodb.endpoint}`);

  const dynamodb = createDynamoDbClient({ ...endpoints.dynamodb, credentials: DEMO_CREDENTIALS });
  const progress = new ProgressLine();
  const created = await ensureOrdersTable(dynamodb, TABLE);
  if (created) {
    say(`Created table ${TABLE} (stream: NEW_AND_OLD_IMAGES); loading ${options.items.toLocaleString('en')} sample orders…`);
    await loadOrders(dynamodb, TABLE, options.items, (done) => progress.update('loading ', done, options.items));
    progress.done();
  } else {
    say(`Table ${TABLE} exists; the connector resumes from its stored offsets.`);
  }

  const configFile = writeConnectorFile(endpoints);
  say(`Connector config: ${configFile}\n`);
  const worker = await Worker.fromFiles([configFile], createLogger('', 'warn'));
  await worker.start();
  const rest = await startRestServer({ host: '127.0.0.1', port: 0 }, () => worker.status(), restInfo(() => worker));
  say(`Status page: ${rest.url}/   (Prometheus metrics: ${rest.url}/metrics)\n`);

  const stop = new AbortController();
  const writing = keepWriting(dynamodb, TABLE, options.items, options.rate, stop.signal).catch((error: Error) => {
    if (!stop.signal.aborted) process.stderr.write(`writer stopped: ${error.message}\n`);
  });
  const finished = waitForStop(options.duration);

  await showSnapshot(worker, progress, finished);
  say('Change events as they reach Kafka (read_committed), Ctrl-C to stop.');
  if (created) {
    say('Changes made in the two minutes before the snapshot come first: they are replayed on purpose');
    say('(the final state per key is the same, and no change between scan and stream can be missed).');
  }
  const printer = new ThrottledPrinter((line) => say(`  ${line}`));
  const viewer = await viewChanges(endpoints, (line) => printer.print(line));
  await finished;
  printer.close();

  stop.abort();
  await writing;
  await viewer.disconnect();
  await rest.close();
  await worker.stop();
  dynamodb.destroy();
  say(`
Stopped. What to try next:
  • Read the topic with any Kafka client:   kcat -C -b ${endpoints.kafka.bootstrapServers} -t ${TABLE} -e
  • Run the connector yourself:              npx dynamodb-kafka run ${configFile}
  • Point it at AWS: in that file, remove dynamodb.service.endpoint and the demo keys, set aws.region
    (credentials then come from the AWS default chain, or aws.access.key.id / aws.secret.access.key, or
    aws.sts.role.arn), and set bootstrap.servers (plus security.protocol / sasl.*) for your Kafka cluster.
  • Stop the local stack:                    npx dynamodb-kafka stack down`);
}

function writeConnectorFile(endpoints: StackEndpoints): string {
  const dir = join(stackPaths().home, 'demo');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${CONNECTOR}.json`);
  const config = {
    'connector.class': 'DynamoDbSource',
    'dynamodb.table.includelist': TABLE,
    'dynamodb.table.sync.mode': 'SNAPSHOT_CDC',
    'bootstrap.servers': endpoints.kafka.bootstrapServers,
    'dynamodb.service.endpoint': endpoints.dynamodb.endpoint,
    'aws.region': endpoints.dynamodb.region,
    'aws.access.key.id': DEMO_CREDENTIALS.accessKeyId,
    'aws.secret.access.key': DEMO_CREDENTIALS.secretAccessKey,
    'exactly.once.support': 'enabled',
  };
  writeFileSync(file, `${JSON.stringify({ name: CONNECTOR, config }, null, 2)}\n`);
  return file;
}

/** Draws the snapshot's progress from the connector's status until the table is being streamed. */
async function showSnapshot(worker: Worker, progress: ProgressLine, finished: Promise<void>): Promise<void> {
  let stopped = false;
  void finished.then(() => (stopped = true));
  let drawn = false;
  while (!stopped) {
    const connector = worker.status()[0];
    const status = connector && 'tables' in connector ? connector.tables[0] : undefined;
    if (status?.snapshot && status.state === 'SNAPSHOT') {
      progress.update('snapshot', status.snapshot.itemsRead, Math.max(status.snapshot.itemsRead, status.snapshot.estimatedItems));
      drawn = true;
    }
    if (status?.state === 'STREAMING' || status?.state === 'FAILED') {
      if (drawn && status.snapshot) progress.update('snapshot', status.snapshot.itemsRead, status.snapshot.itemsRead);
      if (drawn) progress.done();
      if (status.error) process.stderr.write(`${status.table}: ${status.error}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function viewChanges(endpoints: StackEndpoints, print: (line: string) => void): Promise<Consumer> {
  const kafka = createKafka({ bootstrapServers: endpoints.kafka.bootstrapServers, clientId: 'demo-viewer' }, logLevel.NOTHING);
  const consumer = kafka.consumer({
    kafkaJS: { groupId: `demo-viewer-${randomUUID()}`, fromBeginning: false, autoCommit: false },
    'isolation.level': 'read_committed',
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TABLE });
  void consumer.run({
    eachMessage: async ({ message }) => print(describeChange(message.key?.toString() ?? null, message.value?.toString() ?? null)),
  });
  return consumer;
}

/** Prints at most `perSecond` lines a second and sums up the rest, so a burst stays readable. */
class ThrottledPrinter {
  private printedThisSecond = 0;
  private skipped = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly write: (line: string) => void,
    private readonly perSecond = 20,
  ) {
    this.timer = setInterval(() => this.flush(), 1000);
  }

  print(line: string): void {
    if (this.printedThisSecond++ < this.perSecond) this.write(line);
    else this.skipped++;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private flush(): void {
    if (this.skipped > 0) this.write(`… and ${this.skipped.toLocaleString('en')} more events`);
    this.skipped = 0;
    this.printedThisSecond = 0;
  }
}

function waitForStop(durationSeconds?: number): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (durationSeconds) setTimeout(resolve, durationSeconds * 1000).unref();
  });
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
}
