import { Socket } from 'node:net';
import type { KafkaConnection } from './client.js';

// The Kafka cluster's id, for the REST API's root (`kafka_cluster_id`, as Kafka Connect answers it).
// @confluentinc/kafka-javascript 1.10 exposes no way to read it: its admin API has no describeCluster and its
// metadata carries no cluster id (confluent-kafka-javascript issue #529), although librdkafka knows it. So it is
// asked here with one Metadata request (API key 3, version 4: supported from Kafka 1.0 to 4.x) for no topics,
// on a plain TCP connection. Clusters reached through TLS or SASL are not asked: their id stays unknown.

const METADATA = 3;
const METADATA_VERSION = 4;
const CORRELATION_ID = 1;

/**
 * The id of the cluster behind `connection`'s bootstrap servers, from the first that answers within `timeoutMs`;
 * undefined when none does, the broker has no id, or the connection is not plaintext. Never rejects.
 */
export async function fetchClusterId(connection: KafkaConnection, timeoutMs: number): Promise<string | undefined> {
  const protocol = String(connection.properties?.['security.protocol'] ?? 'plaintext').toLowerCase();
  if (protocol !== 'plaintext') return undefined;
  const request = metadataRequest(connection.clientId ?? 'dynamodb-kafka');
  for (const broker of connection.bootstrapServers.split(',').map((server) => server.trim())) {
    const answer = await exchange(broker, request, timeoutMs).catch(() => undefined);
    if (!answer) continue;
    try {
      return clusterIdOf(answer);
    } catch {
      return undefined; // not a Metadata v4 response: not a Kafka broker we can read
    }
  }
  return undefined;
}

/** A Metadata request (v4) for no topics, framed with its size. */
export function metadataRequest(clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length + 4 + 1);
  let at = body.writeInt16BE(METADATA, 0);
  at = body.writeInt16BE(METADATA_VERSION, at);
  at = body.writeInt32BE(CORRELATION_ID, at);
  at = body.writeInt16BE(client.length, at);
  at += client.copy(body, at);
  at = body.writeInt32BE(0, at); // topics: an empty array (null would mean all of them)
  body.writeInt8(0, at); // allow_auto_topic_creation: false
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** The cluster id in a Metadata response (v4, without its size); undefined when the broker has none. */
export function clusterIdOf(response: Buffer): string | undefined {
  if (response.readInt32BE(0) !== CORRELATION_ID) return undefined;
  let at = 4 + 4; // correlation_id, throttle_time_ms
  const string = (): string | null => {
    const length = response.readInt16BE(at);
    at += 2;
    if (length < 0) return null;
    at += length;
    return response.toString('utf8', at - length, at);
  };
  const brokers = response.readInt32BE(at);
  at += 4;
  for (let i = 0; i < brokers; i++) {
    at += 4; // node_id
    string(); // host
    at += 4; // port
    string(); // rack
  }
  return string() ?? undefined;
}

/** Sends one framed request to `broker` (host:port) and resolves with the response's body. */
function exchange(broker: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${broker} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('close', () => reject(new Error(`${broker} closed the connection before answering`)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      resolve(received.subarray(4, 4 + received.readInt32BE(0)));
    });
    socket.connect(port, host, () => socket.write(request));
  });
}
