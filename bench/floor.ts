/**
 * The benchmark's floor: the same DynamoDB (or Streams) call the connector makes, signed with the SDK's own
 * signer (@smithy/signature-v4) and sent with node:http, its answer only JSON.parse'd. No SDK middleware, no
 * deserializer: what any client must at least pay per record. Used by bench/baselines.ts.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/** One JSON-protocol call: the operation's name and its request body, answered by the parsed response body. */
export type FloorCall = (operation: string, body: unknown) => Promise<any>;

const TARGET_PREFIX = { dynamodb: 'DynamoDB_20120810', streams: 'DynamoDBStreams_20120810' } as const;

/**
 * Calls signed with the credentials, region and hash of an SDK client (so both sides of the comparison use
 * the same identity and endpoint), over keep-alive sockets, at most `sockets` at once.
 */
export async function floorCaller(client: DynamoDBClient | DynamoDBStreamsClient, api: keyof typeof TARGET_PREFIX, sockets: number): Promise<{ call: FloorCall; close: () => void }> {
  const config = client.config;
  const region = await config.region();
  const endpoint = config.endpoint ? await config.endpoint() : undefined;
  const url = endpoint
    ? new URL(`${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`)
    : new URL(api === 'streams' ? `https://streams.dynamodb.${region}.amazonaws.com/` : `https://dynamodb.${region}.amazonaws.com/`);
  const signer = new SignatureV4({ credentials: config.credentials, region, service: 'dynamodb', sha256: config.sha256 });
  const secure = url.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: sockets }) : new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const send = secure ? httpsRequest : httpRequest;
  const port = url.port ? Number(url.port) : secure ? 443 : 80;

  const call: FloorCall = async (operation, body) => {
    const text = JSON.stringify(body);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${TARGET_PREFIX[api]}.${operation}`,
        'content-length': String(Buffer.byteLength(text)),
      },
      body: text,
    });
    return new Promise((resolve, reject) => {
      const outgoing = send({ agent, method: 'POST', hostname: url.hostname, port, path: url.pathname, headers: signed.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if ((answer.statusCode ?? 500) >= 300) reject(new Error(`floor ${operation} at ${url.host}: HTTP ${answer.statusCode} ${parsed.__type ?? ''} ${parsed.message ?? parsed.Message ?? ''}`));
          else resolve(parsed);
        });
        answer.on('error', reject);
      });
      outgoing.on('error', (error) => reject(new Error(`floor ${operation} at ${url.host}: ${error.message}`)));
      outgoing.end(text);
    });
  };
  return { call, close: () => agent.destroy() };
}
