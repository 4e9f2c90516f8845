import type { DataFormat, KeyFormat, RegistrySettings } from './registry-keys.js';
import type { TagFilter } from '../domain/tag-match.js';

/*
 * The shape of a parsed source connector configuration. parseSourceConfig (source.ts) builds it from the flat
 * Kafka Connect keys; everything downstream reads only this, never the keys.
 */

export const SYNC_MODES = ['SNAPSHOT_CDC', 'SNAPSHOT', 'CDC'] as const;
export const DISCOVERY_MODES = ['INCLUDELIST', 'TAG'] as const;
export const STREAM_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
export const GAP_POLICIES = ['resnapshot', 'fail'] as const;
export const DOCUMENT_FORMATS = ['dynamodb-json', 'json'] as const;
/** The record shape: Confluent's DynamoDB CDC Source envelope, or trustpilot's kafka-connect-dynamodb record. */
export const OUTPUT_ENVELOPES = ['confluent', 'trustpilot'] as const;
export const OVERSIZED_RECORD_POLICIES = ['drop-before', 'dead-letter', 'fail'] as const;
/** How the snapshot reads the table: a parallel Scan (read capacity), or DynamoDB's export to S3 (none). */
export const SNAPSHOT_METHODS = ['SCAN', 'EXPORT'] as const;

export type TableDiscovery =
  | { mode: 'INCLUDELIST'; tables: string[] }
  | {
      mode: 'TAG';
      /** All must match (AND); within one filter, any of its values (OR). */
      filters: TagFilter[];
      /** Unset: the region's Resource Groups Tagging API endpoint. */
      taggingEndpoint?: string;
      rediscoveryPeriodMs: number;
    };

export type AwsCredentials =
  /** The SDK's default chain: environment, profile, container or instance role. */
  | { kind: 'default' }
  | { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Where DynamoDB is and who the connector is there; the sink connector has the same. */
export interface AwsSettings {
  region: string;
  /** DynamoDB (and DynamoDB Streams) endpoint, e.g. DynamoDB Local; unset: the region's. */
  endpoint?: string;
  credentials: AwsCredentials;
  /** Assumed on top of `credentials` with STS. */
  assumeRole?: { roleArn: string; externalId?: string; sessionName: string };
}

export interface SourceConfig {
  name: string;
  /** As written in the config: ours, Confluent's or trustpilot's name. */
  connectorClass: string;
  tasksMax: number;
  discovery: TableDiscovery;
  syncMode: (typeof SYNC_MODES)[number];
  aws: AwsSettings;
  kafka: {
    /** Unset in a file the CLI may complete with the local stack's broker; the worker refuses a connector without it. */
    bootstrapServers?: string;
    /** librdkafka client properties (security.protocol, sasl.*, ssl.*, client.id). */
    properties: Record<string, string>;
  };
  topics: {
    prefix: string;
    suffix: string;
    /** Table name → topic name (between prefix and suffix) for tables not named after their topic. */
    map: Record<string, string>;
    partitions: number;
    /** -1: the broker's default. */
    replicationFactor: number;
    /** max.message.bytes of the topics created, and the largest record produced (key, value and headers). */
    maxMessageBytes: number;
  };
  snapshot: {
    maxPollRecords: number;
    /** Unset: chosen from the table's size. */
    segments?: number;
    maxRcuPercentage: number;
    /** Absolute read-capacity cap, for on-demand tables (which have no provisioned RCU to take a share of). */
    maxRcu?: number;
    consistentRead: boolean;
    method: (typeof SNAPSHOT_METHODS)[number];
    /** Set exactly when method is EXPORT: where DynamoDB writes the export, and where it is read from. */
    export?: {
      bucket: string;
      /** Key prefix of the export's objects; unset: DynamoDB's default layout at the bucket's root. */
      prefix?: string;
      /** S3 endpoint (moto, a VPC endpoint); unset: the region's. */
      endpoint?: string;
    };
  };
  cdc: {
    /** Where a stream with no checkpoint starts; applies to sync mode CDC only. */
    initialPosition: (typeof STREAM_POSITIONS)[number];
    /** Epoch ms; set exactly when initialPosition is AT_TIMESTAMP. */
    startTimestampMs?: number;
    maxPollRecords: number;
    /** How long a shard that returned nothing waits before asking again. */
    pollIntervalMs: number;
    /** What to do when changes were lost (checkpoint older than the stream's retention): snapshot again, or stop. */
    gapPolicy: (typeof GAP_POLICIES)[number];
  };
  output: {
    /** How values are serialized: JSON text, or through the Schema Registry (AVRO, JSON_SR, PROTOBUF). */
    dataFormat: DataFormat;
    /** How keys are serialized; STRING: the key attributes' JSON text, as JSON. */
    keyFormat: KeyFormat;
    /** Set when schema.registry.url is; required by the registry formats. */
    registry?: RegistrySettings;
    /** Under trustpilot's class name trustpilot's record shape, else Confluent's envelope. */
    envelope: (typeof OUTPUT_ENVELOPES)[number];
    /** The confluent envelope's documents; trustpilot's are always its DynamoDB JSON. */
    documentFormat: (typeof DOCUMENT_FORMATS)[number];
    /** Send a tombstone (null value) after each delete, so compacted topics forget the item. */
    tombstones: boolean;
    maxBatchSize: number;
    /**
     * A change larger than topics.maxMessageBytes: written without its old image, and when even that is too
     * large, sent as a reference to the dead-letter topic or stopping the table.
     */
    oversizedRecords: (typeof OVERSIZED_RECORD_POLICIES)[number];
    /** Required by the dead-letter policy. */
    deadLetterTopic?: string;
  };
  /** Records and their offsets in one Kafka transaction; off: at-least-once. */
  exactlyOnce: boolean;
  offsetStorageTopic: string;
  /** Keys accepted but without effect, and other things the person should know; for the log. */
  warnings: string[];
}
