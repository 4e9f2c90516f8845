import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONNECTOR_VERSION } from '../domain/version.js';
import type { ClusterConnectorStatus } from './cluster-status.js';
import { connectorPlugins } from './connect-plugins.js';
import { connectStatus } from './connect-status.js';
import { validateConnectorConfig } from './connect-validate.js';
import type { SinkConnectorStatus } from './sink-connector.js';
import type { ConnectorStatus } from './source-connector.js';

export interface RestServer {
  /** `http://host:port`, with the port the OS chose when 0 was asked for. */
  url: string;
  close(): Promise<void>;
}

/** What `GET /` answers besides the version, as Kafka Connect's root does. */
export interface WorkerInfo {
  /** The git commit of the build; '' when unknown. */
  commit: string;
  /** The id of the Kafka cluster the connectors use; '' when unknown (a failure too: the root still answers). */
  kafkaClusterId(): Promise<string>;
  /** A worker of a cluster: every connector's status across the cluster, for `GET /connectors/{name}/status`. */
  clusterStatus?(): Promise<ClusterConnectorStatus[]>;
}

/**
 * The stateless slice of Kafka Connect's REST API, for the tools and habits built on it: `GET /`,
 * `GET /connectors` (`?expand=status`), `GET /connectors/{name}`, `GET /connectors/{name}/status`,
 * `GET /connector-plugins` and `PUT /connector-plugins/{plugin}/config/validate`. Connectors are configured by
 * files, so everything else answers 405 (other methods) or 404.
 */
export async function startRestServer(
  listen: { host: string; port: number },
  statuses: () => Array<ConnectorStatus | SinkConnectorStatus>,
  info: WorkerInfo,
): Promise<RestServer> {
  let workerId = `${listen.host}:${listen.port}`;
  const server = createServer((request, response) => {
    route(request, response, statuses, info, workerId).catch((error: unknown) => {
      reply(response, 500, { error_code: 500, message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  workerId = `${address.address}:${address.port}`;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  currentStatuses: () => Array<ConnectorStatus | SinkConnectorStatus>,
  info: WorkerInfo,
  workerId: string,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts[0] === 'connector-plugins') return routePlugins(request, response, parts, url.pathname);
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(request, response);
  if (parts.length === 0) {
    reply(response, 200, { version: CONNECTOR_VERSION, commit: info.commit, kafka_cluster_id: await info.kafkaClusterId().catch(() => '') });
    return;
  }
  if (parts[0] === 'connectors' && parts.length === 3 && parts[2] === 'status' && info.clusterStatus) {
    const found = (await info.clusterStatus()).find((candidate) => candidate.name === parts[1]);
    if (found) reply(response, 200, found);
    else reply(response, 404, { error_code: 404, message: `Connector ${parts[1]} not found` });
    return;
  }
  const statuses = currentStatuses();
  if (parts[0] !== 'connectors' || parts.length > 3) return notFound(response, url.pathname);
  if (parts.length === 1) {
    const expand = url.searchParams.getAll('expand');
    if (expand.includes('status')) {
      reply(response, 200, Object.fromEntries(statuses.map((status) => [status.name, { status: connectStatus(status, workerId) }])));
    } else {
      reply(response, 200, statuses.map((status) => status.name));
    }
    return;
  }
  const status = statuses.find((candidate) => candidate.name === parts[1]);
  if (!status) {
    reply(response, 404, { error_code: 404, message: `Connector ${parts[1]} not found` });
    return;
  }
  const full = connectStatus(status, workerId);
  if (parts.length === 2) {
    reply(response, 200, { name: full.name, type: full.type, tasks: full.tasks.map((task) => ({ connector: full.name, task: task.id })) });
  } else if (parts[2] === 'status') {
    reply(response, 200, full);
  } else {
    notFound(response, url.pathname);
  }
}

/**
 * `GET /connector-plugins` (`?connectorsOnly=false` lists the same: there are no converter or transformation
 * plugins) and `PUT /connector-plugins/{plugin}/config/validate`.
 */
async function routePlugins(request: IncomingMessage, response: ServerResponse, parts: string[], path: string): Promise<void> {
  const isValidate = parts.length === 4 && parts[2] === 'config' && parts[3] === 'validate';
  if (parts.length === 1) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(request, response);
    return reply(response, 200, connectorPlugins());
  }
  if (!isValidate) return notFound(response, path);
  if (request.method !== 'PUT') return methodNotAllowed(request, response);
  const body = await readJson(request);
  const outcome = 'error' in body ? { status: 400 as const, message: body.error } : validateConnectorConfig(parts[1]!, body.value);
  if (outcome.status === 200) reply(response, 200, outcome.body);
  else reply(response, outcome.status, { error_code: outcome.status, message: outcome.message });
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The request's JSON body; an error (never quoting the body: it may hold secrets) when it is not JSON or too big. */
async function readJson(request: IncomingMessage): Promise<{ value: unknown } | { error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { error: `the request body is larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { error: 'the request body is not valid JSON' };
  }
}

function methodNotAllowed(request: IncomingMessage, response: ServerResponse) {
  reply(response, 405, { error_code: 405, message: `${request.method} is not supported: connectors are configured by files (dynamodb-kafka run)` });
}

function notFound(response: ServerResponse, path: string) {
  reply(response, 404, { error_code: 404, message: `Unknown endpoint ${path}` });
}

function reply(response: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}
