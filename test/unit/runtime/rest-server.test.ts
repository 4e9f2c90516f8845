import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTOR_VERSION } from '../../../src/domain/version.js';
import { startRestServer, type RestServer } from '../../../src/runtime/rest-server.js';
import { idleWorkerInfo } from '../../support/worker-info.js';

describe('REST API root', () => {
  let server: RestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const root = async (info: Parameters<typeof idleWorkerInfo>[0]) => {
    server = await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], idleWorkerInfo(info));
    const response = await fetch(`${server.url}/`);
    return { code: response.status, body: await response.json() };
  };

  it("answers as Kafka Connect's does: version, the build's commit and the Kafka cluster's id", async () => {
    expect(await root({ commit: '3211eca', kafkaClusterId: async () => 'j6n1z7gOUi_NI9-eo_O86w' })).toEqual({
      code: 200,
      body: { version: CONNECTOR_VERSION, commit: '3211eca', kafka_cluster_id: 'j6n1z7gOUi_NI9-eo_O86w' },
    });
  });

  it("still answers when the cluster id cannot be learnt, with '' for it", async () => {
    expect(await root({ commit: '', kafkaClusterId: () => Promise.reject(new Error('no broker')) })).toEqual({
      code: 200,
      body: { version: CONNECTOR_VERSION, commit: '', kafka_cluster_id: '' },
    });
  });
});

describe('REST API for people and Prometheus', () => {
  let server: RestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const get = async (path: string, accept?: string) => {
    server ??= await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], idleWorkerInfo({ commit: 'c' }));
    return fetch(`${server.url}${path}`, accept ? { headers: { accept } } : {});
  };

  it('gives a browser the status page at the root, and an API client JSON there', async () => {
    const page = await get('/', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>dynamodb-kafka</title>');
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html']) {
      const api = await get('/', accept);
      expect(api.headers.get('content-type')).toBe('application/json');
      expect(await api.json()).toMatchObject({ commit: 'c' });
    }
  });

  it('answers /health as Connect does, and 503 with the reasons while a connector is stuck or the worker starts', async () => {
    const healthOf = async (info: Parameters<typeof idleWorkerInfo>[0]) => {
      const started = await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], idleWorkerInfo(info));
      try {
        const answer = await fetch(`${started.url}/health`);
        return { code: answer.status, body: await answer.json() };
      } finally {
        await started.close();
      }
    };
    expect(await healthOf({})).toEqual({ code: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } });
    expect(await healthOf({ ready: () => false })).toEqual({ code: 503, body: { status: 'starting', message: 'Worker is still starting up.' } });
    const since = Date.UTC(2026, 11, 4, 9, 0, 0);
    expect(await healthOf({ problems: () => [{ connector: 'orders', reason: 'a DynamoDB GetRecords call has been pending for 61 s', since }] })).toEqual({
      code: 503,
      body: { status: 'unhealthy', message: 'connector orders: a DynamoDB GetRecords call has been pending for 61 s (since 2026-12-04T09:00:00.000Z)' },
    });
  });

  it("serves the process's metrics in Prometheus's text format", async () => {
    const answer = await get('/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await answer.text()).toMatch(/^# TYPE dynamodb_kafka_process_cpu_user_seconds_total counter$/m);
  });
});

describe('REST API connector plugins', () => {
  let server: RestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const call = async (path: string, init?: RequestInit) => {
    server ??= await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], idleWorkerInfo());
    const response = await fetch(`${server.url}${path}`, init);
    return { code: response.status, body: await response.json() };
  };
  const put = (path: string, body: string) => call(path, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  it('lists the plugins, with connectorsOnly=false too (there are no converter or transformation plugins)', async () => {
    const { code, body } = await call('/connector-plugins');
    expect(code).toBe(200);
    expect(body).toContainEqual({ class: 'DynamoDbSource', type: 'source', version: CONNECTOR_VERSION });
    expect((await call('/connector-plugins?connectorsOnly=false')).body).toEqual(body);
  });

  it('validates with PUT, and answers errors in Connect\'s shape', async () => {
    const config = { 'connector.class': 'DynamoDbSource', name: 'n', 'dynamodb.table.includelist': 't1', 'aws.region': 'eu-west-1' };
    expect(await put('/connector-plugins/DynamoDbSource/config/validate', JSON.stringify(config))).toMatchObject({ code: 200, body: { error_count: 0 } });
    expect(await put('/connector-plugins/Nope/config/validate', JSON.stringify(config))).toEqual({
      code: 404,
      body: { error_code: 404, message: 'Unknown connector plugin Nope' },
    });
    expect(await put('/connector-plugins/DynamoDbSource/config/validate', '{"connector.class": ')).toEqual({
      code: 400,
      body: { error_code: 400, message: 'the request body is not valid JSON' },
    });
    expect((await call('/connector-plugins/DynamoDbSource/config/validate')).code).toBe(405);
    expect((await call('/connector-plugins', { method: 'POST' })).code).toBe(405);
    expect((await call('/connector-plugins/DynamoDbSource/other')).code).toBe(404);
  });
});
