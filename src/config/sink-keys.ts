import { z } from 'zod';
import { hasTableNameCharacters, isTableName } from '../domain/table-name.js';
import { parseKeyReference, type KeyReference } from '../domain/key-reference.js';
import { BILLING_MODES, ERROR_TOLERANCES, INPUT_FORMATS, NULL_VALUE_BEHAVIORS, type InputFormat } from './sink-config.js';
import { REGISTRY_FORMATS, registryKeys } from './registry-keys.js';
import {
  exactly,
  isSourceConnectorClass,
  replicationFactor,
  roleArn,
  roleSessionName,
  startingWith,
  type IgnoredKeys,
} from './source-keys.js';
import { boolean, brokerList, httpUrl, integer, list, oneOf, text, topicName, valueFrom, type ValueSchema } from './values.js';

export const SINK_CONNECTOR_CLASSES: readonly string[] = [
  'DynamoDbSink',
  'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector',
  'DynamoDbSinkConnector',
];

/** True for the class names of the sink connector (ours and Confluent's). */
export function isSinkConnectorClass(className: string): boolean {
  return SINK_CONNECTOR_CLASSES.includes(className);
}

const connectorClass = z.string().transform((value, ctx) => {
  if (isSinkConnectorClass(value)) return value;
  const hint = isSourceConnectorClass(value) ? ' (that is a source connector class)' : '';
  ctx.addIssue({ code: 'custom', message: `expected one of ${SINK_CONNECTOR_CLASSES.join(', ')}${hint}` });
  return z.NEVER;
});

/** A regex that compiles (JavaScript syntax, which agrees with Java's for the patterns topic names need). */
const regex: ValueSchema<string> = z.string().transform((value, ctx) => {
  try {
    new RegExp(value);
    return value;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `expected a regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})` });
    return z.NEVER;
  }
});

/** Confluent's defaults: one item per Kafka record, keyed by partition and offset. */
export const DEFAULT_HASH: KeyReference = { source: 'partition', attribute: 'partition', text: 'partition' };
export const DEFAULT_SORT: KeyReference = { source: 'offset', attribute: 'offset', text: 'offset' };

/** A key reference, parsed (its one grammar: src/domain/key-reference.ts); "" is kept: aws.dynamodb.pk.sort's "no sort key". */
const keyReference = <Empty extends boolean>(allowEmpty: Empty): ValueSchema<KeyReference | (Empty extends true ? '' : never)> =>
  z.string().transform((value, ctx) => {
    if (value.trim() === '' && allowEmpty) return '' as KeyReference | (Empty extends true ? '' : never);
    const parsed = parseKeyReference(value);
    if (!('error' in parsed)) return parsed;
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  });

export const TOPIC_PLACEHOLDER = '${topic}';

/**
 * `table.name.format`: text around `${topic}` placeholders. The text must be characters DynamoDB allows in table
 * names and leave room for the topic; without a placeholder it is one table's full name. Lengths that depend on
 * the topic are checked for the listed topics in sink.ts.
 */
const tableNameFormat: ValueSchema<string> = z.string().transform((format, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const literals = format.split(TOPIC_PLACEHOLDER);
  const placeholders = literals.length - 1;
  const literal = literals.join('');
  const other = /\$\{[^}]*\}/.exec(literal);
  if (other) return fail(`expected text around \${topic} (the only placeholder), found ${other[0]}`);
  if (!hasTableNameCharacters(literal)) {
    return fail('expected ${topic} and letters, digits, "_", "-" or "." (the characters DynamoDB allows in table names)');
  }
  if (placeholders === 0 && !isTableName(literal)) {
    return fail('expected a table name of 3 to 255 characters (or a format with ${topic})');
  }
  if (literal.length + placeholders > 255) return fail('expected a table name of at most 255 characters once ${topic} is filled in');
  return format;
});

/** The registry formats read, for messages: derived, so that a format added to INPUT_FORMATS is named too. */
const REGISTRY_INPUTS = INPUT_FORMATS.filter((format) => (REGISTRY_FORMATS as readonly string[]).includes(format)).join(' and ');

/** Confluent Cloud's input formats name registry formats not read yet: say so. */
const inputFormat: ValueSchema<InputFormat> = z.string().transform((value, ctx) => {
  const format = INPUT_FORMATS.find((choice) => choice === value.toUpperCase());
  if (format) return format;
  const message = (REGISTRY_FORMATS as readonly string[]).includes(value.toUpperCase())
    ? `${value.toUpperCase()} is not supported yet; expected one of ${INPUT_FORMATS.join(', ')} (${REGISTRY_INPUTS} read through the Schema Registry)`
    : `expected one of ${INPUT_FORMATS.join(', ')}`;
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** Confluent's `aws.dynamodb.credentials.provider.class`: only the providers with an equivalent here. */
export const CREDENTIALS_PROVIDERS = {
  'com.amazonaws.auth.DefaultAWSCredentialsProviderChain': 'default',
  'com.amazon.auth.DefaultAWSCredentialsProviderChain': 'default', // as Confluent's page spells it
  'io.confluent.connect.aws.dynamodb.auth.AwsAssumeRoleCredentialsProvider': 'assume-role',
} as const;

const credentialsProvider = valueFrom(
  `expected ${Object.keys(CREDENTIALS_PROVIDERS)[0]} or ${Object.keys(CREDENTIALS_PROVIDERS)[2]} (Java credential provider classes cannot be loaded; ` +
    'use aws.access.key.id/aws.secret.access.key, aws.sts.role.arn or the default chain)',
  (value) => (Object.hasOwn(CREDENTIALS_PROVIDERS, value) ? CREDENTIALS_PROVIDERS[value as keyof typeof CREDENTIALS_PROVIDERS] : undefined),
);

/**
 * Every key the sink connector reads, with its type and default. Aliases, and defaults that depend on other keys
 * (region, sort key, retry time, role session name), are settled in sink.ts. `consumer.override.*` and the Kafka
 * client keys (security.protocol, sasl.*, ssl.*, client.id) are passed through.
 */
export const sinkKeysSchema = z.object({
  'connector.class': connectorClass.optional(),
  name: text().optional(),
  'tasks.max': integer({ min: 1 }).default(1),

  // What to read
  topics: list().optional(),
  'topics.regex': regex.optional(),

  // Kafka
  'bootstrap.servers': brokerList().optional(),
  'kafka.auth.mode': oneOf(['KAFKA_API_KEY', 'SERVICE_ACCOUNT']).optional(),
  'kafka.api.key': text().optional(),
  'kafka.api.secret': text().optional(),

  // Items
  'aws.dynamodb.pk.hash': keyReference(false).default(DEFAULT_HASH),
  'aws.dynamodb.pk.sort': keyReference(true).optional(), // unset: offset; "": no sort key
  'table.name.format': tableNameFormat.default(TOPIC_PLACEHOLDER),
  'input.data.format': inputFormat.default('JSON'),
  'input.key.format': inputFormat.optional(), // unset: as input.data.format
  'behavior.on.null.values': oneOf(NULL_VALUE_BEHAVIORS).default('delete'),

  // AWS
  'aws.dynamodb.region': text().optional(),
  'aws.region': text().optional(),
  'aws.dynamodb.endpoint': httpUrl().optional(),
  'dynamodb.service.endpoint': httpUrl().optional(), // the source connector's name
  'aws.access.key.id': text().optional(),
  'aws.secret.access.key': text().optional(),
  'aws.session.token': text().optional(),
  'aws.dynamodb.credentials.provider.class': credentialsProvider.optional(),
  'aws.sts.role.arn': roleArn.optional(),
  'aws.dynamodb.credentials.provider.sts.role.arn': roleArn.optional(), // Confluent's name
  'aws.sts.role.external.id': text().optional(),
  'aws.dynamodb.credentials.provider.sts.role.external.id': text().optional(), // Confluent's name
  'aws.sts.role.session.name': roleSessionName.optional(),
  'aws.dynamodb.credentials.provider.sts.role.session.name': roleSessionName.optional(), // Confluent's name

  // Table creation
  'aws.dynamodb.table.create': boolean().default(true),
  'aws.dynamodb.billing.mode': oneOf(BILLING_MODES).default('PAY_PER_REQUEST'),
  'aws.dynamodb.read.capacity.units': integer({ min: 1 }).optional(),
  'aws.dynamodb.write.capacity.units': integer({ min: 1 }).optional(),

  // Writes
  'batch.size': integer({ min: 1, max: 25 }).default(25), // BatchWriteItem takes at most 25 requests
  'max.retry.time.ms': integer({ min: 0 }).optional(),
  'aws.dynamodb.max.retry.time.seconds': integer({ min: 0 }).optional(), // Confluent's name, in seconds
  'retry.backoff.ms': integer({ min: 0 }).default(100),

  // Errors (Kafka Connect's keys)
  'errors.tolerance': oneOf(ERROR_TOLERANCES).default('none'),
  'errors.deadletterqueue.topic.name': topicName().optional(),
  'errors.deadletterqueue.topic.replication.factor': replicationFactor.default(-1),
  'errors.deadletterqueue.context.headers.enable': boolean().default(false),
  'errors.log.enable': boolean().default(false),
  'errors.log.include.messages': boolean().default(false),

  // Schema Registry (AVRO, JSON_SR, PROTOBUF): schemas are read by the id each record names, so the subject strategies change nothing
  ...registryKeys,
});

export type SinkKeys = z.output<typeof sinkKeysSchema>;
export type SinkKey = keyof SinkKeys;

export const SINK_KEYS: readonly string[] = Object.keys(sinkKeysSchema.shape);

/** Kafka Connect's per-connector consumer settings; passed to the consumer without the prefix. */
export const CONSUMER_OVERRIDE_PREFIX = 'consumer.override.';

/** Keys of Kafka Connect and Confluent that are accepted (a copied config still starts) but do nothing. */
export const SINK_IGNORED_KEYS: readonly IgnoredKeys[] = [
  {
    ...startingWith('key.converter', 'value.converter'),
    reason: `records are decoded as input.data.format and input.key.format say (${INPUT_FORMATS.join(', ')}), not by a converter`,
  },
  { ...startingWith('header.converter'), reason: 'record headers are not written to DynamoDB' },
  { ...startingWith('transforms', 'predicates'), reason: 'single message transforms are not supported' },
  {
    ...startingWith('errors.'),
    reason: 'of Kafka Connect\'s errors.* settings only errors.tolerance and errors.deadletterqueue.* apply; writes are retried for max.retry.time.ms',
  },
  { ...exactly('config.action.reload'), reason: 'a Kafka Connect worker setting' },
  {
    matches: (key) => key === 'confluent.license' || key.startsWith('confluent.topic.'),
    names: ['confluent.license', 'confluent.topic.bootstrap.servers', 'confluent.topic.replication.factor'],
    reason: 'no Confluent license (nor its license topic) is needed',
  },
  {
    ...exactly('authentication.method', 'provider.integration.id', 'kafka.service.account.id'),
    reason: 'a Confluent Cloud setting; for AWS use aws.access.key.id/aws.secret.access.key, aws.sts.role.arn or the default credential chain',
  },
];

export function sinkIgnoredKeyReason(key: string): string | undefined {
  return SINK_IGNORED_KEYS.find((ignored) => ignored.matches(key))?.reason;
}
