import type { SchemaInfo } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
import type { SchemaRegistry, RegistrySchema, SchemaType } from '../../formats/registry/ports.js';
import { SchemaRegistryError } from '../../formats/registry/ports.js';

export interface RegistryConnection {
  /** Base URL of Confluent's REST API (one, or several separated by commas); may hold user:password@. */
  url: string;
  /** basic.auth.credentials.source USER_INFO: schema.registry.basic.auth.user.info; URL: the URL's user:password. */
  basicAuth?: { source: 'USER_INFO'; userInfo: string } | { source: 'URL' };
}

/** How often a call is tried, and the wait between tries, before the caller hears of the failure. */
const RETRIES = { maxRetries: 3, retriesWaitMs: 500, retriesMaxWaitMs: 5_000 };
/** A registry that hangs is a failure like one that refuses connections: its callers retry, then say so. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The registry through Confluent's own client. Only its REST client module is loaded: the package's index
 * also loads every KMS driver (a second and ~50 MB at start), which no format here uses.
 */
export async function schemaRegistryClient(connection: RegistryConnection): Promise<SchemaRegistry> {
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  const urls = connection.url.split(',').map((url) => url.trim());
  const baseURLs = urls.map(withoutCredentials);
  const location = baseURLs.join(',');
  const basicAuth = connection.basicAuth;
  // With source URL, Confluent's client takes the URL that holds user:password@ as its "user info".
  const urlWithCredentials = urls.find((url) => URL.canParse(url) && new URL(url).username !== '');
  const client = new SchemaRegistryClient({
    baseURLs,
    ...RETRIES,
    createAxiosDefaults: { timeout: REQUEST_TIMEOUT_MS },
    ...(basicAuth?.source === 'USER_INFO' ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: basicAuth.userInfo } } : {}),
    ...(basicAuth?.source === 'URL' && urlWithCredentials ? { basicAuthCredentials: { credentialsSource: 'URL', userInfo: urlWithCredentials } } : {}),
  });
  return {
    location,
    async register(subject, schema) {
      try {
        return await client.register(subject, { schemaType: schema.schemaType, schema: schema.schema });
      } catch (error) {
        throw explain(error, location, `registering the schema of subject ${JSON.stringify(subject)}`);
      }
    },
    async schemaById(id) {
      try {
        return registrySchema(await client.getBySubjectAndId('', id));
      } catch (error) {
        throw explain(error, location, `fetching schema id ${id}`);
      }
    },
    async schemaByVersion(subject, version) {
      try {
        return registrySchema(await client.getSchemaMetadata(subject, version));
      } catch (error) {
        throw explain(error, location, `fetching version ${version} of subject ${JSON.stringify(subject)}`);
      }
    },
  };
}

function registrySchema(info: SchemaInfo): RegistrySchema {
  const references = (info.references ?? []).map(({ name, subject, version }) => ({ name, subject, version }));
  return { schemaType: (info.schemaType ?? 'AVRO') as SchemaType, schema: info.schema, ...(references.length > 0 ? { references } : {}) };
}

/** A URL as it may be shown: without user:password. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * The registry's answer in words: a refusal (4xx, e.g. 409 incompatible) is final; anything else (unreachable,
 * 5xx) may pass. Only the status, code and the registry's message are kept: errors of the HTTP client carry the
 * request, with its credentials.
 */
function explain(error: unknown, location: string, doing: string): SchemaRegistryError {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    const code = (error as { errorCode?: unknown }).errorCode;
    const refusal = status === 401 || status === 403 ? 'refused the credentials' : 'refused';
    return new SchemaRegistryError(`Schema Registry at ${location} ${refusal} ${doing}: HTTP ${status}${code ? ` (error ${code})` : ''}: ${message}`, true);
  }
  const networkCode = (error as { code?: unknown }).code;
  const cause = typeof networkCode === 'string' ? networkCode : typeof status === 'number' ? `HTTP ${status}` : message.replace(/https?:\/\/\S+/g, '(url)');
  return new SchemaRegistryError(`Schema Registry at ${location} did not answer ${doing}: ${cause}`, false);
}
