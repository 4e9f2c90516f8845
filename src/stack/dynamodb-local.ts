import { join } from 'node:path';
import type { StackInstall } from './install.js';
import { LOOPBACK, freePort } from './ports.js';
import { spawnDetached } from './processes.js';
import { awaitDynamoDbApi, type DynamoDbApiServer } from './readiness.js';

export type DynamoDbLocalServer = DynamoDbApiServer;

export const LOCAL_REGION = 'us-east-1';

/**
 * Without a cap DynamoDB Local's heap grows to several GB under load; its in-memory tables live in SQLite's
 * native memory, so a modest heap is enough.
 */
const HEAP = ['-Xms256m', '-Xmx1g'];

/** Starts DynamoDB Local in memory, with Streams and its test-control hooks, on a free loopback port. */
export async function startDynamoDbLocal(install: StackInstall, runDir: string, marker: string): Promise<DynamoDbLocalServer> {
  const port = await freePort();
  const logFile = join(runDir, 'dynamodb-local.log');
  const args = [
    marker,
    ...HEAP,
    '-Djava.awt.headless=true',
    `-Djava.library.path=${install.dynamodbNativeDir}`,
    '-cp',
    install.dynamodbClasspath,
    'DynamoDbLocalLauncher',
    LOOPBACK,
    String(port),
  ];
  // DynamoDB Local reports telemetry unless told not to; this stack never talks to anything off the machine.
  const pid = spawnDetached(install.java, args, logFile, { ...process.env, DDB_LOCAL_TELEMETRY: '0' });
  return awaitDynamoDbApi({ name: 'DynamoDB Local', pid, logFile, port, region: LOCAL_REGION });
}
