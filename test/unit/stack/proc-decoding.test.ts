import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listeningAddresses } from '../../support/proc.js';

// The loopback check in the CLI test relies on this decoding of /proc/net/tcp{,6}.
describe('listeningAddresses', () => {
  it('reports a socket bound to 127.0.0.1 as loopback and one bound to all interfaces as not', async () => {
    const loopback = createServer().listen(0, '127.0.0.1');
    const wildcard = createServer().listen(0, '0.0.0.0');
    await Promise.all([loopback, wildcard].map((server) => new Promise((resolve) => server.once('listening', resolve))));
    try {
      expect(listeningAddresses((loopback.address() as AddressInfo).port)).toEqual(['127.0.0.1']);
      expect(listeningAddresses((wildcard.address() as AddressInfo).port)).toEqual(['0.0.0.0']);
    } finally {
      loopback.close();
      wildcard.close();
    }
  });
});
