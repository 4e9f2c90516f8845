import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import { startDynamoDbLocal } from '../../src/stack/dynamodb-local.js';
import { ensureInstalled } from '../../src/stack/install.js';
import { stackPaths } from '../../src/stack/paths.js';
import { stopProcess } from '../../src/stack/processes.js';

/**
 * A DynamoDB Local of the test's own, for tests that move the server's clock (DILATE_TIME): the shared server
 * must not age other suites' stream records.
 */
export async function startPrivateDynamoDb(): Promise<{ connection: DynamoDbConnection; stop(): Promise<void> }> {
  const runDir = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-private-'));
  const install = await ensureInstalled(stackPaths());
  const server = await startDynamoDbLocal(install, runDir, `-Ddynamodb-kafka.test=${runDir}`);
  return {
    connection: { endpoint: server.endpoint, region: server.region, credentials: { accessKeyId: 'privatetest', secretAccessKey: 'local' } },
    async stop() {
      await stopProcess(server.pid);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
