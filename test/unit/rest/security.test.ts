import { idleWorkerInfo } from '../../support/worker-info.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import type { RestSecurity, RestTls } from '../../../src/config/rest-security.js';
import { startRestServer, type RestServer } from '../../../src/runtime/rest-server.js';

const info = idleWorkerInfo();

describe('REST API basic auth (Connect’s credentials file of "user: password" lines)', () => {
  let dir: string;
  let server: RestServer | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rest-auth-'));
    writeFileSync(join(dir, 'credentials.properties'), '# Connect’s PropertyFileLoginModule file\nadmin: s3cret\nreader=other\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const get = async (authorization?: string) => {
    server ??= await startRestServer({ host: '127.0.0.1', port: 0 }, () => [], info, { security: { credentialsFile: join(dir, 'credentials.properties') } });
    const response = await fetch(`${server.url}/connectors`, authorization ? { headers: { authorization } } : {});
    return { code: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text() };
  };
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('answers 401 with WWW-Authenticate without credentials or with wrong ones, never echoing what was sent', async () => {
    expect(await get()).toEqual({
      code: 401,
      challenge: 'Basic realm="dynamodb-kafka"',
      body: JSON.stringify({ error_code: 401, message: 'Authentication required: this REST API takes HTTP basic auth' }),
    });
    for (const wrong of [basic('admin', 'guess-what'), basic('mallory', 's3cret'), basic('admin', ''), 'Basic !!!', 'Bearer token-xyz']) {
      const answer = await get(wrong);
      expect(answer).toMatchObject({ code: 401, challenge: 'Basic realm="dynamodb-kafka"' });
      expect(answer.body).not.toMatch(/guess-what|mallory|token-xyz/);
    }
  });

  it('lets a known user in, with either properties separator', async () => {
    expect(await get(basic('admin', 's3cret'))).toMatchObject({ code: 200, body: '[]' });
    expect(await get(basic('reader', 'other'))).toMatchObject({ code: 200 });
  });

  it('refuses to start without its credentials file, naming the key and the file', async () => {
    const missing = join(dir, 'nope.properties');
    const start = startRestServer({ host: '127.0.0.1', port: 0 }, () => [], info, { security: { credentialsFile: missing } });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`rest.basic.auth.credentials.file: cannot read ${missing} (ENOENT)`);
  });
});

describe('REST API over TLS (Connect’s listeners.https.ssl.* keys)', () => {
  let dir: string;
  let server: RestServer | undefined;
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

  /** A certificate authority, a server certificate for 127.0.0.1 and a client certificate, all signed by it. */
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rest-tls-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const [name, extra] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
      openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...extra);
    }
    writeFileSync(file('server.pem'), Buffer.concat([readFileSync(file('server.key')), readFileSync(file('server.crt'))]));
    openssl('pkcs12', '-export', '-in', 'server.crt', '-inkey', 'server.key', '-out', 'server.p12', '-passout', 'pass:changeit');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const serve = async (tls: RestTls) => {
    const security: RestSecurity = { tls };
    server = await startRestServer({ host: '127.0.0.1', port: 0, tls: true }, () => [], info, { security });
    return server.url;
  };
  const get = (url: string, options: RequestOptions = {}) =>
    new Promise<{ code: number; body: string }>((resolve, reject) => {
      const call = request(`${url}/health`, { ca: readFileSync(file('ca.pem')), ...options }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ code: response.statusCode!, body }));
      });
      call.on('error', reject);
      call.end();
    });
  const healthy = { code: 200, body: expect.stringContaining('"status":"healthy"') };

  it('serves https with a PEM keystore (key and chain in one file) and with a PKCS12 one', async () => {
    const pemUrl = await serve({ keystore: { location: file('server.pem'), type: 'PEM' }, clientAuth: 'none' });
    expect(pemUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(pemUrl)).toEqual(healthy);
    await server!.close();
    const p12Url = await serve({ keystore: { location: file('server.p12'), type: 'PKCS12', password: 'changeit' }, clientAuth: 'none' });
    expect(await get(p12Url)).toEqual(healthy);
  });

  it('refuses a PKCS12 keystore with a wrong password at start, naming the key and never the password', async () => {
    const start = serve({ keystore: { location: file('server.p12'), type: 'PKCS12', password: 'wrong-one' }, clientAuth: 'none' });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/^listeners\.https\.ssl\.keystore\.location: .*server\.p12 cannot be used: /);
    await expect(start).rejects.not.toThrow(/wrong-one/);
  });

  it('with ssl.client.auth=required, refuses a client without a certificate and serves one with a certificate the truststore signed', async () => {
    const url = await serve({ keystore: { location: file('server.pem'), type: 'PEM' }, truststore: file('ca.pem'), clientAuth: 'required' });
    await expect(get(url)).rejects.toThrow(/certificate|socket hang up|ECONNRESET/);
    expect(await get(url, { cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')) })).toEqual(healthy);
  });
});
