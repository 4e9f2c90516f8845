import type { z } from 'zod';
import { invalidValue, keyProblem, throwIfProblems, unknownKey, type ConfigProblem } from './errors.js';
import { isKafkaClientKey, kafkaClientProperties } from './kafka-properties.js';
import { HIDDEN, redactConfig } from './secrets.js';
import { describeRegistry, registryRequired, settleRegistry } from './registry-keys.js';
import type { AwsCredentials, AwsSettings, SourceConfig, TableDiscovery } from './source-config.js';
import {
  IGNORED_KEYS,
  SOURCE_CONNECTOR_CLASSES,
  SOURCE_KEYS,
  ignoredKeyReason,
  sourceKeysSchema,
  type ConnectorDialect,
  type SourceKey,
  type SourceKeys,
} from './source-keys.js';
import { closestKey } from './suggest.js';
import type { TagFilter } from '../domain/tag-match.js';
import { parseStartTimestamp } from './timestamp.js';
import { hasTableNameCharacters, MAX_TABLE_NAME_LENGTH } from '../domain/table-name.js';

export type { SourceConfig, TableDiscovery, AwsCredentials, AwsSettings } from './source-config.js';
export { isSourceConnectorClass } from './source-keys.js';

/** DynamoDB Streams' GetRecords returns at most this many records. */
const GET_RECORDS_LIMIT = 1000;
const DEFAULT_OFFSET_STORAGE_TOPIC = 'dynamodb-kafka-offsets';
/**
 * max.message.bytes of the topics a source creates. A DynamoDB item is at most 400 KB, but written as DynamoDB
 * JSON inside a JSON string it can grow up to ~13 times (a list of empty strings), twice with both images: 8 MiB
 * holds any change with its new image, and is the most Confluent Cloud's standard clusters allow.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** trustpilot's defaults, kept for configs written for its connector. */
const TRUSTPILOT_DEFAULTS = { topicPrefix: 'dynamodb-', ingestionTagKey: 'datalake-ingest', envTagKey: 'environment', envTagValue: 'dev' };

export interface ParseSourceOptions {
  /** Where AWS_REGION / AWS_DEFAULT_REGION are read from; the process's environment unless given. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads a source connector's Kafka Connect configuration: our keys, Confluent's DynamoDB CDC Source keys and
 * trustpilot's. Throws one ConfigError listing every problem; keys that are accepted without effect come back as
 * `warnings`. `name` is the connector's name (from the file or the REST path) and wins over a `name` key.
 */
export function parseSourceConfig(name: string, raw: Record<string, string>, options: ParseSourceOptions = {}): SourceConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  const { known, clientKeys } = sortKeys(raw, SOURCE_KEY_CATALOG, problems, warnings);
  const { keys, present } = parseKnownKeys(sourceKeysSchema, known, problems);
  // Set in the config with a valid value (a default does not count).
  const isSet = (key: SourceKey): boolean => present.has(key);
  const context: Context = { keys, isSet, problems, warnings, dialect: dialectOf(keys) };

  const connectorName = settleName(name, keys.name, context);
  const connectorClass = keys['connector.class'];
  if (connectorClass === undefined && !problems.some((problem) => problem.key === 'connector.class')) {
    problems.push(keyProblem('connector.class', `required: one of ${Object.keys(SOURCE_CONNECTOR_CLASSES).join(', ')}`));
  }

  const syncMode = settleSyncMode(context);
  const kafka = kafkaClientProperties(clientKeys, {
    authMode: keys['kafka.auth.mode'],
    apiKey: keys['kafka.api.key'],
    apiSecret: keys['kafka.api.secret'],
  });
  problems.push(...kafka.problems);
  warnings.push(...kafka.warnings);

  const config: SourceConfig = {
    name: connectorName,
    connectorClass: connectorClass ?? '',
    tasksMax: keys['tasks.max'],
    discovery: settleDiscovery(context),
    syncMode,
    aws: settleAws(context, env),
    kafka: { bootstrapServers: keys['bootstrap.servers'], properties: kafka.properties },
    topics: {
      prefix: keys['kafka.topic.prefix'] ?? (context.dialect === 'trustpilot' ? TRUSTPILOT_DEFAULTS.topicPrefix : ''),
      suffix: keys['kafka.topic.suffix'],
      map: keys['kafka.topic.map'],
      partitions: eitherOf(context, 'topic.creation.partitions', 'topic.creation.default.partitions') ?? 1,
      replicationFactor: eitherOf(context, 'topic.creation.replication.factor', 'topic.creation.default.replication.factor') ?? -1,
      maxMessageBytes:
        eitherOf(context, 'topic.creation.max.message.bytes', 'topic.creation.default.max.message.bytes') ?? DEFAULT_MAX_MESSAGE_BYTES,
    },
    snapshot: {
      maxPollRecords: keys['dynamodb.snapshot.max.poll.records'],
      segments: keys['dynamodb.snapshot.segments'],
      maxRcuPercentage: keys['dynamodb.snapshot.max.rcu.percentage'],
      maxRcu: keys['dynamodb.snapshot.max.rcu'],
      consistentRead: keys['dynamodb.snapshot.consistent.read'],
      ...settleSnapshotMethod(context),
    },
    cdc: settleCdc(context, syncMode),
    output: {
      ...settleEnvelope(context),
      ...settleDataFormats(context),
      maxBatchSize: keys['max.batch.size'],
      ...settleOversizedRecords(context),
    },
    exactlyOnce: keys['exactly.once.support'] === 'enabled',
    offsetStorageTopic: eitherOf(context, 'offset.storage.topic', 'offsets.storage.topic') ?? DEFAULT_OFFSET_STORAGE_TOPIC,
    warnings,
  };
  throwIfProblems(problems, `invalid configuration for connector "${connectorName || '?'}"`);
  return config;
}

/** The topic a table's changes go to: prefix + (mapped name or table name) + suffix. */
export function topicFor(config: Pick<SourceConfig, 'topics'>, tableName: string): string {
  const { prefix, suffix, map } = config.topics;
  return `${prefix}${map[tableName] ?? tableName}${suffix}`;
}

/** The configuration with every secret replaced by "[hidden]", for logs and status output. */
export function describeSourceConfig(config: SourceConfig): SourceConfig {
  return {
    ...config,
    aws: describeAws(config.aws),
    kafka: { ...config.kafka, properties: describeKafkaProperties(config.kafka.properties) },
    output: { ...config.output, ...(config.output.registry ? { registry: describeRegistry(config.output.registry) } : {}) },
  };
}

/** AWS settings with the access keys and the role's external id replaced by "[hidden]". */
export function describeAws(aws: AwsSettings): AwsSettings {
  const { credentials, assumeRole } = aws;
  return {
    ...aws,
    credentials:
      credentials.kind === 'static'
        ? { kind: 'static', accessKeyId: HIDDEN, secretAccessKey: HIDDEN, ...(credentials.sessionToken ? { sessionToken: HIDDEN } : {}) }
        : credentials,
    assumeRole: assumeRole && { ...assumeRole, externalId: assumeRole.externalId && HIDDEN },
  };
}

/** Kafka client properties with passwords (and the SASL username, see hideUsername) replaced by "[hidden]". */
export function describeKafkaProperties(properties: Record<string, string>): Record<string, string> {
  return hideUsername(redactConfig(properties));
}

/** With Confluent Cloud, the SASL username is the API key, which Confluent counts as a secret. */
function hideUsername(properties: Record<string, string>): Record<string, string> {
  return properties['sasl.username'] === undefined ? properties : { ...properties, 'sasl.username': HIDDEN };
}

interface Context {
  keys: SourceKeys;
  isSet: (key: SourceKey) => boolean;
  problems: ConfigProblem[];
  warnings: string[];
  dialect: ConnectorDialect;
}

/** The keys a connector accepts: its own, and those accepted without effect. */
export interface KeyCatalog {
  known: ReadonlySet<string>;
  /** Did-you-mean candidates: every key that would have been accepted by its exact name. */
  suggestible: readonly string[];
  /** Why an accepted key has no effect; undefined for keys that are not accepted. */
  ignoredReason: (key: string) => string | undefined;
}

/** The Kafka client keys offered as did-you-mean suggestions (any sasl.* or ssl.* key is accepted). */
export const KAFKA_CLIENT_KEY_SUGGESTIONS = [
  'security.protocol',
  'client.id',
  'sasl.mechanism',
  'sasl.username',
  'sasl.password',
  'sasl.jaas.config',
];

const SOURCE_KEY_CATALOG: KeyCatalog = {
  known: new Set(SOURCE_KEYS),
  suggestible: [...SOURCE_KEYS, ...IGNORED_KEYS.flatMap((ignored) => ignored.names), ...KAFKA_CLIENT_KEY_SUGGESTIONS],
  ignoredReason: ignoredKeyReason,
};

/**
 * Splits the raw keys into ours, the Kafka client's, ignored ones (warned about) and unknown ones (problems).
 * Values are trimmed and empty ones dropped: Kafka Connect configs often spell "unset" as "".
 */
export function sortKeys(raw: Record<string, string>, catalog: KeyCatalog, problems: ConfigProblem[], warnings: string[]) {
  const known: Record<string, string> = {};
  const clientKeys: Record<string, string> = {};
  for (const [key, untrimmed] of Object.entries(raw)) {
    const value = untrimmed.trim();
    if (value === '') continue;
    if (catalog.known.has(key)) known[key] = value;
    else if (isKafkaClientKey(key)) clientKeys[key] = value;
    else {
      const reason = catalog.ignoredReason(key);
      if (reason) warnings.push(`${key} is ignored: ${reason}`);
      else problems.push(unknownKey(key, closestKey(key, catalog.suggestible)));
    }
  }
  return { known, clientKeys };
}

/**
 * Parses each key on its own so that every bad value is reported, then parses the good ones together for their
 * types and defaults. A bad key is left out, i.e. treated as unset: the checks across keys still run, and one
 * mistake gives one message.
 */
export function parseKnownKeys<Schema extends z.ZodObject>(
  schema: Schema,
  known: Record<string, string>,
  problems: ConfigProblem[],
): { keys: z.output<Schema>; present: Set<string> } {
  const shape = schema.shape as Record<string, z.ZodType>;
  const good: Record<string, string> = {};
  for (const [key, value] of Object.entries(known)) {
    const result = shape[key]!.safeParse(value);
    if (result.success) good[key] = value;
    else problems.push(invalidValue(key, result.error.issues[0]?.message ?? 'invalid value', value));
  }
  return { keys: schema.parse(good), present: new Set(Object.keys(good)) };
}

function dialectOf(keys: SourceKeys): ConnectorDialect {
  const connectorClass = keys['connector.class'];
  return connectorClass === undefined ? 'dynamodb-kafka' : SOURCE_CONNECTOR_CLASSES[connectorClass] ?? 'dynamodb-kafka';
}

/**
 * The value of a key or of its other name; a problem when both are set to different values. The message does not
 * quote the values: either may be a secret.
 */
export function eitherOf<Keys, K extends keyof Keys & string>(
  { keys, problems }: { keys: Keys; problems: ConfigProblem[] },
  key: K,
  alias: keyof Keys & string,
  same: (a: Keys[K], b: Keys[K]) => boolean = (a, b) => a === b,
): Keys[K] {
  const value = keys[key];
  const aliasValue = keys[alias] as unknown as Keys[K];
  if (value === undefined) return aliasValue;
  if (aliasValue !== undefined && !same(value, aliasValue)) {
    problems.push(keyProblem(alias, `is another name for ${key}, and the two are set to different values: keep one`));
  }
  return value;
}

/** The connector's name: the caller's (file or REST path) wins over a `name` key. */
export function settleName(
  fromCaller: string,
  fromKey: string | undefined,
  { problems, warnings }: { problems: ConfigProblem[]; warnings: string[] },
): string {
  const name = fromCaller.trim();
  if (name && fromKey !== undefined && fromKey !== name) {
    warnings.push(`name "${fromKey}" in the config is ignored: the connector is named "${name}"`);
  }
  const settled = name || fromKey || '';
  if (!settled) problems.push(keyProblem('name', 'required: the connector needs a name'));
  return settled;
}

/**
 * The record shape: trustpilot's under its class name, so a trustpilot config run unchanged feeds its consumers.
 * trustpilot's shape has one document form and always follows a delete with a tombstone.
 */
function settleEnvelope({ keys, isSet, warnings, dialect }: Context): Pick<SourceConfig['output'], 'envelope' | 'documentFormat' | 'tombstones'> {
  const envelope = keys['output.envelope'] ?? (dialect === 'trustpilot' ? 'trustpilot' : 'confluent');
  if (envelope === 'trustpilot') {
    if (isSet('output.document.format')) {
      warnings.push("output.document.format ignored: output.envelope=trustpilot writes its document as trustpilot does (DynamoDB JSON, lower-case type tags)");
    }
    if (isSet('tombstones.on.delete') && !keys['tombstones.on.delete']) {
      warnings.push('tombstones.on.delete=false ignored: output.envelope=trustpilot follows every delete with a tombstone, as trustpilot does');
    }
    return { envelope, documentFormat: 'dynamodb-json', tombstones: true };
  }
  return { envelope, documentFormat: keys['output.document.format'], tombstones: keys['tombstones.on.delete'] };
}

/**
 * With a Schema Registry and no format set, AVRO for keys and values: Confluent's default. Without a registry,
 * JSON. A registry format without a registry is a problem naming schema.registry.url.
 */
function settleDataFormats({ keys, problems }: Context): Pick<SourceConfig['output'], 'dataFormat' | 'keyFormat' | 'registry'> {
  const registry = settleRegistry(keys, problems);
  const dataFormat = keys['output.data.format'] ?? (registry ? 'AVRO' : 'JSON');
  const keyFormat = keys['output.data.key.format'] ?? (registry ? dataFormat : 'JSON');
  if (!registry) {
    if (dataFormat !== 'JSON') problems.push(registryRequired('output.data.format', dataFormat));
    else if (keyFormat !== 'JSON' && keyFormat !== 'STRING') problems.push(registryRequired('output.data.key.format', keyFormat));
  }
  return { dataFormat, keyFormat, ...(registry ? { registry } : {}) };
}

function settleOversizedRecords({ keys, problems }: Context): Pick<SourceConfig['output'], 'oversizedRecords' | 'deadLetterTopic'> {
  const policy = keys['oversized.record.policy'];
  const deadLetterTopic = keys['errors.deadletterqueue.topic.name'];
  if (policy === 'dead-letter' && deadLetterTopic === undefined) {
    problems.push(keyProblem('errors.deadletterqueue.topic.name', 'required by oversized.record.policy=dead-letter: the topic that receives references to changes too large to write'));
  }
  return { oversizedRecords: policy, ...(deadLetterTopic !== undefined ? { deadLetterTopic } : {}) };
}

const EXPORT_KEYS = ['dynamodb.snapshot.export.s3.bucket', 'dynamodb.snapshot.export.s3.prefix', 'dynamodb.snapshot.export.s3.endpoint'] as const;

function settleSnapshotMethod({ keys, isSet, problems, warnings }: Context): Pick<SourceConfig['snapshot'], 'method' | 'export'> {
  const method = keys['dynamodb.snapshot.method'];
  if (method === 'SCAN') {
    for (const key of EXPORT_KEYS) if (isSet(key)) warnings.push(`${key} is ignored: it applies to dynamodb.snapshot.method=EXPORT only`);
    return { method };
  }
  const bucket = keys['dynamodb.snapshot.export.s3.bucket'];
  if (bucket === undefined) {
    if (!problems.some((problem) => problem.key === 'dynamodb.snapshot.export.s3.bucket')) {
      problems.push(keyProblem('dynamodb.snapshot.export.s3.bucket', 'required with dynamodb.snapshot.method=EXPORT: the S3 bucket DynamoDB exports the table to'));
    }
    return { method };
  }
  const prefix = keys['dynamodb.snapshot.export.s3.prefix'];
  const endpoint = keys['dynamodb.snapshot.export.s3.endpoint'];
  return { method, export: { bucket, ...(prefix !== undefined ? { prefix } : {}), ...(endpoint !== undefined ? { endpoint } : {}) } };
}

function settleSyncMode({ keys, problems }: Context): SourceConfig['syncMode'] {
  const mode = keys['dynamodb.table.sync.mode'];
  const skip = keys['init.sync.skip'];
  // trustpilot's init.sync.skip=true is "no snapshot, stream only": sync mode CDC.
  if (mode !== undefined && skip !== undefined && (mode === 'CDC') !== skip) {
    const meaning = skip ? 'init.sync.skip=true means CDC only' : 'init.sync.skip=false means a snapshot first';
    problems.push(keyProblem('init.sync.skip', `contradicts dynamodb.table.sync.mode=${mode} (${meaning}): keep one`));
  }
  return mode ?? (skip ? 'CDC' : 'SNAPSHOT_CDC');
}

/**
 * DynamoDB's characters and length limit; its 3-character minimum is left to DynamoDB, which then names the table
 * in its error: Confluent's own example configs list tables such as "t1".
 */
const isListedTableName = (name: string) => hasTableNameCharacters(name) && name.length >= 1 && name.length <= MAX_TABLE_NAME_LENGTH;
const TAG_DISCOVERY_KEYS: readonly SourceKey[] = [
  'dynamodb.table.tag.filters',
  'dynamodb.table.ingestion.tag.key',
  'dynamodb.table.env.tag.key',
  'dynamodb.table.env.tag.value',
  'aws.resource.tagging.endpoint',
  'resource.tagging.service.endpoint',
];

function settleDiscovery(context: Context): TableDiscovery {
  const { keys, isSet, problems, warnings } = context;
  const sameTables = (a: string[] | undefined, b: string[] | undefined) =>
    new Set(a).size === new Set(b).size && (a ?? []).every((table) => (b ?? []).includes(table));
  const tables = eitherOf(context, 'dynamodb.table.includelist', 'dynamodb.table.whitelist', sameTables);
  const tablesKey = isSet('dynamodb.table.includelist') || !isSet('dynamodb.table.whitelist') ? 'dynamodb.table.includelist' : 'dynamodb.table.whitelist';
  const explicitMode = keys['dynamodb.table.discovery.mode'];
  const mode = explicitMode ?? (tables !== undefined ? 'INCLUDELIST' : 'TAG');

  if (mode === 'INCLUDELIST') {
    const unused = TAG_DISCOVERY_KEYS.filter(isSet);
    if (unused.length > 0) warnings.push(`${unused.join(', ')} ignored: tables are listed in ${tablesKey} (discovery mode INCLUDELIST)`);
    const unique = [...new Set(tables)];
    if (unique.length === 0) {
      problems.push(keyProblem(tablesKey, 'lists no table: name the tables to capture, comma-separated (or use dynamodb.table.discovery.mode=TAG)'));
    }
    for (const table of unique.filter((table) => !isListedTableName(table))) {
      problems.push(invalidValue(tablesKey, 'expected DynamoDB table names (letters, digits, "_", "-", ".")', table));
    }
    return { mode, tables: unique };
  }

  if (tables !== undefined) warnings.push(`${tablesKey} ignored: dynamodb.table.discovery.mode is TAG`);
  const filters = [...(keys['dynamodb.table.tag.filters'] ?? []), ...trustpilotTagFilters(context)];
  if (filters.length === 0) {
    problems.push(
      explicitMode === 'TAG'
        ? keyProblem('dynamodb.table.tag.filters', 'required with dynamodb.table.discovery.mode=TAG, e.g. key1:v1,v2;key2')
        : keyProblem('dynamodb.table.includelist', 'no tables to capture: list them here, or set dynamodb.table.tag.filters to find them by tag'),
    );
  }
  const taggingEndpoint = eitherOf(context, 'aws.resource.tagging.endpoint', 'resource.tagging.service.endpoint');
  return { mode, filters, taggingEndpoint, rediscoveryPeriodMs: keys['connect.dynamodb.rediscovery.period'] };
}

/**
 * trustpilot discovers tables carrying the ingestion tag key (any value) whose environment tag has the given value.
 * Its defaults apply under its connector class, or once any of its three tag keys is set.
 */
function trustpilotTagFilters({ keys, isSet, dialect }: Context): TagFilter[] {
  const ingestionKey = keys['dynamodb.table.ingestion.tag.key'];
  const envKey = keys['dynamodb.table.env.tag.key'];
  const envValue = keys['dynamodb.table.env.tag.value'];
  const used = dialect === 'trustpilot' || isSet('dynamodb.table.ingestion.tag.key') || isSet('dynamodb.table.env.tag.key') || isSet('dynamodb.table.env.tag.value');
  if (!used) return [];
  return [
    { key: ingestionKey ?? TRUSTPILOT_DEFAULTS.ingestionTagKey, values: [] },
    { key: envKey ?? TRUSTPILOT_DEFAULTS.envTagKey, values: [envValue ?? TRUSTPILOT_DEFAULTS.envTagValue] },
  ];
}

function settleAws(context: Context, env: Record<string, string | undefined>): SourceConfig['aws'] {
  const { keys, isSet } = context;
  return settleAwsKeys(
    {
      region: keys['aws.region'],
      endpoint: keys['dynamodb.service.endpoint'],
      accessKeyId: keys['aws.access.key.id'],
      secretAccessKey: eitherOf(context, 'aws.secret.access.key', 'aws.secret.key'),
      sessionToken: keys['aws.session.token'],
      roleArn: eitherOf(context, 'aws.sts.role.arn', 'aws.assume.role.arn'),
      externalId: keys['aws.sts.role.external.id'],
      sessionName: keys['aws.sts.role.session.name'],
    },
    { regionKey: 'aws.region', roleKeysSet: (['aws.sts.role.external.id', 'aws.sts.role.session.name'] as const).filter(isSet) },
    env,
    context,
  );
}

/** The values of the AWS keys, aliases resolved. */
export interface AwsKeyValues {
  region?: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  roleArn?: string;
  externalId?: string;
  sessionName: string;
}

/**
 * AWS settings from the keys' values: the region (else AWS_REGION / AWS_DEFAULT_REGION), static credentials (both
 * halves or neither) or the default chain, and the role to assume. `roleKeysSet` are the role keys set in the
 * config, warned about when there is no role.
 */
export function settleAwsKeys(
  values: AwsKeyValues,
  { regionKey, roleKeysSet }: { regionKey: string; roleKeysSet: readonly string[] },
  env: Record<string, string | undefined>,
  { problems, warnings }: { problems: ConfigProblem[]; warnings: string[] },
): AwsSettings {
  const region = values.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined);
  if (region === undefined) problems.push(keyProblem(regionKey, 'required (or set the AWS_REGION environment variable)'));

  const { accessKeyId, secretAccessKey, sessionToken } = values;
  let credentials: AwsCredentials = { kind: 'default' };
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    credentials = { kind: 'static', accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) };
  } else if (accessKeyId !== undefined) {
    problems.push(keyProblem('aws.secret.access.key', 'required with aws.access.key.id: set both or neither'));
  } else if (secretAccessKey !== undefined) {
    problems.push(keyProblem('aws.access.key.id', 'required with aws.secret.access.key: set both or neither'));
  } else if (sessionToken !== undefined) {
    problems.push(keyProblem('aws.session.token', 'needs aws.access.key.id and aws.secret.access.key'));
  }

  const { roleArn, externalId } = values;
  if (roleArn === undefined && roleKeysSet.length > 0) {
    warnings.push(`${roleKeysSet.join(', ')} ignored: no role to assume (aws.sts.role.arn is unset)`);
  }
  return {
    region: region ?? '',
    endpoint: values.endpoint,
    credentials,
    assumeRole:
      roleArn === undefined
        ? undefined
        : { roleArn, ...(externalId !== undefined ? { externalId } : {}), sessionName: values.sessionName },
  };
}

function settleCdc(context: Context, syncMode: SourceConfig['syncMode']): SourceConfig['cdc'] {
  const { keys, problems, warnings } = context;
  const explicitPosition = keys['dynamodb.cdc.initial.stream.position'];
  // trustpilot: "init.sync.skip … will only ever read from the LATEST position in the stream".
  const initialPosition = explicitPosition ?? (keys['init.sync.skip'] ? 'LATEST' : 'TRIM_HORIZON');
  if (explicitPosition !== undefined && syncMode !== 'CDC') {
    warnings.push(`dynamodb.cdc.initial.stream.position ignored: it applies to dynamodb.table.sync.mode=CDC only (after a snapshot, changes are read from the snapshot's start)`);
  }

  let startTimestampMs: number | undefined;
  const timestamp = keys['cdc.start.position.timestamp'];
  if (initialPosition === 'AT_TIMESTAMP') {
    const format = keys['cdc.start.position.timestamp.format'];
    const formatIsBad = problems.some((problem) => problem.key === 'cdc.start.position.timestamp.format');
    if (timestamp === undefined) {
      problems.push(keyProblem('cdc.start.position.timestamp', 'required with dynamodb.cdc.initial.stream.position=AT_TIMESTAMP'));
    } else if (!formatIsBad) {
      startTimestampMs = parseStartTimestamp(timestamp, format.parse);
      if (startTimestampMs === undefined) {
        problems.push(invalidValue('cdc.start.position.timestamp', `expected a time in the format ${JSON.stringify(format.pattern)} or epoch milliseconds`, timestamp));
      }
    }
  } else if (timestamp !== undefined) {
    warnings.push(`cdc.start.position.timestamp ignored: dynamodb.cdc.initial.stream.position is ${initialPosition}, not AT_TIMESTAMP`);
  }

  let maxPollRecords = keys['dynamodb.cdc.max.poll.records'];
  if (maxPollRecords > GET_RECORDS_LIMIT) {
    warnings.push(`dynamodb.cdc.max.poll.records lowered from ${maxPollRecords} to ${GET_RECORDS_LIMIT}, the most DynamoDB Streams' GetRecords returns`);
    maxPollRecords = GET_RECORDS_LIMIT;
  }
  return {
    initialPosition,
    ...(startTimestampMs !== undefined ? { startTimestampMs } : {}),
    maxPollRecords,
    pollIntervalMs: keys['dynamodb.cdc.poll.interval.ms'],
    gapPolicy: keys['dynamodb.cdc.gap.policy'],
  };
}
