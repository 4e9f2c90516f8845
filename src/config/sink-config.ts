import { z } from 'zod';
import type { KeyReference } from '../domain/key-reference.js';
import { awsSchema } from './source-config.js';

/*
 * The shape of a parsed sink connector configuration. parseSinkConfig (sink.ts) builds it from the flat Kafka
 * Connect keys; everything downstream reads only this, never the keys.
 */

export const INPUT_FORMATS = ['JSON', 'STRING', 'BYTES'] as const;
export const NULL_VALUE_BEHAVIORS = ['delete', 'ignore', 'fail'] as const;
export const BILLING_MODES = ['PAY_PER_REQUEST', 'PROVISIONED'] as const;
export const ERROR_TOLERANCES = ['none', 'all'] as const;

/** Capacity of created PROVISIONED tables when aws.dynamodb.read/write.capacity.units are unset. */
export const DEFAULT_CAPACITY_UNITS = 5;

export const sinkConfigSchema = z.object({
  name: z.string(),
  /** As written in the config: ours or Confluent's name. */
  connectorClass: z.string(),
  tasksMax: z.number(),
  /** Exactly one is set. `regex` must match a whole topic name, as in Kafka Connect. */
  topics: z.object({ names: z.array(z.string()).optional(), regex: z.string().optional() }),
  kafka: z.object({
    /** Unset: the runtime uses the local stack's broker. */
    bootstrapServers: z.string().optional(),
    /** librdkafka client properties (security.protocol, sasl.*, ssl.*, client.id), for every client. */
    properties: z.record(z.string(), z.string()),
    /** consumer.override.* without the prefix (JAAS translated as for `properties`): on top of `properties`. */
    consumerProperties: z.record(z.string(), z.string()),
    /** consumer.override.group.id, else Kafka Connect's `connect-<name>`. */
    groupId: z.string(),
  }),
  /** Key references as written (`partition`, `value.id:orderId`…); src/sink/key-mapping.ts parses them. */
  /** Where the key attributes come from (aws.dynamodb.pk.hash / .sort); no sort: the table has no sort key. */
  keys: z.object({ hash: z.custom<KeyReference>(), sort: z.custom<KeyReference>().optional() }),
  /** Table name with `${topic}` placeholders; see tableFor. */
  tableNameFormat: z.string(),
  aws: awsSchema,
  tableCreation: z.object({
    enabled: z.boolean(),
    billingMode: z.enum(BILLING_MODES),
    /** Set with billingMode PROVISIONED only. */
    readCapacity: z.number().optional(),
    writeCapacity: z.number().optional(),
  }),
  inputFormat: z.enum(INPUT_FORMATS),
  /** What a tombstone (null value) does: delete the item, skip the record, or fail. */
  nullValues: z.enum(NULL_VALUE_BEHAVIORS),
  /** Write requests per BatchWriteItem, 1 to 25. */
  batchSize: z.number(),
  /** How long a batch is retried (throttling, unprocessed items) before the task fails. */
  maxRetryTimeMs: z.number(),
  retryBackoffMs: z.number(),
  errors: z.object({
    /** none: a record that cannot be written stops the task; all: it goes to the dead-letter topic. */
    tolerance: z.enum(ERROR_TOLERANCES),
    /** Set exactly when tolerance is all: nothing is dropped without a copy. */
    deadLetterTopic: z.string().optional(),
    /** -1: the broker's default. */
    deadLetterReplicationFactor: z.number(),
    /** Kafka Connect's __connect.errors.* headers on dead letters. */
    contextHeaders: z.boolean(),
  }),
  /** Keys accepted but without effect, and other things the person should know; for the log. */
  warnings: z.array(z.string()),
});

export type SinkConfig = z.infer<typeof sinkConfigSchema>;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type NullValueBehavior = (typeof NULL_VALUE_BEHAVIORS)[number];
