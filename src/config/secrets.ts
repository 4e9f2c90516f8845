/** What a log line or an error message shows instead of a secret's value. */
export const HIDDEN = '[hidden]';

const SECRET_KEYS: ReadonlySet<string> = new Set([
  'aws.access.key.id',
  'aws.secret.access.key',
  'aws.secret.key', // trustpilot's name for aws.secret.access.key
  'aws.session.token',
  'aws.sts.role.external.id', // shared with the role's owner as a guard against the confused-deputy problem
  'aws.dynamodb.credentials.provider.sts.role.external.id', // Confluent DynamoDB Sink's name for it
  'sasl.password',
  'sasl.jaas.config', // embeds the password
  'sasl.oauthbearer.client.secret',
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.key.pem',
  'schema.registry.basic.auth.user.info',
  'basic.auth.user.info', // the converters' name for it
  'schema.registry.url', // may hold user:password@ (basic.auth.credentials.source=URL)
  'kafka.api.key',
  'kafka.api.secret',
]);

/** Kafka Connect's per-connector client overrides (`consumer.override.sasl.jaas.config`…) hold the same secrets. */
const CLIENT_OVERRIDE_PREFIX = /^(consumer|producer|admin)\.override\./;

/** True for keys whose values must never be printed: logs, error messages, status pages. */
export function isSecretKey(key: string): boolean {
  const bare = key.replace(CLIENT_OVERRIDE_PREFIX, '');
  return SECRET_KEYS.has(bare) || bare.endsWith('.password') || bare.endsWith('.secret');
}

/**
 * A copy of `config` that is safe to log or to answer to whoever asks (the REST API's `GET /connectors/{c}/config`):
 * every secret value replaced with "[hidden]", as Kafka Connect shows its PASSWORD values. Validation
 * (runtime/connect-config-infos.ts) hides the same keys.
 */
export function redactConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, isSecretKey(key) ? HIDDEN : value]));
}
