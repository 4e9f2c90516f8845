import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../config/errors.js';
import { CONNECTOR_VERSION } from '../domain/version.js';
import type { BasicAuth } from './basic-auth.js';
import { routeConnectors, type ConnectorsContext } from './connectors-routes.js';
import { RestError, isRead, methodNotAllowed, notFound, reply, replyError } from './http.js';
import { routePlugins } from './plugins-routes.js';

/** What `GET /` answers besides the version, as Kafka Connect's root does. */
export interface WorkerInfo {
  /** The git commit of the build; '' when unknown. */
  commit: string;
  /** The id of the Kafka cluster the connectors use; '' when unknown (a failure too: the root still answers). */
  kafkaClusterId(): Promise<string>;
}

export interface RouterContext extends ConnectorsContext {
  info: WorkerInfo;
  /** Present when every request must log in. */
  auth?: BasicAuth;
}

/** Kafka Connect's answer of `GET /health` once the worker has started (it serves only then). */
const HEALTHY = { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };

/** Answers one request of Kafka Connect's REST API; every refusal in Connect's `{"error_code", "message"}` shape. */
export async function route(request: IncomingMessage, response: ServerResponse, context: RouterContext): Promise<void> {
  try {
    context.auth?.check(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
    if (parts[0] === 'connectors') return await routeConnectors(request, response, url, parts, context);
    if (parts[0] === 'connector-plugins') return await routePlugins(request, response, parts, url.pathname);
    if (parts.length > 1 || (parts.length === 1 && parts[0] !== 'health')) throw notFound(url.pathname);
    if (!isRead(request)) throw methodNotAllowed(request);
    if (parts[0] === 'health') return reply(response, 200, HEALTHY);
    const kafkaClusterId = await context.info.kafkaClusterId().catch(() => '');
    reply(response, 200, { version: CONNECTOR_VERSION, commit: context.info.commit, kafka_cluster_id: kafkaClusterId });
  } catch (error) {
    if (error instanceof RestError) return replyError(response, error);
    // A stored configuration the parser refuses (its offsets cannot be located then): the request cannot be met.
    if (error instanceof ConfigError) return replyError(response, new RestError(400, error.message));
    replyError(response, new RestError(500, error instanceof Error ? error.message : String(error)));
  }
}
