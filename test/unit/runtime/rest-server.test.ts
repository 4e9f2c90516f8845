import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTOR_VERSION } from '../../../src/domain/version.js';
import { startRestServer, type RestServer, type WorkerInfo } from '../../../src/runtime/rest-server.js';

describe('REST API root', () => {
  let server: RestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const root = async (info: WorkerInfo) => {
    server = await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], info);
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
