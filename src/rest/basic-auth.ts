import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readProperties } from '../config/connector-file.js';
import { ConfigError } from '../config/errors.js';
import { readKeyFile } from '../config/key-file.js';
import { RestError } from './http.js';

const CREDENTIALS_KEY = 'rest.basic.auth.credentials.file';

/** What a client that did not log in is told, as Kafka Connect's BasicAuthSecurityRestExtension answers. */
const challenge = (message: string) => new RestError(401, message, { 'www-authenticate': 'Basic realm="dynamodb-kafka"' });

/**
 * HTTP basic auth against the `user: password` lines of a credentials file — the file Kafka Connect's JAAS
 * PropertyFileLoginModule reads (properties syntax, so `user=password` too). Read once, at start.
 */
export class BasicAuth {
  private constructor(private readonly users: Map<string, Buffer>) {}

  static async load(file: string): Promise<BasicAuth> {
    const text = (await readKeyFile(CREDENTIALS_KEY, file)).toString('utf8');
    const users = new Map(Object.entries(readProperties(text)).map(([user, password]) => [user, digest(password)] as const));
    if (users.size === 0) throw new ConfigError([{ key: CREDENTIALS_KEY, message: `${CREDENTIALS_KEY}: ${file} holds no "user: password" line` }]);
    return new BasicAuth(users);
  }

  /** Throws a 401 unless the request carries a known user's password. What was sent is never repeated. */
  check(request: IncomingMessage): void {
    const header = request.headers.authorization;
    if (!header) throw challenge('Authentication required: this REST API takes HTTP basic auth');
    const match = /^Basic\s+(\S+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const expected = separator > 0 ? this.users.get(decoded.slice(0, separator)) : undefined;
    // Digests of equal length, so the comparison takes the same time whatever the password's length.
    const sent = digest(separator > 0 ? decoded.slice(separator + 1) : '');
    if (!expected || !timingSafeEqual(expected, sent)) throw challenge('Authentication failed: unknown user or wrong password');
  }
}

function digest(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}
