import type { ServerOptions } from 'node:https';
import { readKeyFile } from '../config/key-file.js';
import type { RestTls } from '../config/rest-security.js';

const KEY = 'listeners.https.ssl';

/**
 * Node's TLS options from Kafka Connect's `listeners.https.ssl.*` settings: a PKCS12 keystore as `pfx`, a PEM one
 * (key and certificate chain in one file) as `key` and `cert`, the PEM truststore as the authorities of client
 * certificates; `ssl.client.auth=required` refuses a client without a certificate they signed.
 */
export async function tlsServerOptions(tls: RestTls): Promise<ServerOptions> {
  const keystore = await readKeyFile(`${KEY}.keystore.location`, tls.keystore.location);
  const keyPassword = tls.keyPassword ?? tls.keystore.password;
  const identity: ServerOptions =
    tls.keystore.type === 'PKCS12'
      ? { pfx: keystore, ...(tls.keystore.password !== undefined ? { passphrase: tls.keystore.password } : {}) }
      : { key: keystore, cert: keystore, ...(keyPassword !== undefined ? { passphrase: keyPassword } : {}) };
  return {
    ...identity,
    ...(tls.truststore !== undefined ? { ca: await readKeyFile(`${KEY}.truststore.location`, tls.truststore) } : {}),
    requestCert: tls.clientAuth !== 'none',
    rejectUnauthorized: tls.clientAuth === 'required',
  };
}
