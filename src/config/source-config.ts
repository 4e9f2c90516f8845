import { z } from 'zod';
import { tagFilterSchema } from './tag-filters.js';

/*
 * The shape of a parsed source connector configuration. parseSourceConfig (source.ts) builds it from the flat
 * Kafka Connect keys; everything downstream reads only this, never the keys.
 */

export const SYNC_MODES = ['SNAPSHOT_CDC', 'SNAPSHOT', 'CDC'] as const;
export const DISCOVERY_MODES = ['INCLUDELIST', 'TAG'] as const;
export const STREAM_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
export const GAP_POLICIES = ['resnapshot', 'fail'] as const;
export const DOCUMENT_FORMATS = ['dynamodb-json', 'json'] as const;
export const OVERSIZED_RECORD_POLICIES = ['drop-before', 'dead-letter', 'fail'] as const;

export const discoverySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('INCLUDELIST'), tables: z.array(z.string()) }),
  z.object({
    mode: z.literal('TAG'),
    /** All must match (AND); within one filter, any of its values (OR). */
    filters: z.array(tagFilterSchema),
    /** Unset: the region's Resource Groups Tagging API endpoint. */
    taggingEndpoint: z.string().optional(),
    rediscoveryPeriodMs: z.number(),
  }),
]);

export const awsCredentialsSchema = z.discriminatedUnion('kind', [
  /** The SDK's default chain: environment, profile, container or instance role. */
  z.object({ kind: z.literal('default') }),
  z.object({
    kind: z.literal('static'),
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    sessionToken: z.string().optional(),
  }),
]);

/** Where DynamoDB is and who the connector is there; the sink connector has the same. */
export const awsSchema = z.object({
  region: z.string(),
  /** DynamoDB (and DynamoDB Streams) endpoint, e.g. DynamoDB Local; unset: the region's. */
  endpoint: z.string().optional(),
  credentials: awsCredentialsSchema,
  /** Assumed on top of `credentials` with STS. */
  assumeRole: z.object({ roleArn: z.string(), externalId: z.string().optional(), sessionName: z.string() }).optional(),
});

export const sourceConfigSchema = z.object({
  name: z.string(),
  /** As written in the config: ours, Confluent's or trustpilot's name. */
  connectorClass: z.string(),
  tasksMax: z.number(),
  discovery: discoverySchema,
  syncMode: z.enum(SYNC_MODES),
  aws: awsSchema,
  kafka: z.object({
    /** Unset: the runtime uses the local stack's broker. */
    bootstrapServers: z.string().optional(),
    /** librdkafka client properties (security.protocol, sasl.*, ssl.*, client.id). */
    properties: z.record(z.string(), z.string()),
  }),
  topics: z.object({
    prefix: z.string(),
    suffix: z.string(),
    /** Table name → topic name (between prefix and suffix) for tables not named after their topic. */
    map: z.record(z.string(), z.string()),
    partitions: z.number(),
    /** -1: the broker's default. */
    replicationFactor: z.number(),
    /** max.message.bytes of the topics created, and the largest record produced (key, value and headers). */
    maxMessageBytes: z.number(),
  }),
  snapshot: z.object({
    maxPollRecords: z.number(),
    /** Unset: chosen from the table's size. */
    segments: z.number().optional(),
    maxRcuPercentage: z.number(),
    /** Absolute read-capacity cap, for on-demand tables (which have no provisioned RCU to take a share of). */
    maxRcu: z.number().optional(),
    consistentRead: z.boolean(),
  }),
  cdc: z.object({
    /** Where a stream with no checkpoint starts; applies to sync mode CDC only. */
    initialPosition: z.enum(STREAM_POSITIONS),
    /** Epoch ms; set exactly when initialPosition is AT_TIMESTAMP. */
    startTimestampMs: z.number().optional(),
    maxPollRecords: z.number(),
    /** How long a shard that returned nothing waits before asking again. */
    pollIntervalMs: z.number(),
    /** What to do when changes were lost (checkpoint older than the stream's retention): snapshot again, or stop. */
    gapPolicy: z.enum(GAP_POLICIES),
  }),
  output: z.object({
    documentFormat: z.enum(DOCUMENT_FORMATS),
    /** Send a tombstone (null value) after each delete, so compacted topics forget the item. */
    tombstones: z.boolean(),
    maxBatchSize: z.number(),
    /**
     * A change larger than topics.maxMessageBytes: written without its old image, and when even that is too
     * large, sent as a reference to the dead-letter topic or stopping the table.
     */
    oversizedRecords: z.enum(OVERSIZED_RECORD_POLICIES),
    /** Required by the dead-letter policy. */
    deadLetterTopic: z.string().optional(),
  }),
  /** Records and their offsets in one Kafka transaction; off: at-least-once. */
  exactlyOnce: z.boolean(),
  offsetStorageTopic: z.string(),
  /** Keys accepted but without effect, and other things the person should know; for the log. */
  warnings: z.array(z.string()),
});

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type TableDiscovery = z.infer<typeof discoverySchema>;
export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;
export type AwsSettings = z.infer<typeof awsSchema>;
