import type { KeyReference } from '../domain/key-reference.js';
import type { RegistrySettings } from './registry-keys.js';
import type { AwsSettings } from './source-config.js';

/*
 * The shape of a parsed sink connector configuration. parseSinkConfig (sink.ts) builds it from the flat Kafka
 * Connect keys; everything downstream reads only this, never the keys.
 */

export const INPUT_FORMATS = ['JSON', 'STRING', 'BYTES', 'AVRO', 'JSON_SR', 'PROTOBUF'] as const;
export const NULL_VALUE_BEHAVIORS = ['delete', 'ignore', 'fail'] as const;
export const BILLING_MODES = ['PAY_PER_REQUEST', 'PROVISIONED'] as const;
export const ERROR_TOLERANCES = ['none', 'all'] as const;

/** Capacity of created PROVISIONED tables when aws.dynamodb.read/write.capacity.units are unset. */
export const DEFAULT_CAPACITY_UNITS = 5;

export interface SinkConfig {
  name: string;
  /** As written in the config: ours or Confluent's name. */
  connectorClass: string;
  tasksMax: number;
  /** Exactly one is set. `regex` must match a whole topic name, as in Kafka Connect. */
  topics: { names?: string[]; regex?: string };
  kafka: {
    /** Unset in a file the CLI may complete with the local stack's broker; the worker refuses a connector without it. */
    bootstrapServers?: string;
    /** librdkafka client properties (security.protocol, sasl.*, ssl.*, client.id), for every client. */
    properties: Record<string, string>;
    /** consumer.override.* without the prefix (JAAS translated as for `properties`): on top of `properties`. */
    consumerProperties: Record<string, string>;
    /** consumer.override.group.id, else Kafka Connect's `connect-<name>`. */
    groupId: string;
  };
  /** Where the key attributes come from (aws.dynamodb.pk.hash / .sort); no sort: the table has no sort key. */
  keys: { hash: KeyReference; sort?: KeyReference };
  /** Table name with `${topic}` placeholders; see tableFor. */
  tableNameFormat: string;
  aws: AwsSettings;
  tableCreation: {
    enabled: boolean;
    /** How created tables are billed, with their capacity when PROVISIONED. */
    billing: { mode: 'PAY_PER_REQUEST' } | { mode: 'PROVISIONED'; readCapacity: number; writeCapacity: number };
  };
  inputFormat: (typeof INPUT_FORMATS)[number];
  /** input.key.format; unset: as input.data.format. */
  keyFormat: (typeof INPUT_FORMATS)[number];
  /** Set when schema.registry.url is; required by AVRO, JSON_SR and PROTOBUF. */
  registry?: RegistrySettings;
  /** What a tombstone (null value) does: delete the item, skip the record, or fail. */
  nullValues: (typeof NULL_VALUE_BEHAVIORS)[number];
  /** Write requests per BatchWriteItem, 1 to 25. */
  batchSize: number;
  /** How long a batch is retried (throttling, unprocessed items) before the task fails, from what first backoff. */
  retry: { maxRetryTimeMs: number; retryBackoffMs: number };
  errors: {
    /** none: a record that cannot be written stops the task; all: it goes to the dead-letter topic. */
    tolerance: (typeof ERROR_TOLERANCES)[number];
    /** Set exactly when tolerance is all: nothing is dropped without a copy. */
    deadLetterTopic?: string;
    /** -1: the broker's default. */
    deadLetterReplicationFactor: number;
    /** Kafka Connect's __connect.errors.* headers on dead letters. */
    contextHeaders: boolean;
  };
  /** Keys accepted but without effect, and other things the person should know; for the log. */
  warnings: string[];
}
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type NullValueBehavior = (typeof NULL_VALUE_BEHAVIORS)[number];
