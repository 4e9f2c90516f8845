import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { stackPaths } from '../../../src/stack/paths.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { listeningAddresses } from '../../support/proc.js';
import { createTable } from '../../support/tables.js';

describe('run --rest-port: Kafka Connect status endpoints', () => {
  const { connection, dynamodb, defer } = suiteResources('reststatus');

  it("reports its task and the task's tables, a table that cannot be replicated as FAILED in its running task, on 127.0.0.1 only", async () => {
    const good = uniqueName('rest-good');
    const noStream = uniqueName('rest-nostream');
    await createTable(dynamodb, good);
    await createTable(dynamodb, noStream, 'none');
    const name = uniqueName('rest');
    const secret = 'restSecretKey1234567890';
    const run = ConnectorProcess.start(
      name,
      {
        'connector.class': 'DynamoDbSource',
        'dynamodb.table.includelist': `${good},${noStream}`,
        'bootstrap.servers': inject('stack').kafka.bootstrapServers,
        'dynamodb.service.endpoint': connection.endpoint!,
        'aws.region': connection.region,
        'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
        'aws.secret.access.key': secret,
        'offset.storage.topic': `${name}-offsets`,
      },
      ['--rest-port', '0'],
    );
    defer(async () => void (await run.stop('SIGKILL')));
    await expect.poll(() => /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)?.[1], { timeout: 60_000 }).toBeDefined();
    const base = /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)![1]!;
    const port = Number(new URL(base).port);
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);

    const get = async (path: string, method = 'GET') => {
      const response = await fetch(`${base}${path}`, { method });
      const text = await response.text();
      expect(text).not.toContain(secret);
      return { code: response.status, body: JSON.parse(text) };
    };
    expect(await get('/connectors')).toEqual({ code: 200, body: [name] });
    // One task (tasks.max=1) carries both tables, each listed with its topic, phase and error.
    const tableOf = (body: any, table: string) => body.tasks[0]?.tables.find((entry: { table: string }) => entry.table === table);
    await expect
      .poll(async () => tableOf((await get(`/connectors/${name}/status`)).body, good)?.phase, { timeout: 60_000 })
      .toBe('STREAMING');
    await expect
      .poll(async () => tableOf((await get(`/connectors/${name}/status`)).body, noStream)?.phase, { timeout: 60_000 })
      .toBe('FAILED');
    const { body: status } = await get(`/connectors/${name}/status`);
    expect(status).toMatchObject({
      name,
      type: 'source',
      connector: { state: 'RUNNING', worker_id: `127.0.0.1:${port}` },
      discovery: { method: 'listed in dynamodb.table.includelist', tables: [good, noStream] },
    });
    expect(status.tasks).toHaveLength(1);
    expect(status.tasks[0]).toMatchObject({ id: 0, state: 'RUNNING', worker_id: `127.0.0.1:${port}` });
    expect(tableOf(status, good)).toMatchObject({ table: good, topic: good, phase: 'STREAMING' });
    expect(tableOf(status, noStream).error).toMatch(new RegExp(`table ${noStream} has no DynamoDB stream`));
    expect(status.tasks[0].trace).toMatch(new RegExp(`^table ${noStream}: table ${noStream} has no DynamoDB stream`));

    expect((await get('/connectors?expand=status')).body[name].status.tasks[0].tables).toHaveLength(2);
    expect(await get('/connectors/nobody/status')).toEqual({ code: 404, body: { error_code: 404, message: 'Connector nobody not found' } });
    expect((await get(`/connectors/${name}`, 'DELETE')).code).toBe(405);
    // The build's commit (recorded by `npm run build`) and the id the broker's storage was formatted with.
    const clusterId = /^cluster\.id=(.*)$/m.exec(readFileSync(join(stackPaths().runDir, 'kafka', 'data', 'meta.properties'), 'utf8'))![1];
    expect((await get('/')).body).toEqual({
      version: expect.any(String),
      commit: expect.stringMatching(/^[0-9a-f]{40}(-dirty)?$/),
      kafka_cluster_id: clusterId,
    });
    expect(await run.stop()).toBe(0);
  });
});
