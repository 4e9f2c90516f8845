import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * A port that was free on the loopback interface a moment ago. Another process may still take it before the
 * server binds; callers detect that from the server's log and try again with a new port.
 */
export function freePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not read the port the OS assigned'));
      });
    });
  });
}
