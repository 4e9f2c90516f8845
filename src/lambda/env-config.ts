// The handler's configuration: the source connector's own keys, carried by environment variables, read by the
// source connector's own parser (so an error names the key, as with a connector file).
import { ConfigError, keyProblem } from '../config/errors.js';
import { isSecretKey } from '../config/secrets.js';
import { parseSourceConfig, type SourceConfig } from '../config/source.js';

export const ENV_PREFIX = 'DYNAMODB_KAFKA_';
/** `<variable>_SECRET_ARN`: the key's value is that Secrets Manager secret's. */
export const SECRET_ARN_SUFFIX = '_SECRET_ARN';
/** Variables with the prefix that are the project's own settings, not connector keys. */
const NOT_KEYS: ReadonlySet<string> = new Set(['DYNAMODB_KAFKA_HOME', 'DYNAMODB_KAFKA_LOG_LEVEL']);
/** The connector class the handler implies; its name defaults to the function's. */
const DEFAULTS = { 'connector.class': 'DynamoDbSource' } as const;

/** `bootstrap.servers` → `DYNAMODB_KAFKA_BOOTSTRAP_SERVERS` (no source key has "_" or "-", so this is reversible). */
export function variableFor(key: string): string {
  return ENV_PREFIX + key.toUpperCase().replace(/\./g, '_');
}

function keyFor(variable: string): string {
  return variable.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '.');
}

/** Where a key's value comes from: the variable itself, or a secret it names. */
export interface EnvConfig {
  /** Keys whose values were in the environment. */
  values: Record<string, string>;
  /** Key → Secrets Manager ARN (optionally `#field` of a JSON secret), for secrets given by reference. */
  secretArns: Record<string, string>;
}

/** Sorts the environment's DYNAMODB_KAFKA_* variables into keys and secret references. */
export function readEnvConfig(env: Record<string, string | undefined>): EnvConfig {
  const values: Record<string, string> = {};
  const secretArns: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || NOT_KEYS.has(variable) || value === undefined) continue;
    if (variable.endsWith(SECRET_ARN_SUFFIX)) secretArns[keyFor(variable.slice(0, -SECRET_ARN_SUFFIX.length))] = value;
    else values[keyFor(variable)] = value;
  }
  return { values, secretArns };
}

/** Fetches a secret's text; the handler's is Secrets Manager (./secrets.ts). */
export type SecretFetcher = (arn: string) => Promise<string>;

/**
 * The connector's flat configuration: the values, each secret reference replaced by its secret, and the
 * handler's defaults (class; name = the function's). A key given both ways, or a reference to a key that is not
 * a secret, is refused naming the key; a secret that cannot be read is refused naming the key and the ARN's
 * secret name, never its value.
 */
export async function resolveEnvConfig(config: EnvConfig, fetchSecret: SecretFetcher, functionName?: string): Promise<Record<string, string>> {
  const raw: Record<string, string> = { ...DEFAULTS, ...(functionName ? { name: functionName } : {}), ...config.values };
  for (const [key, reference] of Object.entries(config.secretArns)) {
    const variable = variableFor(key) + SECRET_ARN_SUFFIX;
    if (key in config.values) throw new ConfigError(keyProblem(key, `given twice: ${variableFor(key)} and ${variable}; keep one`));
    if (!isSecretKey(key)) throw new ConfigError(keyProblem(key, `${variable} is for secrets (passwords, keys); give ${variableFor(key)} instead`));
    raw[key] = await readSecret(key, reference, fetchSecret);
  }
  return raw;
}

/** `arn[#field]`: the secret's text, or one field of a JSON secret. */
async function readSecret(key: string, reference: string, fetchSecret: SecretFetcher): Promise<string> {
  const [arn, field] = reference.split('#', 2) as [string, string | undefined];
  let text: string;
  try {
    text = await fetchSecret(arn);
  } catch (error) {
    throw new ConfigError(keyProblem(key, `could not read secret ${arn}: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (field === undefined) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(keyProblem(key, `secret ${arn} is not JSON, so it has no field ${JSON.stringify(field)}`));
  }
  const value = (parsed as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string') throw new ConfigError(keyProblem(key, `secret ${arn} has no string field ${JSON.stringify(field)}`));
  return value;
}

/** The handler's connector configuration from the environment, parsed as a connector file's would be. */
export async function sourceConfigFromEnv(env: Record<string, string | undefined>, fetchSecret: SecretFetcher): Promise<SourceConfig> {
  const raw = await resolveEnvConfig(readEnvConfig(env), fetchSecret, env.AWS_LAMBDA_FUNCTION_NAME);
  return parseSourceConfig(raw.name ?? '', raw, { env });
}
