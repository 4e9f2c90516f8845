// What the sink connector needs from Kafka and DynamoDB, in its own terms. src/adapters implements these on
// librdkafka and the AWS SDK; test/support/fakes implements them in memory, so the sink task's rounds
// (convert, write, dead-letter, then commit) are unit-tested.
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type { TableInfo, KeyAttributeType } from '../domain/table-info.js';
import type { SinkRecord } from './sink-record.js';

/** The next offset to read in a partition: what a commit records. */
export interface NextOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** How far a partition's committed (written) offset is behind its end, in offsets. */
export interface PartitionLag {
  topic: string;
  partition: number;
  records: number;
}

/** Topics a subscription waits for: names that do not exist yet, or a regex no topic matches yet. */
export type MissingTopics = { names: string[] } | { regex: string };

/**
 * A member of the connector's consumer group, used in rounds: `poll()` returns records already fetched for its
 * partitions, the caller writes them and `commit()`s, then calls `settle()`, and only then are revoked
 * partitions handed to another member (so a new owner's writes never race this one's).
 */
export interface RecordSource {
  connect(): Promise<void>;
  /** Waits for records; returns none when a revocation waits for `settle()` or the source was interrupted. */
  poll(max: number): Promise<SinkRecord[]>;
  /** Commits after the commits before it, in order. */
  commit(offsets: NextOffset[]): Promise<void>;
  settle(): Promise<void>;
  /** Makes a waiting `poll()` return, so its caller can finish its round and stop. */
  interrupt(): void;
  disconnect(): Promise<void>;
  /** Each owned partition's lag behind its end, at once (absent: this source cannot measure it). */
  lag?(): PartitionLag[];
}

export interface RecordSourceOptions {
  groupId: string;
  topics: { names?: string[]; regex?: string };
  /** Consumer properties (`consumer.override.*`). */
  properties: Record<string, string>;
  warn(message: string): void;
  /** Told when subscribed topics are missing (and with undefined once none is). */
  onMissingTopics(missing: MissingTopics | undefined): void;
}

export interface RetryPolicy {
  /** Give up (and fail) once unprocessed items or throttling last this long. */
  maxRetryTimeMs: number;
  /** First backoff; doubles per attempt, with full jitter, capped at 10 s. */
  retryBackoffMs: number;
}

export interface TableToCreate {
  name: string;
  hashKey: { name: string; type: KeyAttributeType };
  rangeKey?: { name: string; type: KeyAttributeType };
  billing: { mode: 'PAY_PER_REQUEST' } | { mode: 'PROVISIONED'; readCapacity: number; writeCapacity: number };
}

/** The tables the sink writes. Failures are AwsErrors (kind `invalid` for a request DynamoDB refuses). */
export interface SinkTables {
  /** Throws AwsError of kind not-found for a missing table. */
  describe(table: string): Promise<TableInfo>;
  /** Creates the table (another writer may be creating it too) and waits until it is ACTIVE. */
  create(spec: TableToCreate): Promise<void>;
  /** Writes up to 25 requests until all are processed, retrying throttling by the policy. */
  writeBatch(table: string, requests: WriteRequest[], policy: RetryPolicy): Promise<void>;
}

/** A record that could not be converted or written, with its original bytes and why. */
export interface FailedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  error: Error;
}

/** Where records that cannot be converted or written go; resolves once they are durable. */
export interface DeadLetterSink {
  report(records: FailedRecord[]): Promise<void>;
}

/** A failed record as its dead-letter topic receives it: the original bytes, and the error in headers. */
export interface DeadLetterMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** Writes messages to dead-letter topics; `write` resolves once every message is acknowledged (durable). */
export interface DeadLetterWriter {
  write(topic: string, messages: DeadLetterMessage[]): Promise<void>;
  close(): Promise<void>;
}
