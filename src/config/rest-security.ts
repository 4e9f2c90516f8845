import { isIP } from 'node:net';
import { z } from 'zod';
import { keyProblem, type ConfigProblem } from './errors.js';
import { list, oneOf, text } from './values.js';

/**
 * How the REST API is protected, from Kafka Connect's worker keys where they exist:
 * - TLS on `https://` listeners from `listeners.https.ssl.*` (the keystore as PKCS12 or PEM; a PEM truststore
 *   for `ssl.client.auth`);
 * - basic auth: Connect takes `rest.extension.classes=…BasicAuthSecurityRestExtension` and a JAAS file whose
 *   PropertyFileLoginModule names a `user: password` file; here that file is named by
 *   `rest.basic.auth.credentials.file` (the JAAS file itself is not read).
 */
export interface RestSecurity {
  /** The `user: password` file of basic auth; none = no basic auth. */
  credentialsFile?: string;
  /** For `https://` listeners. */
  tls?: RestTls;
}

export interface RestTls {
  keystore: { location: string; type: 'PKCS12' | 'PEM'; password?: string };
  /** The private key's own password (PEM keystores); the keystore's password when unset. */
  keyPassword?: string;
  /** PEM certificates of the authorities whose client certificates are accepted. */
  truststore?: string;
  clientAuth: 'none' | 'requested' | 'required';
}

const HTTPS = 'listeners.https.';

export const restSecurityKeysSchema = z.object({
  'rest.basic.auth.credentials.file': text().optional(),
  'rest.extension.classes': list().optional(),
  [`${HTTPS}ssl.keystore.location`]: text().optional(),
  [`${HTTPS}ssl.keystore.type`]: oneOf(['PKCS12', 'PEM', 'JKS']).optional(),
  [`${HTTPS}ssl.keystore.password`]: text().optional(),
  [`${HTTPS}ssl.key.password`]: text().optional(),
  [`${HTTPS}ssl.truststore.location`]: text().optional(),
  [`${HTTPS}ssl.truststore.type`]: oneOf(['PEM', 'PKCS12', 'JKS']).optional(),
  [`${HTTPS}ssl.client.auth`]: oneOf(['none', 'requested', 'required']).optional(),
});

type RestSecurityKeys = Partial<Record<keyof z.output<typeof restSecurityKeysSchema>, string | string[]>>;

const BASIC_AUTH_EXTENSION = 'BasicAuthSecurityRestExtension';

/** Reads the REST API's security keys and refuses listeners beyond loopback that nobody has to log in to. */
export function parseRestSecurity(keys: RestSecurityKeys, listeners: readonly string[], problems: ConfigProblem[]): RestSecurity {
  const get = (key: keyof RestSecurityKeys) => keys[key] as string | undefined;
  const credentialsFile = get('rest.basic.auth.credentials.file');
  for (const extension of (keys['rest.extension.classes'] as string[] | undefined) ?? []) {
    if (!extension.endsWith(BASIC_AUTH_EXTENSION)) {
      problems.push(keyProblem('rest.extension.classes', `${extension} is not built in; only ${BASIC_AUTH_EXTENSION} is (as rest.basic.auth.credentials.file)`));
    } else if (credentialsFile === undefined) {
      problems.push(
        keyProblem(
          'rest.extension.classes',
          `${BASIC_AUTH_EXTENSION} needs rest.basic.auth.credentials.file: the "user: password" file its JAAS PropertyFileLoginModule names (file=…)`,
        ),
      );
    }
  }
  const tls = parseTls(get, listeners, problems);
  const mutualTls = tls?.clientAuth === 'required';
  for (const listener of listeners) {
    const address = listenAddress(listener);
    if (!address || isLoopback(address.host)) continue;
    const authenticated = credentialsFile !== undefined || (address.tls && mutualTls);
    if (!authenticated) {
      problems.push(
        keyProblem(
          'listeners',
          `${listener} is reachable beyond this machine but nobody has to log in to it: set rest.basic.auth.credentials.file, ` +
            `or listen on https:// with ${HTTPS}ssl.client.auth=required, or bind 127.0.0.1`,
        ),
      );
    }
  }
  return { ...(credentialsFile !== undefined ? { credentialsFile } : {}), ...(tls ? { tls } : {}) };
}

function parseTls(get: (key: keyof RestSecurityKeys) => string | undefined, listeners: readonly string[], problems: ConfigProblem[]): RestTls | undefined {
  const wanted = listeners.some((listener) => listener.startsWith('https://'));
  const location = get(`${HTTPS}ssl.keystore.location`);
  if (!wanted) return undefined;
  if (location === undefined) {
    problems.push(keyProblem(`${HTTPS}ssl.keystore.location`, 'required for an https:// listener (a PKCS12 or PEM file with the key and certificate)'));
    return undefined;
  }
  const type = get(`${HTTPS}ssl.keystore.type`) ?? 'PKCS12';
  if (type === 'JKS') {
    problems.push(keyProblem(`${HTTPS}ssl.keystore.type`, 'JKS cannot be read here: convert it with keytool -importkeystore -deststoretype PKCS12'));
    return undefined;
  }
  const trustType = get(`${HTTPS}ssl.truststore.type`) ?? 'PEM';
  if (trustType !== 'PEM') {
    problems.push(keyProblem(`${HTTPS}ssl.truststore.type`, `${trustType} cannot be read here: give the authorities' certificates as a PEM file`));
  }
  const clientAuth = (get(`${HTTPS}ssl.client.auth`) ?? 'none') as RestTls['clientAuth'];
  const truststore = get(`${HTTPS}ssl.truststore.location`);
  if (clientAuth !== 'none' && truststore === undefined) {
    problems.push(keyProblem(`${HTTPS}ssl.truststore.location`, `required with ${HTTPS}ssl.client.auth=${clientAuth}: the authorities that sign client certificates`));
  }
  const password = get(`${HTTPS}ssl.keystore.password`);
  const keyPassword = get(`${HTTPS}ssl.key.password`);
  return {
    keystore: { location, type: type as 'PKCS12' | 'PEM', ...(password !== undefined ? { password } : {}) },
    ...(keyPassword !== undefined ? { keyPassword } : {}),
    ...(truststore !== undefined ? { truststore } : {}),
    clientAuth,
  };
}

/**
 * Where a listener (`http://host:port`, `https://[v6]:port`) binds; undefined when it is not such a URL. An empty
 * host binds every interface, as Kafka Connect's listeners do.
 */
export function listenAddress(listener: string): { host: string; port: number; tls: boolean } | undefined {
  const parts = /^(https?):\/\/([^/]*):(\d+)\/?$/.exec(listener);
  if (!parts) return undefined;
  return { host: parts[2] === '' ? '0.0.0.0' : parts[2]!.replace(/^\[|\]$/g, ''), port: Number(parts[3]), tls: parts[1] === 'https' };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine reaches them. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host.startsWith('::ffff:127.');
}
