import { idleWorkerInfo } from '../../support/worker-info.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorConfigs, configRecords, type ConfigRecord, type RestartRequest } from '../../../src/domain/connector-configs.js';
import type { ConnectorControl } from '../../../src/rest/connector-control.js';
import type { ConnectOffsets, OffsetChanges } from '../../../src/runtime/connector-offsets.js';
import { startRestServer, type RestServer } from '../../../src/runtime/rest-server.js';
import type { SinkConnectorStatus } from '../../../src/runtime/sink-connector.js';

/** A config topic in memory: the same records the worker writes, read by the real ConnectorConfigs. */
function memoryControl(): ConnectorControl & {
  restarts: RestartRequest[];
  refusals: Map<string, string>;
  stored: Map<string, ConnectOffsets>;
  altered: Array<{ name: string; changes: OffsetChanges }>;
} {
  const configs = new ConnectorConfigs();
  let offset = 0;
  const write = async (records: ConfigRecord[]) => void records.forEach((record) => configs.apply(record, offset++));
  const refusals = new Map<string, string>();
  const stored = new Map<string, ConnectOffsets>();
  const altered: Array<{ name: string; changes: OffsetChanges }> = [];
  return {
    configured: () => configs.list(),
    refusal: (name) => refusals.get(name),
    withDefaults: (config) => ({ 'bootstrap.servers': 'broker:9092', ...config }),
    put: (name, config, initial) => write([...(initial ? [configRecords.targetState(name, initial)] : []), configRecords.connector(name, config)]),
    setTargetState: (name, state) => write([configRecords.targetState(name, state)]),
    remove: (name) => write(configRecords.deleted(name)),
    requestRestart: (name, request) => write([configRecords.restart(name, request)]),
    offsets: async (name) => stored.get(name) ?? { offsets: [] },
    resetOffsets: async (name) => void stored.delete(name),
    alterOffsets: async (name, changes) => void altered.push({ name, changes }),
    get restarts() {
      return configs.restartRequests();
    },
    refusals,
    stored,
    altered,
  };
}

const source = {
  'connector.class': 'DynamoDbSource',
  'dynamodb.table.includelist': 'orders',
  'aws.region': 'eu-west-1',
  'aws.access.key.id': 'AKIAEXAMPLE',
  'aws.secret.access.key': 'very-secret',
};
const HIDDEN_SOURCE = { ...source, 'aws.access.key.id': '[hidden]', 'aws.secret.access.key': '[hidden]' };

describe("REST API: Kafka Connect's endpoints that change connectors", () => {
  let server: RestServer | undefined;
  let control: ReturnType<typeof memoryControl>;
  let running: SinkConnectorStatus[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    running = [];
  });
  const call = async (method: string, path: string, body?: unknown) => {
    if (!server) {
      control = memoryControl();
      server = await startRestServer({ host: '127.0.0.1', port: 0 }, () => running, idleWorkerInfo(), { control });
    }
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await response.text();
    return { code: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), location: response.headers.get('location') };
  };

  it('creates with POST /connectors (201, secrets hidden), refuses a taken name (409) and a config the parser refuses (400)', async () => {
    expect(await call('POST', '/connectors', { name: 'orders', config: source })).toEqual({
      code: 201,
      body: { name: 'orders', config: { ...HIDDEN_SOURCE, name: 'orders' }, tasks: [], type: 'source' },
      location: '/connectors/orders',
    });
    // Stored in clear, for the worker that runs it.
    expect(control.configured()).toEqual([{ name: 'orders', config: { ...source, name: 'orders' }, target: 'STARTED' }]);
    expect(await call('POST', '/connectors', { name: 'orders', config: source })).toMatchObject({ code: 409, body: { error_code: 409, message: 'Connector orders already exists' } });
    const bad = await call('POST', '/connectors', { name: 'typo', config: { ...source, 'dynamodb.snapshot.segmnets': '4' } });
    expect(bad.code).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(
      /^Connector configuration is invalid and contains the following 1 error\(s\):\n.*unknown key "dynamodb\.snapshot\.segmnets" \(did you mean "dynamodb\.snapshot\.segments"\?\)/,
    );
    expect(JSON.stringify(bad.body)).not.toContain('very-secret');
    expect(await call('POST', '/connectors', { name: 'noclass', config: { 'aws.region': 'eu-west-1' } })).toMatchObject({ code: 400, body: { error_code: 400 } });
    expect(await call('POST', '/connectors', { config: source })).toMatchObject({ code: 400, body: { error_code: 400 } });
    expect((await call('POST', '/connectors', { name: 'paused', config: source, initial_state: 'PAUSED' })).code).toBe(201);
    expect(control.configured()!.map((entry) => [entry.name, entry.target])).toEqual([
      ['orders', 'STARTED'],
      ['paused', 'PAUSED'],
    ]);
  });

  it('reads, creates (201), replaces (200) and patches a config; a "[hidden]" secret sent back keeps its value', async () => {
    expect(await call('PUT', '/connectors/orders/config', source)).toMatchObject({ code: 201, location: '/connectors/orders', body: { name: 'orders', type: 'source' } });
    const shown = await call('GET', '/connectors/orders/config');
    expect(shown).toMatchObject({ code: 200, body: { ...HIDDEN_SOURCE, name: 'orders' } });
    // What a GET answered, PUT back with one change: the secrets stay as they were.
    const replaced = await call('PUT', '/connectors/orders/config', { ...(shown.body as object), 'dynamodb.table.includelist': 'orders,users' });
    expect(replaced).toMatchObject({ code: 200, location: null, body: { config: { 'dynamodb.table.includelist': 'orders,users' } } });
    expect(control.configured()![0]!.config).toEqual({ ...source, 'dynamodb.table.includelist': 'orders,users', name: 'orders' });
    expect(await call('PATCH', '/connectors/orders/config', { 'dynamodb.table.includelist': 'users', 'aws.access.key.id': null, 'aws.secret.access.key': null })).toMatchObject({
      code: 200,
      body: { config: { 'dynamodb.table.includelist': 'users' } },
    });
    expect(control.configured()![0]!.config).toEqual({ 'connector.class': 'DynamoDbSource', 'dynamodb.table.includelist': 'users', 'aws.region': 'eu-west-1', name: 'orders' });
    expect(await call('PATCH', '/connectors/nobody/config', {})).toEqual({ code: 404, body: { error_code: 404, message: 'Connector nobody not found' }, location: null });
    expect(await call('PUT', '/connectors/orders/config', { ...source, name: 'other' })).toMatchObject({
      code: 400,
      body: { message: "Connector name configuration (other) doesn't match connector name in the URL (orders)" },
    });
    expect((await call('GET', '/connectors/nobody/config')).code).toBe(404);
  });

  it('pauses and resumes (202), stops (204), deletes (204); the status says PAUSED or STOPPED, or FAILED with why', async () => {
    await call('POST', '/connectors', { name: 'orders', config: source });
    expect(await call('GET', '/connectors/orders/status')).toMatchObject({ code: 200, body: { name: 'orders', connector: { state: 'UNASSIGNED' }, tasks: [], type: 'source' } });
    control.refusals.set('orders', 'unknown key "x"');
    expect(await call('GET', '/connectors/orders/status')).toMatchObject({ body: { connector: { state: 'FAILED', trace: 'unknown key "x"' } } });
    expect((await call('PUT', '/connectors/orders/pause')).code).toBe(202);
    expect(await call('GET', '/connectors/orders/status')).toMatchObject({ body: { connector: { state: 'PAUSED' } } });
    expect((await call('PUT', '/connectors/orders/stop')).code).toBe(204);
    expect(await call('GET', '/connectors/orders/status')).toMatchObject({ body: { connector: { state: 'STOPPED' } } });
    expect((await call('PUT', '/connectors/orders/resume')).code).toBe(202);
    expect(control.configured()![0]!.target).toBe('STARTED');
    expect((await call('PUT', '/connectors/nobody/pause')).code).toBe(404);
    expect((await call('GET', '/connectors/orders/pause')).code).toBe(405);
    expect(await call('DELETE', '/connectors/orders')).toEqual({ code: 204, body: undefined, location: null });
    expect(await call('GET', '/connectors')).toMatchObject({ code: 200, body: [] });
    expect((await call('DELETE', '/connectors/orders')).code).toBe(404);
  });

  it('lists with ?expand=status,info; answers tasks, a task status, and restarts through restart requests', async () => {
    await call('POST', '/connectors', { name: 'orders', config: source });
    running = [{ name: 'orders', type: 'sink', tasks: [{ task: 0, state: 'FAILED', error: 'boom', recordsWritten: 0, recordsDeadLettered: 0 }, { task: 1, state: 'RUNNING', recordsWritten: 1, recordsDeadLettered: 0 }] }];
    const listed = await call('GET', '/connectors?expand=status&expand=info');
    const worker = server!.url.replace('http://', '');
    expect(listed.body).toEqual({
      orders: {
        status: {
          name: 'orders',
          connector: { state: 'RUNNING', worker_id: worker },
          tasks: [
            { id: 0, state: 'FAILED', worker_id: worker, trace: 'boom', recordsWritten: 0, recordsDeadLettered: 0 },
            { id: 1, state: 'RUNNING', worker_id: worker, recordsWritten: 1, recordsDeadLettered: 0 },
          ],
          type: 'sink',
        },
        info: { name: 'orders', config: { ...HIDDEN_SOURCE, name: 'orders' }, tasks: [{ connector: 'orders', task: 0 }, { connector: 'orders', task: 1 }], type: 'sink' },
      },
    });
    expect((await call('GET', '/connectors?expand=status,info')).body).toEqual(listed.body);
    expect((await call('GET', '/connectors/orders/tasks')).body).toEqual([
      { id: { connector: 'orders', task: 0 }, config: { ...HIDDEN_SOURCE, name: 'orders' } },
      { id: { connector: 'orders', task: 1 }, config: { ...HIDDEN_SOURCE, name: 'orders' } },
    ]);
    expect(await call('GET', '/connectors/orders/tasks/0/status')).toMatchObject({ code: 200, body: { id: 0, state: 'FAILED', trace: 'boom' } });
    expect(await call('GET', '/connectors/orders/tasks/7/status')).toMatchObject({ code: 404, body: { message: 'No status found for task orders-7' } });

    expect(await call('POST', '/connectors/orders/restart')).toMatchObject({ code: 204, body: undefined });
    expect(control.restarts).toEqual([{ name: 'orders', includeTasks: false, onlyFailed: false, offset: expect.any(Number) }]);
    const restarting = await call('POST', '/connectors/orders/restart?includeTasks=true&onlyFailed=true');
    expect(restarting).toMatchObject({ code: 202, body: { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RESTARTING' }, { id: 1, state: 'RUNNING' }] } });
    expect(control.restarts).toEqual([{ name: 'orders', includeTasks: true, onlyFailed: true, offset: expect.any(Number) }]);
    expect((await call('POST', '/connectors/orders/tasks/1/restart')).code).toBe(204);
    expect(control.restarts).toMatchObject([{ includeTasks: true, onlyFailed: false }]);
    expect((await call('POST', '/connectors/orders/tasks/9/restart')).code).toBe(404);
    expect((await call('POST', '/connectors/nobody/restart')).code).toBe(404);
  });

  it('answers offsets (KIP-875) in any state, and resets them only once the connector is stopped', async () => {
    await call('POST', '/connectors', { name: 'orders', config: source });
    const offsets = { offsets: [{ partition: { stream: 'orders' }, offset: { v: 1, start: 1 } }] };
    control.stored.set('orders', offsets);
    expect(await call('GET', '/connectors/orders/offsets')).toMatchObject({ code: 200, body: offsets });
    expect(await call('DELETE', '/connectors/orders/offsets')).toMatchObject({
      code: 400,
      body: { error_code: 400, message: expect.stringMatching(/^Connectors must be in the STOPPED state before their offsets can be modified/) },
    });
    await call('PUT', '/connectors/orders/stop');
    expect(await call('DELETE', '/connectors/orders/offsets')).toMatchObject({ code: 200, body: { message: 'The offsets for this connector have been reset successfully' } });
    expect(await call('GET', '/connectors/orders/offsets')).toMatchObject({ code: 200, body: { offsets: [] } });
    expect((await call('GET', '/connectors/nobody/offsets')).code).toBe(404);
  });

  it('alters offsets (KIP-875 PATCH) only once the connector is stopped, in the shapes of its type, refusing a bad entry by name', async () => {
    const clear = { offsets: [{ partition: { stream: 'orders' }, offset: null }] };
    await call('POST', '/connectors', { name: 'orders', config: source });
    expect(await call('PATCH', '/connectors/orders/offsets', clear)).toMatchObject({ code: 400, body: { message: expect.stringMatching(/must be in the STOPPED state/) } });
    await call('PUT', '/connectors/orders/stop');
    expect(await call('PATCH', '/connectors/orders/offsets', clear)).toMatchObject({ code: 200, body: { message: 'The offsets for this connector have been altered successfully' } });
    expect(await call('PATCH', '/connectors/orders/offsets', { offsets: [{ partition: { kafka_topic: 'orders', kafka_partition: 0 }, offset: null }] })).toMatchObject({
      code: 400,
      body: { error_code: 400, message: expect.stringMatching(/^offsets\[0\]: partition \{"kafka_topic":"orders","kafka_partition":0\} is not a partition of this connector/) },
    });
    expect(await call('POST', '/connectors', { name: 'copy', config: { 'connector.class': 'DynamoDbSink', topics: 'orders', 'aws.dynamodb.region': 'eu-west-1' }, initial_state: 'STOPPED' })).toMatchObject({ code: 201 });
    const rewind = { offsets: [{ partition: { kafka_topic: 'orders', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] };
    expect((await call('PATCH', '/connectors/copy/offsets', rewind)).code).toBe(200);
    expect(control.altered).toEqual([
      { name: 'orders', changes: { type: 'source', changes: [{ partition: { stream: 'orders' }, offset: null }] } },
      { name: 'copy', changes: { type: 'sink', changes: [{ topic: 'orders', partition: 0, offset: 0 }] } },
    ]);
    expect((await call('POST', '/connectors/copy/offsets', rewind)).code).toBe(405);
  });

  it("answers GET /health as Connect's worker does", async () => {
    expect(await call('GET', '/health')).toEqual({
      code: 200,
      body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' },
      location: null,
    });
  });
});

describe('REST API of run: connectors come from files', () => {
  it('refuses every change with 405', async () => {
    const server = await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], idleWorkerInfo());
    try {
      const post = await fetch(`${server.url}/connectors`, { method: 'POST', body: JSON.stringify({ name: 'x', config: source }) });
      expect({ code: post.status, body: await post.json() }).toEqual({
        code: 405,
        body: { error_code: 405, message: 'POST is not supported: connectors are configured by files (dynamodb-kafka run)' },
      });
      expect((await fetch(`${server.url}/connectors/x/pause`, { method: 'PUT' })).status).toBe(405);
      expect((await fetch(`${server.url}/connectors/x/config`, { method: 'PUT', body: '{}' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
