import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/errors.js';
import type { RestSecurity } from '../config/rest-security.js';
import { BasicAuth } from '../rest/basic-auth.js';
import { fileConfiguredConnectors, type ConnectorControl } from '../rest/connector-control.js';
import { route, type WorkerInfo } from '../rest/router.js';
import { tlsServerOptions } from '../rest/tls.js';
import type { SinkConnectorStatus } from './sink-connector.js';
import type { ConnectorStatus } from './source-connector.js';

export type { WorkerInfo } from '../rest/router.js';

export interface RestServer {
  /** `http://host:port` (or https), with the port the OS chose when 0 was asked for. */
  url: string;
  close(): Promise<void>;
}

export interface RestServerOptions {
  /** How connectors are changed; by default they cannot be (`run`: they come from files, writes answer 405). */
  control?: ConnectorControl;
  /** Basic auth, and TLS (used when `listen.tls` is set). */
  security?: RestSecurity;
}

/**
 * Kafka Connect's REST API (see src/rest/): status, plugins and validation everywhere; the changes of
 * connectors where a control allows them (a worker of a cluster).
 */
export async function startRestServer(
  listen: { host: string; port: number; tls?: boolean },
  statuses: () => Array<ConnectorStatus | SinkConnectorStatus>,
  info: WorkerInfo,
  options: RestServerOptions = {},
): Promise<RestServer> {
  const credentialsFile = options.security?.credentialsFile;
  const auth = credentialsFile !== undefined ? await BasicAuth.load(credentialsFile) : undefined;
  const context = { control: options.control ?? fileConfiguredConnectors, statuses, info, workerId: `${listen.host}:${listen.port}`, ...(auth ? { auth } : {}) };
  const handler = (request: IncomingMessage, response: ServerResponse) => void route(request, response, context);
  const server = listen.tls ? await httpsServer(options.security, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  context.workerId = `${address.address}:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${listen.tls ? 'https' : 'http'}://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function httpsServer(security: RestSecurity | undefined, handler: (request: IncomingMessage, response: ServerResponse) => void) {
  if (!security?.tls) throw new ConfigError([{ key: 'listeners', message: 'an https:// listener needs listeners.https.ssl.keystore.location' }]);
  const options = await tlsServerOptions(security.tls);
  try {
    return createHttpsServer(options, handler);
  } catch (error) {
    // OpenSSL's reason (a wrong password, a file that is no keystore); it never holds the password.
    const key = 'listeners.https.ssl.keystore.location';
    throw new ConfigError([{ key, message: `${key}: ${security.tls.keystore.location} cannot be used: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}
