import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterIdOf, fetchClusterId, metadataRequest } from '../../../../src/adapters/kafka/cluster-id.js';

const int16 = (value: number) => Buffer.from([(value >> 8) & 0xff, value & 0xff]);
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const string = (value: string | null) => (value === null ? int16(-1) : Buffer.concat([int16(Buffer.byteLength(value)), Buffer.from(value)]));

/** A Metadata v4 response body as a broker writes it: brokers, cluster id, controller, no topics. */
function metadataResponse(clusterId: string | null, correlationId = 1): Buffer {
  const broker = (id: number, host: string, port: number, rack: string | null) => Buffer.concat([int32(id), string(host), int32(port), string(rack)]);
  return Buffer.concat([
    int32(correlationId),
    int32(0), // throttle_time_ms
    int32(2),
    broker(1, '127.0.0.1', 9092, null),
    broker(2, 'kafka-2.example', 9093, 'eu-west-1a'),
    string(clusterId),
    int32(1), // controller_id
    int32(0), // topics
  ]);
}

describe('the Kafka Metadata exchange that tells the cluster id', () => {
  it('asks Metadata v4 for no topics, without creating any', () => {
    expect(metadataRequest('me')).toEqual(
      Buffer.concat([int32(17), int16(3), int16(4), int32(1), string('me'), int32(0), Buffer.from([0])]),
    );
  });

  it("reads the cluster id past the brokers (racks or none); undefined when the broker has none, or for another request's answer", () => {
    expect(clusterIdOf(metadataResponse('j6n1z7gOUi_NI9-eo_O86w'))).toBe('j6n1z7gOUi_NI9-eo_O86w');
    expect(clusterIdOf(metadataResponse(null))).toBeUndefined();
    expect(clusterIdOf(metadataResponse('other', 7))).toBeUndefined();
  });
});

describe('fetchClusterId', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A broker on 127.0.0.1 that answers any request with `response`, in two chunks; resolves with its address. */
  async function broker(response: Buffer | undefined): Promise<string> {
    const server = createServer((socket) => {
      socket.once('data', () => {
        if (!response) return socket.destroy();
        const framed = Buffer.concat([int32(response.length), response]);
        socket.write(framed.subarray(0, 5));
        setImmediate(() => socket.write(framed.subarray(5)));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('asks the bootstrap servers in turn until one answers', async () => {
    const hangsUp = await broker(undefined);
    const answers = await broker(metadataResponse('cluster-1'));
    expect(await fetchClusterId({ bootstrapServers: `${hangsUp}, ${answers}` }, 2_000)).toBe('cluster-1');
  });

  it('is undefined when no broker answers (or not in Kafka\'s words), and for a cluster reached through TLS or SASL (not asked)', async () => {
    const answers = await broker(metadataResponse('cluster-1'));
    expect(await fetchClusterId({ bootstrapServers: '127.0.0.1:1' }, 2_000)).toBeUndefined();
    expect(await fetchClusterId({ bootstrapServers: await broker(Buffer.from([0, 0, 0, 1, 0])) }, 2_000)).toBeUndefined();
    expect(await fetchClusterId({ bootstrapServers: answers, properties: { 'security.protocol': 'SASL_SSL' } }, 2_000)).toBeUndefined();
    expect(await fetchClusterId({ bootstrapServers: answers, properties: { 'security.protocol': 'PLAINTEXT' } }, 2_000)).toBe('cluster-1');
  });
});
