/**
 * The Lambda handler (dynamodb-kafka/lambda) on the local stack: records/s of one container's invocation loop over
 * BENCH_LAMBDA_RECORDS (10,000) real stream records in batches of BENCH_LAMBDA_BATCH (1,000), shaped as Lambda
 * delivers them; and the cold start of the packaged zip (`npm run package:lambda`) in a new Node process: module
 * load, then the first batch through `handler` (clients, the shard's producer with initTransactions, offsets read).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbClient, createStreamsClient } from '../src/adapters/dynamodb/client.js';
import { createStreamHandler } from '../src/lambda/handler.js';
import { createLogger } from '../src/runtime/logger.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { eventOf, lambdaEnv, lambdaRecords, streamShard } from '../test/support/lambda-events.js';
import { percentile } from './measure.js';
import { benchDatabase, createBenchTable, dropBenchTable, loadBenchItems } from './tables.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * In a new process, as Lambda runs a new container: the module is imported (its init starts the clients, as in
 * Lambda's init phase), then its `handler` is called with the first batch (the shard's producer is opened).
 */
const COLD_START = `
const event = JSON.parse(process.env.BENCH_EVENT);
const loaded = await import(process.env.BENCH_MODULE);
const moduleLoadedMs = performance.now();
const answer = await loaded.handler(event);
const firstBatchMs = performance.now();
process.stdout.write(JSON.stringify({ answer, moduleLoadedMs, firstBatchMs }));
process.exit(0);
`;

export async function benchLambda(stack: StackEndpoints, root: string) {
  const records = Number(process.env.BENCH_LAMBDA_RECORDS ?? 10_000);
  const batchSize = Number(process.env.BENCH_LAMBDA_BATCH ?? 1_000);
  const connection = benchDatabase(stack, 'lambda');
  const client = createDynamoDbClient(connection);
  const streams = createStreamsClient(connection);
  const table = `bench-lambda-${randomUUID().slice(0, 8)}`;
  await createBenchTable(client, table, true);
  say(`lambda: writing ${records.toLocaleString('en')} changes into the stream…`);
  await loadBenchItems(client, table, records, 4);
  const shard = await streamShard(client, streams, table);
  const delivered = await lambdaRecords(streams, shard, connection.region);

  say('lambda: packaging the zip and starting it cold…');
  execFileSync(process.execPath, [join(root, 'scripts', 'package-lambda.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const coldName = `bench-lambda-cold-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-lambda-'));
  const script = join(dir, 'cold-start.mjs');
  writeFileSync(script, COLD_START);
  const cold = JSON.parse(
    execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        DYNAMODB_KAFKA_LOG_LEVEL: 'warn',
        BENCH_MODULE: join(root, 'dist', 'lambda-package', 'index.mjs'),
        BENCH_EVENT: JSON.stringify(eventOf(delivered.slice(0, 1))),
        ...lambdaEnv({ bootstrapServers: stack.kafka.bootstrapServers, connection, table, name: coldName }),
      },
    }),
  ) as { answer: unknown; moduleLoadedMs: number; firstBatchMs: number };
  rmSync(dir, { recursive: true, force: true });

  say(`lambda: ${records.toLocaleString('en')} records through one container in batches of ${batchSize}…`);
  const name = `bench-lambda-${randomUUID().slice(0, 8)}`;
  const handler = await createStreamHandler(lambdaEnv({ bootstrapServers: stack.kafka.bootstrapServers, connection, table, name }), { log: createLogger(name, 'warn') });
  // The container's first batch opens the shard's producer: the loop measures warm invocations.
  await handler.handle(eventOf(delivered.slice(0, 1)));
  const invocationMs: number[] = [];
  const started = performance.now();
  for (let start = 1; start < delivered.length; start += batchSize) {
    const invoked = performance.now();
    const answer = await handler.handle(eventOf(delivered.slice(start, start + batchSize)));
    if (answer.batchItemFailures.length > 0) throw new Error(`benchmark: a batch failed at ${answer.batchItemFailures[0]!.itemIdentifier}`);
    invocationMs.push(performance.now() - invoked);
  }
  const seconds = (performance.now() - started) / 1000;
  await handler.close();
  await dropBenchTable(client, table);
  client.destroy();
  streams.destroy();
  const sorted = invocationMs.sort((a, b) => a - b);
  return {
    records: delivered.length - 1,
    batchSize,
    recordsPerSecond: Math.round((delivered.length - 1) / seconds),
    invocationP50Ms: Math.round(percentile(sorted, 50)),
    invocationMaxMs: Math.round(sorted.at(-1)!),
    coldStart: {
      moduleLoadedMs: Math.round(cold.moduleLoadedMs),
      firstBatchWrittenMs: Math.round(cold.firstBatchMs),
      answer: cold.answer,
    },
  };
}
