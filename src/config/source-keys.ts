import { z } from 'zod';
import { DISCOVERY_MODES, DOCUMENT_FORMATS, GAP_POLICIES, OUTPUT_ENVELOPES, OVERSIZED_RECORD_POLICIES, SNAPSHOT_METHODS, STREAM_POSITIONS, SYNC_MODES } from './source-config.js';
import { dataFormat, keyFormat, registryKeys } from './registry-keys.js';
import type { TagFilter } from '../domain/tag-match.js';
import { parseTagFilters } from './tag-filters.js';
import { DEFAULT_TIMESTAMP_FORMAT, timestampParser, type TimestampParser } from './timestamp.js';
import {
  boolean,
  brokerList,
  httpUrl,
  integer,
  list,
  oneOf,
  positiveNumber,
  synonyms,
  text,
  topicName,
  topicNamePart,
  valueFrom,
  type ValueSchema,
} from './values.js';

/** Where a connector class name comes from; decides a few defaults (trustpilot's topic prefix and tags). */
export type ConnectorDialect = 'dynamodb-kafka' | 'confluent' | 'trustpilot';

export const SOURCE_CONNECTOR_CLASSES: Readonly<Record<string, ConnectorDialect>> = {
  DynamoDbSource: 'dynamodb-kafka',
  DynamoDbCdcSource: 'confluent',
  'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector': 'confluent',
  'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector': 'trustpilot',
  DynamoDBSourceConnector: 'trustpilot',
};

/** True for the class names of the source connector (ours, Confluent's, trustpilot's). */
export function isSourceConnectorClass(className: string): boolean {
  return Object.hasOwn(SOURCE_CONNECTOR_CLASSES, className);
}

const connectorClass = valueFrom(`expected one of ${Object.keys(SOURCE_CONNECTOR_CLASSES).join(', ')}`, (value) =>
  isSourceConnectorClass(value) ? value : undefined,
);

const tagFilters: ValueSchema<TagFilter[]> = z.string().transform((value, ctx) => {
  const parsed = parseTagFilters(value);
  if (!('error' in parsed)) return parsed;
  ctx.addIssue({ code: 'custom', message: `expected key1:v1,v2;key2:v3 — ${parsed.error}` });
  return z.NEVER;
});

const timestampFormat: ValueSchema<{ pattern: string; parse: TimestampParser }> = z.string().transform((pattern, ctx) => {
  const parser = timestampParser(pattern);
  if (typeof parser === 'function') return { pattern, parse: parser };
  ctx.addIssue({ code: 'custom', message: `expected a java.time DateTimeFormatter pattern: ${parser.error}` });
  return z.NEVER;
});

/** trustpilot's `kafka.topic.map`: a JSON object from table name to topic name. */
const topicMap: ValueSchema<Record<string, string>> = valueFrom(
  'expected a JSON object of table name → topic name, e.g. {"orders": "orders-v2"}',
  (value) => {
    try {
      const map: unknown = JSON.parse(value);
      if (typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
      const entries = Object.entries(map);
      return entries.every(([, topic]) => typeof topic === 'string' && /^[a-zA-Z0-9._-]+$/.test(topic))
        ? (Object.fromEntries(entries) as Record<string, string>)
        : undefined;
    } catch {
      return undefined;
    }
  },
);

/** S3's rule for bucket names (3 to 63 of lowercase letters, digits, dots and hyphens). */
const s3Bucket = valueFrom('expected an S3 bucket name (3 to 63 of a-z, 0-9, . and -, starting and ending with a letter or digit)', (value) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ? value : undefined,
);

export const replicationFactor = valueFrom('expected -1 (the broker default) or an integer ≥ 1', (value) => {
  const number = /^-?\d+$/.test(value) ? Number(value) : NaN;
  return number === -1 || (Number.isSafeInteger(number) && number >= 1) ? number : undefined;
});

export const roleArn = valueFrom('expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)', (value) =>
  /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value) ? value : undefined,
);

export const DEFAULT_ROLE_SESSION_NAME = 'dynamodb-kafka';

/** STS's rule for RoleSessionName. */
export const roleSessionName = valueFrom('expected 2 to 64 of letters, digits and +=,.@_-', (value) =>
  /^[\w+=,.@-]{2,64}$/.test(value) ? value : undefined,
);


const exactlyOnce = synonyms('expected enabled or disabled (Kafka Connect\'s required/requested mean enabled)', {
  enabled: 'enabled',
  required: 'enabled',
  requested: 'enabled',
  disabled: 'disabled',
} as const);

/**
 * Every key the source connector reads, with its type and default. Defaults that depend on other keys (discovery
 * mode, sync mode, region, topic prefix, initial stream position) are settled in source.ts.
 */
export const sourceKeysSchema = z.object({
  'connector.class': connectorClass.optional(),
  name: text().optional(),
  'tasks.max': integer({ min: 1 }).default(1),

  // Which tables
  'dynamodb.table.includelist': list().optional(),
  'dynamodb.table.whitelist': list().optional(), // trustpilot's name for the includelist
  'dynamodb.table.discovery.mode': oneOf(DISCOVERY_MODES).optional(),
  'dynamodb.table.tag.filters': tagFilters.optional(),
  'dynamodb.table.ingestion.tag.key': text().optional(), // trustpilot: tables carrying this tag key
  'dynamodb.table.env.tag.key': text().optional(), // trustpilot: …whose tag of this key…
  'dynamodb.table.env.tag.value': text().optional(), // …has this value
  'aws.resource.tagging.endpoint': httpUrl().optional(),
  'resource.tagging.service.endpoint': httpUrl().optional(), // trustpilot's name
  'connect.dynamodb.rediscovery.period': integer({ min: 1 }).default(60_000),
  'dynamodb.table.sync.mode': oneOf(SYNC_MODES).optional(),
  'init.sync.skip': boolean().optional(), // trustpilot: true = CDC only

  // AWS
  'aws.region': text().optional(),
  'dynamodb.service.endpoint': httpUrl().optional(),
  'aws.access.key.id': text().optional(),
  'aws.secret.access.key': text().optional(),
  'aws.secret.key': text().optional(), // trustpilot's name
  'aws.session.token': text().optional(),
  'aws.sts.role.arn': roleArn.optional(),
  'aws.assume.role.arn': roleArn.optional(), // trustpilot's name
  'aws.sts.role.external.id': text().optional(),
  'aws.sts.role.session.name': roleSessionName.default(DEFAULT_ROLE_SESSION_NAME),

  // Kafka (the client keys security.protocol, sasl.*, ssl.*, client.id are passed through: kafka-properties.ts)
  'bootstrap.servers': brokerList().optional(),
  'kafka.auth.mode': oneOf(['KAFKA_API_KEY', 'SERVICE_ACCOUNT']).optional(),
  'kafka.api.key': text().optional(),
  'kafka.api.secret': text().optional(),
  'kafka.topic.prefix': topicNamePart().optional(),
  'kafka.topic.suffix': topicNamePart().default(''),
  'kafka.topic.map': topicMap.default({}),
  'topic.creation.partitions': integer({ min: 1 }).optional(),
  'topic.creation.default.partitions': integer({ min: 1 }).optional(), // Kafka Connect's name
  'topic.creation.replication.factor': replicationFactor.optional(),
  'topic.creation.default.replication.factor': replicationFactor.optional(), // Kafka Connect's name
  'topic.creation.max.message.bytes': integer({ min: 65_536, max: 1_000_000_000 }).optional(),
  'topic.creation.default.max.message.bytes': integer({ min: 65_536, max: 1_000_000_000 }).optional(), // Kafka Connect's name

  // Snapshot
  'dynamodb.snapshot.max.poll.records': integer({ min: 1, max: 10_000 }).default(1000),
  'dynamodb.snapshot.segments': integer({ min: 1, max: 1_000_000 }).optional(),
  'dynamodb.snapshot.max.rcu.percentage': integer({ min: 1, max: 100 }).default(50),
  'dynamodb.snapshot.max.rcu': positiveNumber().optional(),
  'dynamodb.snapshot.consistent.read': boolean().default(false),
  'dynamodb.snapshot.method': oneOf(SNAPSHOT_METHODS).default('SCAN'),
  'dynamodb.snapshot.export.s3.bucket': s3Bucket.optional(),
  'dynamodb.snapshot.export.s3.prefix': text().optional(),
  'dynamodb.snapshot.export.s3.endpoint': httpUrl().optional(),

  // CDC
  'dynamodb.cdc.initial.stream.position': oneOf(STREAM_POSITIONS).optional(),
  'cdc.start.position.timestamp': text().optional(),
  'cdc.start.position.timestamp.format': timestampFormat.default(() => ({
    pattern: DEFAULT_TIMESTAMP_FORMAT,
    parse: timestampParser(DEFAULT_TIMESTAMP_FORMAT) as TimestampParser,
  })),
  // Confluent's default is 5000; above DynamoDB's GetRecords limit of 1000 it is lowered (with a warning).
  'dynamodb.cdc.max.poll.records': integer({ min: 1 }).default(1000),
  // How long an idle shard waits before polling again: the floor of change latency (write → Kafka).
  'dynamodb.cdc.poll.interval.ms': integer({ min: 0 }).default(100),
  'dynamodb.cdc.gap.policy': oneOf(GAP_POLICIES).default('resnapshot'),

  // Output
  'output.envelope': oneOf(OUTPUT_ENVELOPES).optional(), // default: by connector class (source.ts)
  'output.document.format': oneOf(DOCUMENT_FORMATS).default('dynamodb-json'),
  'tombstones.on.delete': boolean().default(true),
  // The most records written in one Kafka transaction. Each transaction has a fixed cost, so the default is
  // the top of Confluent's documented range (its default is 1000): +26% snapshot throughput, measured.
  'max.batch.size': integer({ min: 1, max: 10_000 }).default(10_000),
  'oversized.record.policy': oneOf(OVERSIZED_RECORD_POLICIES).default('drop-before'),
  'errors.deadletterqueue.topic.name': topicName().optional(),
  // Default: AVRO with a Schema Registry (Confluent's default), JSON without one (source.ts).
  'output.data.format': dataFormat.optional(),
  'output.data.key.format': keyFormat.optional(),
  ...registryKeys,

  // Delivery guarantee
  'exactly.once.support': exactlyOnce.default('enabled'),
  'offset.storage.topic': topicName().optional(),
  'offsets.storage.topic': topicName().optional(), // Kafka Connect's per-connector name (KIP-618)
});

export type SourceKeys = z.output<typeof sourceKeysSchema>;
export type SourceKey = keyof SourceKeys;

export const SOURCE_KEYS: readonly string[] = Object.keys(sourceKeysSchema.shape);

export interface IgnoredKeys {
  matches: (key: string) => boolean;
  /** Why it has no effect: completes "<key> is ignored: …". */
  reason: string;
  /** Exact names, offered as did-you-mean suggestions. */
  names: readonly string[];
}

export const exactly = (...names: string[]): Pick<IgnoredKeys, 'matches' | 'names'> => ({ matches: (key) => names.includes(key), names });
export const startingWith = (...prefixes: string[]): Pick<IgnoredKeys, 'matches' | 'names'> => ({
  matches: (key) => prefixes.some((prefix) => key.startsWith(prefix)),
  names: [],
});

/** Keys of Kafka Connect, Confluent Cloud and trustpilot that are accepted (a copied config still starts) but do nothing. */
export const IGNORED_KEYS: readonly IgnoredKeys[] = [
  {
    ...startingWith('key.converter', 'value.converter', 'header.converter'),
    reason: 'the record format is set with output.data.format, output.data.key.format and schema.registry.url',
  },
  { ...startingWith('transforms', 'predicates'), reason: 'single message transforms are not supported' },
  {
    ...startingWith('errors.'),
    reason: 'of Kafka Connect\'s error-handling settings this source has only errors.deadletterqueue.topic.name (see oversized.record.policy)',
  },
  { ...exactly('config.action.reload'), reason: 'a Kafka Connect worker setting' },
  {
    ...exactly(
      'dynamodb.cdc.checkpointing.table.prefix',
      'dynamodb.cdc.table.billing.mode',
      'dynamodb.cdc.checkpointing.table.read.capacity',
      'dynamodb.cdc.checkpointing.table.write.capacity',
      'kcl.table.billing.mode',
    ),
    reason: 'checkpoints are kept in Kafka (offset.storage.topic), not in a DynamoDB table',
  },
  {
    ...exactly('init.sync.delay.period'),
    reason: 'the snapshot starts at once; its progress is committed with every batch, so a rebalance loses nothing',
  },
  {
    ...exactly('authentication.method', 'provider.integration.id', 'kafka.service.account.id'),
    reason: 'a Confluent Cloud setting; for AWS use aws.access.key.id/aws.secret.access.key, aws.sts.role.arn or the default credential chain',
  },
  { ...startingWith('transaction.boundary'), reason: 'with exactly.once.support, each batch is one transaction' },
  {
    ...exactly('poll.linger.ms'),
    reason: 'records are written as soon as they are read: each write takes whatever is queued, up to max.batch.size',
  },
  {
    ...startingWith('topic.creation.'),
    reason: 'only topic.creation.partitions, topic.creation.replication.factor and topic.creation.max.message.bytes are supported',
  },
];

export function ignoredKeyReason(key: string): string | undefined {
  return IGNORED_KEYS.find((ignored) => ignored.matches(key))?.reason;
}
