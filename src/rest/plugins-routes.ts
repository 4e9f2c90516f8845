import type { IncomingMessage, ServerResponse } from 'node:http';
import { connectorPlugins } from '../runtime/connect-plugins.js';
import { validateConnectorConfig } from '../runtime/connect-validate.js';
import { RestError, isRead, methodNotAllowed, notFound, readJson, reply } from './http.js';

/**
 * `GET /connector-plugins` (`?connectorsOnly=false` lists the same: there are no converter or transformation
 * plugins) and `PUT /connector-plugins/{plugin}/config/validate`.
 */
export async function routePlugins(request: IncomingMessage, response: ServerResponse, parts: string[], path: string): Promise<void> {
  if (parts.length === 1) {
    if (!isRead(request)) throw methodNotAllowed(request);
    return reply(response, 200, connectorPlugins());
  }
  if (!(parts.length === 4 && parts[2] === 'config' && parts[3] === 'validate')) throw notFound(path);
  if (request.method !== 'PUT') throw methodNotAllowed(request);
  const outcome = validateConnectorConfig(parts[1]!, await readJson(request));
  if (outcome.status !== 200) throw new RestError(outcome.status, outcome.message);
  reply(response, 200, outcome.body);
}
