// What the source connector needs from DynamoDB and Kafka, in its own terms. src/adapters implements these on
// the AWS SDK and librdkafka; test/support/fakes implements them in memory, so the connector's logic (the
// pipeline's lifecycle, shard order, the snapshot → stream hand-off, exactly-once writes, table discovery) is
// unit-tested.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { ExportedFile } from '../domain/export-manifest.js';
import type { TagFilter } from '../domain/tag-match.js';
import type { OutgoingMessage } from '../domain/outgoing-message.js';
import type { ShardInfo } from '../domain/shard-tree.js';
import type { TableInfo } from '../domain/table-info.js';
import type { OffsetStore } from '../offsets/offset-store.js';

// ---------------------------------------------------------------------------------------------- DynamoDB

export interface ScanPageRequest {
  table: string;
  segment: number;
  totalSegments: number;
  exclusiveStartKey?: Record<string, AttributeValue>;
  limit: number;
  consistentRead: boolean;
}

export interface ScanPage {
  items: Record<string, AttributeValue>[];
  /** Absent when the segment is finished. */
  lastEvaluatedKey?: Record<string, AttributeValue>;
  consumedReadCapacity: number;
}

/** The tables themselves: what they are, and their items, a segment's page at a time. */
export interface SourceTables {
  /** Throws AwsError (kind not-found for a missing table). */
  describe(table: string): Promise<TableInfo>;
  scanPage(request: ScanPageRequest): Promise<ScanPage>;
}

/** The account's tables and their tags, as TAG discovery asks for them. Failures are AwsErrors. */
export interface TableCatalog {
  /**
   * The tables whose tags match every filter, found in one search of the whole account (the Resource Groups
   * Tagging API); absent when that API is not configured. Fails with kind unsupported, unreachable or auth where
   * the API is not there or not allowed.
   */
  findByTags?(filters: readonly TagFilter[]): Promise<string[]>;
  /** Every table's name. */
  listTables(): Promise<string[]>;
  /** A table's tags: kind not-found for a table deleted meanwhile, unsupported where the endpoint keeps no tags. */
  tagsOf(table: string): Promise<Record<string, string>>;
}

export type StreamRecord = _Record;

export interface StreamDescription {
  streamArn: string;
  status: string;
  viewType?: string;
  shards: ShardInfo[];
}

export type IteratorStart =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface RecordsPage {
  records: StreamRecord[];
  /** Absent once a closed shard has been read to its end. */
  nextIterator?: string;
}

/**
 * A table's change stream: its shards, and each shard's records from a position. Failures are AwsErrors:
 * `expired-iterator` (re-acquire from the checkpoint), `trimmed` (records past retention), `not-found`.
 */
export interface ChangeStreams {
  describe(streamArn: string): Promise<StreamDescription>;
  iterator(streamArn: string, shardId: string, start: IteratorStart): Promise<string | undefined>;
  read(iterator: string, limit: number, shardId: string): Promise<RecordsPage>;
}

export type ExportState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** An export of a table to S3, as DescribeExport tells it. */
export interface ExportProgress {
  exportArn: string;
  state: ExportState;
  /** The instant the export shows the table at (epoch ms). */
  exportTimeMs?: number;
  /** Items exported so far. */
  itemCount?: number;
  /** FAILED: AWS's failure code and message. */
  failure?: string;
  /** COMPLETED: the S3 key of the export's manifest-summary.json. */
  manifestKey?: string;
}

export interface ExportDestination {
  bucket: string;
  prefix?: string;
}

/**
 * DynamoDB's export of a table to S3 (ExportTableToPointInTime), and its files. Failures are AwsErrors whose
 * messages name the table or the bucket and key, and AWS's reason.
 */
export interface TableExports {
  /** Requests a full export of the table as it is now, in DynamoDB JSON. Point-in-time recovery must be on. */
  start(table: { name: string; arn: string }, destination: ExportDestination): Promise<ExportProgress>;
  describe(exportArn: string): Promise<ExportProgress>;
  /** The data files of a completed export, in order, from its manifests. */
  files(bucket: string, manifestKey: string): Promise<ExportedFile[]>;
  /**
   * The items of one data file in order, its first `skip` lines left out: read as a stream (a file is never whole
   * in memory), so the consumer's pace is the read's.
   */
  items(bucket: string, file: ExportedFile, skip: number, signal: AbortSignal): AsyncIterable<Record<string, AttributeValue>>;
}

// ---------------------------------------------------------------------------------------------- Kafka

/**
 * Writes batches of messages. With exactly-once, a batch (the data and the offsets that cover it) is one Kafka
 * transaction: a read_committed reader sees all of it or none of it, and a producer fenced by a newer owner of
 * the same transactional id fails with FencedError. At-least-once writes the data, waits for every
 * acknowledgement, and only then writes the offsets.
 */
export interface BatchWriter {
  readonly exactlyOnce: boolean;
  write(data: OutgoingMessage[], offsets: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Another producer initialised the same transactional id: a newer owner of the same work (the same connector
 * and table started elsewhere). Fighting back would fence it in turn, and so on: the work stops here instead.
 */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 = the broker's default. */
  replicationFactor: number;
  configs?: Record<string, string>;
}

/** The Kafka side of a source connector: its topics, its writers, its offsets. */
export interface SourceKafka {
  /** Creates the topic unless it exists. */
  ensureTopic(spec: TopicSpec): Promise<void>;
  /**
   * A writer of records as large as `maxMessageBytes`: transactional with this id (fencing any older producer
   * with it, so offsets must be read after) when `transactionalId` is given, at-least-once otherwise.
   */
  openWriter(options: { transactionalId?: string; maxMessageBytes: number }): Promise<BatchWriter>;
  /** The connector's committed offsets, read to the end of the offsets topic (created when missing). */
  loadOffsets(topic: string, connector: string): Promise<OffsetStore>;
  /** Resolves when the cluster answers (a metadata request); rejects when it does not in time. */
  probe(): Promise<void>;
  /** Closes the clients the port opened itself. */
  close(): Promise<void>;
}
