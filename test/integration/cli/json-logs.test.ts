import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/stack/ports.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable, putItems } from '../../support/tables.js';

describe('run --log-format json: one JSON object per line for log shippers, secrets never in them', () => {
  const { connection, dynamodb, defer } = suiteResources('jsonlogs');

  it("writes the connector's lines, its failures and the Kafka client's own lines as JSON, without a secret", async () => {
    const good = uniqueName('jsonlogs');
    const missing = uniqueName('missing');
    await createTable(dynamodb, good);
    await putItems(dynamodb, good, [{ id: { S: 'a' } }]);
    const awsSecret = 'AwsSecretValue4242';
    const registrySecret = 'RegistrySecretValue4242';
    // Three dead brokers: each Kafka client contacts one bootstrap server it picks at random, so with one dead among
    // two every client picked the live one in about a third of runs and nothing was refused.
    const [registryPort, ...deadBrokerPorts] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const base = stackSourceConfig(connection, { tables: `${good},${missing}`, offsetsTopic: uniqueName('offsets'), secretAccessKey: awsSecret });
    const config = {
      ...base,
      // A second, dead broker: the Kafka client logs its refused connections (through our logger).
      'bootstrap.servers': [base['bootstrap.servers'], ...deadBrokerPorts.map((port) => `127.0.0.1:${port}`)].join(','),
      'output.data.format': 'AVRO',
      'schema.registry.url': `http://127.0.0.1:${registryPort}`,
      'basic.auth.credentials.source': 'USER_INFO',
      'schema.registry.basic.auth.user.info': `registry-user:${registrySecret}`,
    };
    const run = ConnectorProcess.start(uniqueName('jsonlogs'), config, ['--log-format', 'json']);
    defer(async () => void (await run.stop()));

    const lines = () => run.output.split('\n').filter((line) => line.trim() !== '');
    const said = (pattern: RegExp) => () => lines().some((line) => pattern.test(line));
    await expect.poll(said(new RegExp(`127\\.0\\.0\\.1:${registryPort}`)), { timeout: 60_000 }).toBe(true);
    await expect.poll(said(new RegExp(`Kafka client .*127\\.0\\.0\\.1:(${deadBrokerPorts.join('|')})`)), { timeout: 60_000 }).toBe(true);
    await expect.poll(said(new RegExp(missing)), { timeout: 60_000 }).toBe(true);
    expect(await run.stop()).toBe(0);

    for (const line of lines()) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(entry).filter((key) => key !== 'scope')).toEqual(['time', 'level', 'message']);
      expect(['debug', 'info', 'warn', 'error']).toContain(entry.level);
    }
    expect(run.output).not.toContain(awsSecret);
    expect(run.output).not.toContain(registrySecret);
  }, 120_000);
});
