import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../config/errors.js';
import { CONNECTOR_VERSION } from '../domain/version.js';
import type { BasicAuth } from './basic-auth.js';
import { routeConnectors, type ConnectorsContext } from './connectors-routes.js';
import { RestError, isRead, methodNotAllowed, notFound, reply, replyError, send } from './http.js';
import { routePlugins } from './plugins-routes.js';
import { STATUS_PAGE_HTML, wantsHtml } from './status-page.js';

/** What `GET /` answers besides the version, as Kafka Connect's root does. */
export interface WorkerInfo {
  /** The git commit of the build; '' when unknown. */
  commit: string;
  /** The id of the Kafka cluster the connectors use; '' when unknown (a failure too: the root still answers). */
  kafkaClusterId(): Promise<string>;
  /** The Prometheus exposition of the process's metrics (`GET /metrics`). */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** False while a worker is still joining its cluster (its REST API starts first). */
  ready(): boolean;
  /** Connectors whose calls hang or keep failing past the health threshold, with why and since when. */
  problems(): Array<{ connector: string; reason: string; since: number }>;
}

export interface RouterContext extends ConnectorsContext {
  info: WorkerInfo;
  /** Present when every request must log in. */
  auth?: BasicAuth;
}

/** Kafka Connect's answer of `GET /health` once the worker has started (it serves only then). */
const HEALTHY = { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
/** Endpoints at the root besides `/` itself. */
const ROOT_ENDPOINTS = new Set(['health', 'metrics']);

/** Answers one request of Kafka Connect's REST API; every refusal in Connect's `{"error_code", "message"}` shape. */
export async function route(request: IncomingMessage, response: ServerResponse, context: RouterContext): Promise<void> {
  try {
    context.auth?.check(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
    if (parts[0] === 'connectors') return await routeConnectors(request, response, url, parts, context);
    if (parts[0] === 'connector-plugins') return await routePlugins(request, response, parts, url.pathname);
    if (parts.length > 1 || (parts.length === 1 && !ROOT_ENDPOINTS.has(parts[0]!))) throw notFound(url.pathname);
    if (!isRead(request)) throw methodNotAllowed(request);
    if (parts[0] === 'health') return health(response, context.info);
    if (parts[0] === 'metrics') {
      const { contentType, text } = await context.info.metrics();
      return send(response, 200, contentType, text);
    }
    if (wantsHtml(request.headers.accept)) return send(response, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML);
    const kafkaClusterId = await context.info.kafkaClusterId().catch(() => '');
    reply(response, 200, { version: CONNECTOR_VERSION, commit: context.info.commit, kafka_cluster_id: kafkaClusterId });
  } catch (error) {
    if (error instanceof RestError) return replyError(response, error);
    // A stored configuration the parser refuses (its offsets cannot be located then): the request cannot be met.
    if (error instanceof ConfigError) return replyError(response, new RestError(400, error.message));
    replyError(response, new RestError(500, error instanceof Error ? error.message : String(error)));
  }
}

/**
 * Connect's `GET /health`, which also tells the truth about progress: 503 with the reasons while a connector's
 * calls hang or keep failing (usable as a Kubernetes liveness or readiness probe), 200 otherwise.
 */
function health(response: ServerResponse, info: WorkerInfo): void {
  if (!info.ready()) return reply(response, 503, { status: 'starting', message: 'Worker is still starting up.' });
  const problems = info.problems();
  if (problems.length === 0) return reply(response, 200, HEALTHY);
  const message = problems.map((problem) => `connector ${problem.connector}: ${problem.reason} (since ${new Date(problem.since).toISOString()})`).join('; ');
  reply(response, 503, { status: 'unhealthy', message });
}
