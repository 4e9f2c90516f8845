import type { ParseSourceOptions } from './source.js';
import { keyProblem, throwIfProblems, invalidValue, type ConfigProblem } from './errors.js';
import { isKafkaClientKey, kafkaClientProperties } from './kafka-properties.js';
import { DEFAULT_CAPACITY_UNITS, type SinkConfig } from './sink-config.js';
import {
  CONSUMER_OVERRIDE_PREFIX,
  SINK_CONNECTOR_CLASSES,
  SINK_IGNORED_KEYS,
  SINK_KEYS,
  TOPIC_PLACEHOLDER,
  DEFAULT_SORT,
  sinkIgnoredKeyReason,
  sinkKeysSchema,
  type SinkKey,
  type SinkKeys,
} from './sink-keys.js';
import {
  KAFKA_CLIENT_KEY_SUGGESTIONS,
  describeAws,
  describeKafkaProperties,
  eitherOf,
  parseKnownKeys,
  settleAwsKeys,
  settleName,
  sortKeys,
  type KeyCatalog,
} from './source.js';
import { DEFAULT_ROLE_SESSION_NAME } from './source-keys.js';
import { TOPIC_NAME_PATTERN } from './values.js';
import { isTableName } from '../domain/table-name.js';
import { describeRegistry, REGISTRY_FORMATS, settleRegistry } from './registry-keys.js';

export type { SinkConfig, InputFormat, NullValueBehavior } from './sink-config.js';
export { isSinkConnectorClass } from './sink-keys.js';
export { isSourceConnectorClass } from './source-keys.js';

const DEFAULT_MAX_RETRY_TIME_MS = 60_000;

/** The same options as the source's: where AWS_REGION / AWS_DEFAULT_REGION are read from. */
export type ParseSinkOptions = ParseSourceOptions;

/**
 * Reads a sink connector's Kafka Connect configuration: our keys and Confluent's DynamoDB Sink keys. Throws one
 * ConfigError listing every problem; keys that are accepted without effect come back as `warnings`. `name` is the
 * connector's name (from the file or the REST path) and wins over a `name` key.
 */
export function parseSinkConfig(name: string, raw: Record<string, string>, options: ParseSinkOptions = {}): SinkConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  const { rest, consumerOverrides, emptySort } = takeSinkSpecialKeys(raw, problems);
  const { known, clientKeys } = sortKeys(rest, SINK_KEY_CATALOG, problems, warnings);
  if (emptySort) known['aws.dynamodb.pk.sort'] = '';
  const { keys, present } = parseKnownKeys(sinkKeysSchema, known, problems);
  const context: Context = {
    keys,
    isSet: (key) => present.has(key),
    // Set with a bad value, already reported: checks across keys leave it alone.
    isBad: (key) => problems.some((problem) => problem.key === key),
    problems,
    warnings,
  };

  const connectorName = settleName(name, keys.name, context);
  const connectorClass = keys['connector.class'];
  if (connectorClass === undefined && !context.isBad('connector.class')) {
    problems.push(keyProblem('connector.class', `required: one of ${SINK_CONNECTOR_CLASSES.join(', ')}`));
  }

  const topics = settleTopics(context);
  const kafka = kafkaClientProperties(clientKeys, {
    authMode: keys['kafka.auth.mode'],
    apiKey: keys['kafka.api.key'],
    apiSecret: keys['kafka.api.secret'],
  });
  problems.push(...kafka.problems);
  warnings.push(...kafka.warnings);
  const consumer = settleConsumer(consumerOverrides, context);

  const config: SinkConfig = {
    name: connectorName,
    connectorClass: connectorClass ?? '',
    tasksMax: keys['tasks.max'],
    topics,
    kafka: {
      bootstrapServers: keys['bootstrap.servers'],
      properties: kafka.properties,
      consumerProperties: consumer.properties,
      groupId: consumer.groupId ?? `connect-${connectorName}`,
    },
    keys: settleKeys(context),
    tableNameFormat: settleTableNameFormat(context, topics),
    aws: settleAws(context, env),
    tableCreation: settleTableCreation(context),
    ...settleInputFormats(context),
    nullValues: keys['behavior.on.null.values'],
    batchSize: keys['batch.size'],
    retry: { maxRetryTimeMs: settleMaxRetryTime(context), retryBackoffMs: keys['retry.backoff.ms'] },
    errors: settleErrors(context, topics),
    warnings,
  };
  throwIfProblems(problems, `invalid configuration for connector "${connectorName || '?'}"`);
  return config;
}

/** The table a topic's records go to: table.name.format with every `${topic}` replaced by the topic. */
export function tableFor(config: Pick<SinkConfig, 'tableNameFormat'>, topic: string): string {
  return config.tableNameFormat.split(TOPIC_PLACEHOLDER).join(topic);
}

/** The configuration with every secret replaced by "[hidden]", for logs and status output. */
export function describeSinkConfig(config: SinkConfig): SinkConfig {
  return {
    ...config,
    aws: describeAws(config.aws),
    kafka: {
      ...config.kafka,
      properties: describeKafkaProperties(config.kafka.properties),
      consumerProperties: describeKafkaProperties(config.kafka.consumerProperties),
    },
    ...(config.registry ? { registry: describeRegistry(config.registry) } : {}),
  };
}

interface Context {
  keys: SinkKeys;
  isSet: (key: SinkKey) => boolean;
  isBad: (key: string) => boolean;
  problems: ConfigProblem[];
  warnings: string[];
}

const SINK_KEY_CATALOG: KeyCatalog = {
  known: new Set(SINK_KEYS),
  suggestible: [...SINK_KEYS, ...SINK_IGNORED_KEYS.flatMap((ignored) => ignored.names), ...KAFKA_CLIENT_KEY_SUGGESTIONS, 'consumer.override.group.id'],
  ignoredReason: sinkIgnoredKeyReason,
};

/**
 * Takes out what the shared key sorting would mishandle: `consumer.override.*` (any consumer property) and an
 * empty `aws.dynamodb.pk.sort`, which is not "unset" but Confluent's way of saying "no sort key".
 */
function takeSinkSpecialKeys(raw: Record<string, string>, problems: ConfigProblem[]) {
  const rest: Record<string, string> = {};
  const consumerOverrides: Record<string, string> = {};
  let emptySort = false;
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith(CONSUMER_OVERRIDE_PREFIX)) {
      const property = key.slice(CONSUMER_OVERRIDE_PREFIX.length);
      if (property === '') problems.push(keyProblem(key, `expected ${CONSUMER_OVERRIDE_PREFIX}<consumer property>`));
      else if (value.trim() !== '') consumerOverrides[property] = value.trim();
    } else if (key === 'aws.dynamodb.pk.sort' && value.trim() === '') {
      emptySort = true;
    } else {
      rest[key] = value;
    }
  }
  return { rest, consumerOverrides, emptySort };
}

function settleTopics({ keys, isBad, problems }: Context): SinkConfig['topics'] {
  const names = keys.topics;
  const regex = keys['topics.regex'];
  if (names !== undefined && regex !== undefined) {
    problems.push(keyProblem('topics.regex', 'set either topics or topics.regex, not both'));
  } else if (names === undefined && regex === undefined && !isBad('topics.regex')) {
    problems.push(keyProblem('topics', 'required: the topics to write to DynamoDB, comma-separated (or topics.regex)'));
  }
  if (names === undefined) return regex === undefined ? {} : { regex };
  const unique = [...new Set(names)];
  if (unique.length === 0) problems.push(keyProblem('topics', 'lists no topic: name the topics to write to DynamoDB, comma-separated'));
  for (const topic of unique.filter((topic) => !TOPIC_NAME_PATTERN.test(topic))) {
    problems.push(invalidValue('topics', 'expected Kafka topic names (letters, digits, ".", "_", "-"; at most 249)', topic));
  }
  return { names: unique };
}

/** Consumer properties the sink manages itself: overriding them could commit offsets of records not yet written. */
const MANAGED_CONSUMER_PROPERTIES = ['enable.auto.commit', 'enable.auto.offset.store'];

/** Java consumer properties librdkafka does not have, with what happens instead. */
const JAVA_ONLY_CONSUMER_PROPERTIES: Readonly<Record<string, string>> = {
  'max.poll.records': 'a Java consumer setting; each task reads rounds of up to 4000 records',
  'key.deserializer': 'records are decoded as input.data.format says',
  'value.deserializer': 'records are decoded as input.data.format says',
};

/** `consumer.override.*`: group.id apart, managed settings refused, client keys translated as the connector's. */
function settleConsumer(overrides: Record<string, string>, { problems, warnings }: Context) {
  const properties: Record<string, string> = {};
  const clientKeys: Record<string, string> = {};
  let groupId: string | undefined;
  for (const [property, value] of Object.entries(overrides)) {
    const key = `${CONSUMER_OVERRIDE_PREFIX}${property}`;
    if (property === 'group.id') groupId = value;
    else if (MANAGED_CONSUMER_PROPERTIES.includes(property)) {
      problems.push(keyProblem(key, 'cannot be overridden: the connector commits offsets itself, after each batch is written'));
    } else if (JAVA_ONLY_CONSUMER_PROPERTIES[property] !== undefined) {
      warnings.push(`${key} is ignored: ${JAVA_ONLY_CONSUMER_PROPERTIES[property]}`);
    } else if (isKafkaClientKey(property)) clientKeys[property] = value;
    else properties[property] = value;
  }
  const client = kafkaClientProperties(clientKeys, {});
  problems.push(...client.problems.map((problem) => withPrefix(problem, CONSUMER_OVERRIDE_PREFIX)));
  warnings.push(...client.warnings);
  return { properties: { ...properties, ...client.properties }, groupId };
}

/** A problem found under a bare key, told under its prefixed name ("sasl.mechanism: …" → "consumer.override.sasl.mechanism: …"). */
function withPrefix(problem: ConfigProblem, prefix: string): ConfigProblem {
  if (problem.key === undefined) return problem;
  const message = problem.message.startsWith(problem.key) ? `${prefix}${problem.message}` : problem.message;
  return { key: `${prefix}${problem.key}`, message };
}

function settleKeys({ keys, isBad, problems }: Context): SinkConfig['keys'] {
  const hash = keys['aws.dynamodb.pk.hash'];
  const sortSetting = keys['aws.dynamodb.pk.sort'] ?? DEFAULT_SORT;
  const sort = sortSetting === '' ? undefined : sortSetting;
  if (sort !== undefined && !isBad('aws.dynamodb.pk.hash') && !isBad('aws.dynamodb.pk.sort') && hash.attribute === sort.attribute) {
    problems.push(
      keyProblem(
        'aws.dynamodb.pk.sort',
        `names the same attribute "${sort.attribute}" as aws.dynamodb.pk.hash=${hash.text}: give one of them an :<alias>, or set aws.dynamodb.pk.sort= (empty) for no sort key`,
      ),
    );
  }
  return { hash, ...(sort !== undefined ? { sort } : {}) };
}

/** The format's text was checked with the key; here, the whole table name of each listed topic. */
function settleTableNameFormat({ keys, isBad, problems }: Context, topics: SinkConfig['topics']): string {
  const format = keys['table.name.format'];
  if (isBad('table.name.format')) return format;
  for (const topic of topics.names ?? []) {
    if (!TOPIC_NAME_PATTERN.test(topic)) continue;
    const table = tableFor({ tableNameFormat: format }, topic);
    if (!isTableName(table)) {
      problems.push(
        keyProblem('table.name.format', `gives the table name "${table}" for topic "${topic}", but DynamoDB table names have 3 to 255 characters`),
      );
    }
  }
  return format;
}

function settleAws(context: Context, env: Record<string, string | undefined>): SinkConfig['aws'] {
  const { keys, isSet, isBad, problems } = context;
  const roleArn = eitherOf(context, 'aws.sts.role.arn', 'aws.dynamodb.credentials.provider.sts.role.arn');
  const roleArnKey = isSet('aws.dynamodb.credentials.provider.sts.role.arn') && !isSet('aws.sts.role.arn')
    ? 'aws.dynamodb.credentials.provider.sts.role.arn'
    : 'aws.sts.role.arn';
  const provider = keys['aws.dynamodb.credentials.provider.class'];
  const roleArnIsBad = isBad('aws.sts.role.arn') || isBad('aws.dynamodb.credentials.provider.sts.role.arn');
  if (provider === 'assume-role' && roleArn === undefined && !roleArnIsBad) {
    problems.push(keyProblem('aws.dynamodb.credentials.provider.sts.role.arn', 'required with aws.dynamodb.credentials.provider.class=…AwsAssumeRoleCredentialsProvider'));
  } else if (provider === 'default' && roleArn !== undefined) {
    problems.push(
      keyProblem('aws.dynamodb.credentials.provider.class', `is the default chain, which assumes no role, but ${roleArnKey} is set: remove one of them`),
    );
  }
  const roleKeys = [
    'aws.sts.role.external.id',
    'aws.dynamodb.credentials.provider.sts.role.external.id',
    'aws.sts.role.session.name',
    'aws.dynamodb.credentials.provider.sts.role.session.name',
  ] as const;
  return settleAwsKeys(
    {
      region: eitherOf(context, 'aws.dynamodb.region', 'aws.region'),
      endpoint: eitherOf(context, 'aws.dynamodb.endpoint', 'dynamodb.service.endpoint'),
      accessKeyId: keys['aws.access.key.id'],
      secretAccessKey: keys['aws.secret.access.key'],
      sessionToken: keys['aws.session.token'],
      roleArn,
      externalId: eitherOf(context, 'aws.sts.role.external.id', 'aws.dynamodb.credentials.provider.sts.role.external.id'),
      sessionName:
        eitherOf(context, 'aws.sts.role.session.name', 'aws.dynamodb.credentials.provider.sts.role.session.name') ?? DEFAULT_ROLE_SESSION_NAME,
    },
    { regionKey: 'aws.dynamodb.region', roleKeysSet: roleKeys.filter(isSet) },
    env,
    context,
  );
}

/** input.key.format defaults to input.data.format; a registry format (AVRO, JSON_SR, PROTOBUF), for either, needs schema.registry.url. */
function settleInputFormats({ keys, problems }: Context): Pick<SinkConfig, 'inputFormat' | 'keyFormat' | 'registry'> {
  const registry = settleRegistry(keys, problems);
  const inputFormat = keys['input.data.format'];
  const keyFormat = keys['input.key.format'] ?? inputFormat;
  const needsRegistry = (format: string) => (REGISTRY_FORMATS as readonly string[]).includes(format);
  const registryKey = needsRegistry(inputFormat) ? 'input.data.format' : needsRegistry(keyFormat) ? 'input.key.format' : undefined;
  if (registryKey !== undefined && registry === undefined) {
    const format = registryKey === 'input.data.format' ? inputFormat : keyFormat;
    problems.push(keyProblem('schema.registry.url', `required: ${registryKey}=${format} reads each record's schema from a Schema Registry`));
  }
  return { inputFormat, keyFormat, ...(registry ? { registry } : {}) };
}

function settleTableCreation({ keys, isSet, warnings }: Context): SinkConfig['tableCreation'] {
  const enabled = keys['aws.dynamodb.table.create'];
  const billingMode = keys['aws.dynamodb.billing.mode'];
  const capacityKeys = (['aws.dynamodb.read.capacity.units', 'aws.dynamodb.write.capacity.units'] as const).filter(isSet);
  if (!enabled) {
    const unused = (['aws.dynamodb.billing.mode', ...capacityKeys] as const).filter(isSet);
    if (unused.length > 0) warnings.push(`${unused.join(', ')} ignored: aws.dynamodb.table.create is false (the tables must exist)`);
  } else if (billingMode === 'PAY_PER_REQUEST' && capacityKeys.length > 0) {
    warnings.push(`${capacityKeys.join(', ')} ignored: aws.dynamodb.billing.mode is PAY_PER_REQUEST`);
  }
  if (billingMode !== 'PROVISIONED') return { enabled, billing: { mode: billingMode } };
  return {
    enabled,
    billing: {
      mode: billingMode,
      readCapacity: keys['aws.dynamodb.read.capacity.units'] ?? DEFAULT_CAPACITY_UNITS,
      writeCapacity: keys['aws.dynamodb.write.capacity.units'] ?? DEFAULT_CAPACITY_UNITS,
    },
  };
}

/** max.retry.time.ms, or Confluent's aws.dynamodb.max.retry.time.seconds. */
function settleMaxRetryTime({ keys, problems }: Context): number {
  const milliseconds = keys['max.retry.time.ms'];
  const seconds = keys['aws.dynamodb.max.retry.time.seconds'];
  if (milliseconds !== undefined && seconds !== undefined && milliseconds !== seconds * 1000) {
    problems.push(
      keyProblem('aws.dynamodb.max.retry.time.seconds', 'is max.retry.time.ms in seconds, and the two are set to different values: keep one'),
    );
  }
  return milliseconds ?? (seconds !== undefined ? seconds * 1000 : DEFAULT_MAX_RETRY_TIME_MS);
}

/**
 * Kafka Connect's error handling. Nothing is dropped without a copy: errors.tolerance=all needs a dead-letter topic,
 * and that topic must not be one the connector reads.
 */
function settleErrors({ keys, isSet, isBad, problems, warnings }: Context, topics: SinkConfig['topics']): SinkConfig['errors'] {
  const tolerance = keys['errors.tolerance'];
  const deadLetterTopic = keys['errors.deadletterqueue.topic.name'];
  const dlqKeys = [
    'errors.deadletterqueue.topic.name',
    'errors.deadletterqueue.topic.replication.factor',
    'errors.deadletterqueue.context.headers.enable',
  ] as const;
  if (tolerance === 'all') {
    if (deadLetterTopic === undefined && !isBad('errors.deadletterqueue.topic.name')) {
      problems.push(
        keyProblem(
          'errors.deadletterqueue.topic.name',
          'required with errors.tolerance=all: records that cannot be written are sent there (they are never dropped without a copy)',
        ),
      );
    }
  } else {
    const unused = dlqKeys.filter(isSet);
    if (unused.length > 0) {
      warnings.push(`${unused.join(', ')} ignored: errors.tolerance is none (a record that cannot be written stops the task)`);
    }
  }
  if (tolerance === 'all' && deadLetterTopic !== undefined && readsTopic(topics, deadLetterTopic)) {
    problems.push(keyProblem('errors.deadletterqueue.topic.name', `"${deadLetterTopic}" is also a topic this connector reads: dead letters would be read back`));
  }
  if (keys['errors.log.enable'] || keys['errors.log.include.messages']) {
    const set = (['errors.log.enable', 'errors.log.include.messages'] as const).filter((key) => keys[key]);
    warnings.push(
      `${set.join(', ')} ignored: failed records are not logged one by one; they stop the task (errors.tolerance=none) ` +
        'or go to the dead-letter topic, with the error in its headers when errors.deadletterqueue.context.headers.enable=true',
    );
  }
  return {
    tolerance,
    ...(tolerance === 'all' && deadLetterTopic !== undefined ? { deadLetterTopic } : {}),
    deadLetterReplicationFactor: keys['errors.deadletterqueue.topic.replication.factor'],
    contextHeaders: keys['errors.deadletterqueue.context.headers.enable'],
  };
}

/** Whether the connector consumes `topic`: listed, or matched whole by topics.regex (as Kafka Connect matches). */
function readsTopic(topics: SinkConfig['topics'], topic: string): boolean {
  if (topics.names) return topics.names.includes(topic);
  if (topics.regex === undefined) return false;
  try {
    return new RegExp(`^(?:${topics.regex})$`).test(topic);
  } catch {
    return false; // reported with topics.regex
  }
}
