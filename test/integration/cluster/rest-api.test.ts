import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { produce } from '../../support/sink.js';
import { createTable, putItems, scanAll } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const ids = (records: ConsumedRecord[]) =>
  records.filter((record) => record.value !== null).map((record) => JSON.parse(JSON.parse(record.value!).after.document).id.S as string);

describe("worker: connectors managed through Kafka Connect's REST API", () => {
  const { connection, dynamodb, defer } = suiteResources('restapi');
  const credentials = join(mkdtempSync(join(tmpdir(), 'rest-api-')), 'credentials.properties');
  writeFileSync(credentials, 'operator: pa55word\n');
  const authorization = `Basic ${Buffer.from('operator:pa55word').toString('base64')}`;
  const workerProperties = (bootstrapServers: string, group: string) => ({
    'bootstrap.servers': bootstrapServers,
    'group.id': group,
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    listeners: 'http://127.0.0.1:0',
    'rest.basic.auth.credentials.file': credentials,
  });
  /** Connect's REST calls to the worker at `base`, logged in. */
  const client = (base: string) => {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { code: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };
    const state = async (name: string) => ((await call('GET', `/connectors/${name}/status`)).body as { connector: { state: string } }).connector.state;
    return { call, state };
  };

  it('refuses to start with a listener beyond loopback that nobody logs in to', async () => {
    const worker = ConnectorProcess.worker({
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'group.id': uniqueName('open'),
      'config.storage.topic': 'c',
      'offset.storage.topic': 'o',
      'status.storage.topic': 's',
      listeners: 'http://0.0.0.0:0',
    });
    defer(async () => void (await worker.stop('SIGKILL')));
    await expect.poll(() => worker.exited, { timeout: 30_000 }).toBe(true);
    expect(await worker.stop()).toBe(2);
    expect(worker.output).toMatch(/listeners: http:\/\/0\.0\.0\.0:0 is reachable beyond this machine but nobody has to log in to it/);
  });

  it('creates, runs, reconfigures, pauses, resumes, stops, restarts and deletes a source connector; configs survive a worker restart', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const group = uniqueName('restcluster');
    const [first, second] = [uniqueName('resttable'), uniqueName('resttable')];
    for (const table of [first, second]) {
      await createTable(dynamodb, table);
      await putItems(dynamodb, table, Array.from({ length: 3 }, (_, index) => ({ id: { S: `${table}-${index}` } })));
    }
    const firstTopic = await TopicFollower.follow(bootstrapServers, first);
    defer(() => firstTopic.close());
    const secondTopic = await TopicFollower.follow(bootstrapServers, second);
    defer(() => secondTopic.close());

    let worker = ConnectorProcess.worker(workerProperties(bootstrapServers, group));
    defer(async () => void (await worker.stop('SIGKILL')));
    let base = await worker.restUrl();
    let { call, state } = client(base);

    expect((await fetch(`${base}/connectors`)).status).toBe(401);

    // Create: Connect's ConnectorInfo, secrets hidden; then it runs and snapshots its table.
    const name = uniqueName('rest-source');
    const config = {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': first,
      'dynamodb.service.endpoint': connection.endpoint!,
      'aws.region': connection.region,
      'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
    };
    const hidden = { ...config, 'aws.access.key.id': '[hidden]', 'aws.secret.access.key': '[hidden]', name };
    expect(await call('POST', '/connectors', { name, config })).toEqual({ code: 201, body: { name, config: hidden, tasks: [], type: 'source' } });
    expect(await call('POST', '/connectors', { name, config })).toEqual({ code: 409, body: { error_code: 409, message: `Connector ${name} already exists` } });
    await firstTopic.waitFor((records) => new Set(ids(records)).size === 3, 60_000, 'the snapshot of the first table');
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('RUNNING');
    expect(await call('GET', `/connectors/${name}/config`)).toEqual({ code: 200, body: hidden });
    const status = (await call('GET', `/connectors/${name}/status`)).body as { tasks: Array<{ id: number; state: string; worker_id: string }> };
    expect(status.tasks).toEqual([expect.objectContaining({ id: 0, state: 'RUNNING', worker_id: expect.stringMatching(/^127\.0\.0\.1:\d+$/) })]);
    expect(await call('GET', `/connectors/${name}/tasks/0/status`)).toMatchObject({ code: 200, body: { id: 0, state: 'RUNNING' } });
    expect(await call('GET', `/connectors/${name}/tasks`)).toEqual({ code: 200, body: [{ id: { connector: name, task: 0 }, config: hidden }] });
    expect(await call('GET', '/connectors?expand=status&expand=info')).toMatchObject({
      code: 200,
      body: { [name]: { status: { name, connector: { state: 'RUNNING' }, type: 'source' }, info: { name, config: hidden, type: 'source' } } },
    });

    // Reconfigure with PUT (what GET answered, secrets hidden, sent back with a second table).
    expect(await call('PUT', `/connectors/${name}/config`, { ...hidden, 'dynamodb.table.includelist': `${first},${second}` })).toMatchObject({
      code: 200,
      body: { name, config: { 'dynamodb.table.includelist': `${first},${second}`, 'aws.secret.access.key': '[hidden]' } },
    });
    await secondTopic.waitFor((records) => new Set(ids(records)).size === 3, 60_000, 'the snapshot of the table added by PUT');

    // Pause (202), a change while paused arrives after resume (202).
    expect(await call('PUT', `/connectors/${name}/pause`)).toEqual({ code: 202, body: undefined });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('PAUSED');
    await dynamodb.send(new PutItemCommand({ TableName: first, Item: { id: { S: 'while-paused' } } }));
    expect(await call('PUT', `/connectors/${name}/resume`)).toEqual({ code: 202, body: undefined });
    await firstTopic.waitFor((records) => ids(records).includes('while-paused'), 60_000, 'the change made while paused');

    // Stop (204), resume.
    expect(await call('PUT', `/connectors/${name}/stop`)).toEqual({ code: 204, body: undefined });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('STOPPED');
    expect(await call('PUT', `/connectors/${name}/resume`)).toEqual({ code: 202, body: undefined });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('RUNNING');

    // Restart: a request record in the config topic, which the worker acts on.
    expect(await call('POST', `/connectors/${name}/restart`)).toEqual({ code: 204, body: undefined });
    await expect.poll(() => worker.output, { timeout: 30_000 }).toContain(`connector ${name}: restarting it, as requested`);
    const restarting = await call('POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=false`);
    expect(restarting).toMatchObject({ code: 202, body: { name, connector: { state: 'RESTARTING' }, type: 'source' } });
    expect((restarting.body as { tasks: Array<{ state: string }> }).tasks.every((task) => task.state === 'RESTARTING')).toBe(true);
    await dynamodb.send(new PutItemCommand({ TableName: second, Item: { id: { S: 'after-restart' } } }));
    await secondTopic.waitFor((records) => ids(records).includes('after-restart'), 60_000, 'a change after the restart');

    // The configuration outlives the worker process.
    expect(await worker.stop()).toBe(0);
    worker = ConnectorProcess.worker(workerProperties(bootstrapServers, group));
    base = await worker.restUrl();
    ({ call, state } = client(base));
    expect(await call('GET', '/connectors')).toEqual({ code: 200, body: [name] });
    expect(await call('GET', `/connectors/${name}/config`)).toMatchObject({ code: 200, body: { 'dynamodb.table.includelist': `${first},${second}` } });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('RUNNING');
    await dynamodb.send(new PutItemCommand({ TableName: first, Item: { id: { S: 'after-worker-restart' } } }));
    await firstTopic.waitFor((records) => ids(records).includes('after-worker-restart'), 60_000, 'a change after the worker restarted');
    // Resumed from its offsets, never snapshotted again.
    for (const topic of [firstTopic, secondTopic]) {
      expect(topic.records.filter((record) => record.value !== null && JSON.parse(record.value).op === 'r')).toHaveLength(3);
    }

    // Offsets (KIP-875): read in any state; reset only when stopped, after which the tables are snapshotted again.
    type Offsets = { offsets: Array<{ partition: Record<string, string>; offset: unknown }> };
    const tablesIn = (offsets: Offsets) => new Set(offsets.offsets.map(({ partition }) => partition.tableName ?? partition.stream));
    const stored = await call('GET', `/connectors/${name}/offsets`);
    expect(stored.code).toBe(200);
    expect(tablesIn(stored.body as Offsets)).toEqual(new Set([first, second]));
    expect((await call('DELETE', `/connectors/${name}/offsets`)).code).toBe(400);
    expect(await call('PUT', `/connectors/${name}/stop`)).toEqual({ code: 204, body: undefined });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('STOPPED');
    expect(await call('DELETE', `/connectors/${name}/offsets`)).toEqual({ code: 200, body: { message: 'The offsets for this connector have been reset successfully' } });
    expect(await call('GET', `/connectors/${name}/offsets`)).toEqual({ code: 200, body: { offsets: [] } });
    expect(await call('PUT', `/connectors/${name}/resume`)).toEqual({ code: 202, body: undefined });
    const snapshotted = (records: ConsumedRecord[]) => records.filter((record) => record.value !== null && JSON.parse(record.value).op === 'r').length;
    await firstTopic.waitFor((records) => snapshotted(records) >= 3 + 5, 60_000, 'the first table snapshotted again after the reset');
    await secondTopic.waitFor((records) => snapshotted(records) >= 3 + 4, 60_000, 'the second table snapshotted again after the reset');

    // Alter offsets (PATCH, only when stopped): the first table's positions cleared, in the partitions GET shows;
    // on resume it alone is snapshotted again, the second goes on from its stream position.
    const clearFirst = { offsets: [{ partition: { stream: first }, offset: null }] };
    expect((await call('PATCH', `/connectors/${name}/offsets`, clearFirst)).code).toBe(400);
    expect(await call('PUT', `/connectors/${name}/stop`)).toEqual({ code: 204, body: undefined });
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('STOPPED');
    const before = (await call('GET', `/connectors/${name}/offsets`)).body as Offsets;
    expect(await call('PATCH', `/connectors/${name}/offsets`, { offsets: [{ partition: { tableName: first }, offset: null }] })).toMatchObject({
      code: 400,
      body: { message: expect.stringMatching(/^offsets\[0\]: partition \{"tableName":"[^"]+"\} is not a partition of this connector/) },
    });
    const firstPositions = before.offsets.filter(({ partition }) => (partition.tableName ?? partition.stream) === first);
    expect(await call('PATCH', `/connectors/${name}/offsets`, { offsets: firstPositions.map(({ partition }) => ({ partition, offset: null })) })).toEqual({
      code: 200,
      body: { message: 'The offsets for this connector have been altered successfully' },
    });
    const after = (await call('GET', `/connectors/${name}/offsets`)).body as Offsets;
    const sorted = (entries: Offsets['offsets']) => entries.map((entry) => JSON.stringify(entry)).sort();
    expect(sorted(after.offsets)).toEqual(sorted(before.offsets.filter((entry) => !firstPositions.includes(entry))));
    const secondSnapshotted = snapshotted(secondTopic.records);
    expect(await call('PUT', `/connectors/${name}/resume`)).toEqual({ code: 202, body: undefined });
    await firstTopic.waitFor((records) => snapshotted(records) >= 3 + 5 + 5, 60_000, 'the first table snapshotted again after its offsets were cleared');
    await dynamodb.send(new PutItemCommand({ TableName: second, Item: { id: { S: 'after-patch' } } }));
    await secondTopic.waitFor((records) => ids(records).includes('after-patch'), 60_000, 'a change of the second table after the PATCH');
    expect(snapshotted(secondTopic.records)).toBe(secondSnapshotted);

    // Delete (204): gone from the list, its status 404.
    expect(await call('DELETE', `/connectors/${name}`)).toEqual({ code: 204, body: undefined });
    expect(await call('GET', '/connectors')).toEqual({ code: 200, body: [] });
    expect(await call('GET', `/connectors/${name}/status`)).toEqual({ code: 404, body: { error_code: 404, message: `Connector ${name} not found` } });
    await expect.poll(() => worker.output, { timeout: 30_000 }).toContain(`connector ${name} was paused, stopped or deleted: stopping it`);
    expect(await worker.stop()).toBe(0);
  }, 300_000);

  it("shows a sink connector's consumer group offsets, alters and resets them once it is stopped", async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const topic = uniqueName('rest-sink');
    await produce(topic, Array.from({ length: 10 }, (_, index) => ({ key: `k${index}`, value: { id: `k${index}` }, partition: index % 2 })), 2);
    const worker = ConnectorProcess.worker(workerProperties(bootstrapServers, uniqueName('restsink')));
    defer(async () => void (await worker.stop('SIGKILL')));
    const { call, state } = client(await worker.restUrl());
    const name = uniqueName('rest-sink');
    const config = {
      'connector.class': 'DynamoDbSink',
      topics: topic,
      'aws.dynamodb.endpoint': connection.endpoint!,
      'aws.dynamodb.region': connection.region,
      'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
    };
    expect((await call('POST', '/connectors', { name, config })).code).toBe(201);
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(10);
    const committed = [0, 1].map((partition) => ({ partition: { kafka_topic: topic, kafka_partition: partition }, offset: { kafka_offset: 5 } }));
    await expect.poll(async () => (await call('GET', `/connectors/${name}/offsets`)).body, { timeout: 30_000 }).toEqual({ offsets: committed });
    expect((await call('DELETE', `/connectors/${name}/offsets`)).code).toBe(400);
    expect((await call('PUT', `/connectors/${name}/stop`)).code).toBe(204);
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('STOPPED');

    // Alter (PATCH): partition 0 rewound to offset 2, partition 1's offset cleared (read again from the earliest):
    // with the table emptied, exactly the records after the new positions are written again on resume.
    const altered = {
      offsets: [
        { partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 2 } },
        { partition: { kafka_topic: topic, kafka_partition: 1 }, offset: null },
      ],
    };
    expect(await call('PATCH', `/connectors/${name}/offsets`, altered)).toEqual({ code: 200, body: { message: 'The offsets for this connector have been altered successfully' } });
    expect(await call('GET', `/connectors/${name}/offsets`)).toEqual({ code: 200, body: { offsets: [altered.offsets[0]] } });
    for (const item of await scanAll(dynamodb, topic)) await dynamodb.send(new DeleteItemCommand({ TableName: topic, Key: { id: item.id! } }));
    expect((await call('PUT', `/connectors/${name}/resume`)).code).toBe(202);
    // Partition 0 holds k0, k2, k4, k6, k8 at offsets 0..4; partition 1 the odd ones.
    const writtenAgain = ['k4', 'k6', 'k8', 'k1', 'k3', 'k5', 'k7', 'k9'].sort();
    await expect.poll(async () => (await scanAll(dynamodb, topic)).map((item) => item.id!.S!).sort(), { timeout: 60_000 }).toEqual(writtenAgain);
    await expect.poll(async () => (await call('GET', `/connectors/${name}/offsets`)).body, { timeout: 30_000 }).toEqual({ offsets: committed });
    expect((await call('PUT', `/connectors/${name}/stop`)).code).toBe(204);
    await expect.poll(() => state(name), { timeout: 30_000 }).toBe('STOPPED');
    expect(await call('DELETE', `/connectors/${name}/offsets`)).toEqual({ code: 200, body: { message: 'The offsets for this connector have been reset successfully' } });
    expect(await call('GET', `/connectors/${name}/offsets`)).toEqual({ code: 200, body: { offsets: [] } });
    expect(await worker.stop()).toBe(0);
  }, 180_000);
});
