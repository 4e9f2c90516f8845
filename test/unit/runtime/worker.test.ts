import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { Worker } from '../../../src/runtime/worker.js';

function connectorFile(config: Record<string, string>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-worker-')), 'orders.json');
  writeFileSync(file, JSON.stringify({ name: 'orders', config }));
  return file;
}

describe('Worker.fromFiles', () => {
  it('refuses a connector without bootstrap.servers with a ConfigError naming the key', async () => {
    const file = connectorFile({ 'connector.class': 'DynamoDbSource', 'dynamodb.table.includelist': 'orders', 'aws.region': 'eu-west-1' });
    const refusal = await Worker.fromFiles([file], createLogger('', 'silent')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).key).toBe('bootstrap.servers');
    expect((refusal as ConfigError).message).toContain('invalid configuration for connector "orders": bootstrap.servers: required');
  });

  it('lets the caller fill settings in before they are checked (as the CLI does with the local stack)', async () => {
    const file = connectorFile({ 'connector.class': 'DynamoDbSink', topics: 'orders', 'aws.dynamodb.region': 'eu-west-1' });
    const worker = await Worker.fromFiles([file], createLogger('', 'silent'), async (loaded) => ({ ...loaded.config, 'bootstrap.servers': '127.0.0.1:9092' }));
    expect(worker.status()).toEqual([]);
  });
});
