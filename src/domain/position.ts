import type { SnapshotSummary } from './change.js';

/**
 * Source offsets in Kafka Connect's shape: a small *partition* map naming what is being read, and an *offset*
 * map saying how far. Partition shapes follow Confluent's DynamoDB CDC Source (`{tableName, segment}` for a
 * snapshot segment, `{stream: tableName}` for the stream's start position); one partition per shard holds its
 * sequence number. Every offset carries a format version `v`; test/fixtures holds one example per released
 * version so old offsets keep loading.
 */
export type SourcePartition = Record<string, string>;

export const POSITION_VERSION = 1;

export interface SegmentOffset {
  v: 1;
  tableName: string;
  segment: number;
  totalSegments: number;
  snapshotCount: number;
  snapshotStartTime: number;
  /** The segment's last LastEvaluatedKey (DynamoDB JSON text); null before the first page. */
  exclusiveStartKey: string | null;
  completed: boolean;
  /** Items scanned so far; absent in offsets of releases before it was counted (the count is then unknown). */
  itemsRead?: number;
}

/**
 * A snapshot read from DynamoDB's export to S3 (dynamodb.snapshot.method=EXPORT), in the place of the segments:
 * the export requested (so a restart does not request another), and how far its files, read in the manifest's
 * order, were written.
 */
export interface ExportOffset {
  v: 1;
  tableName: string;
  snapshotCount: number;
  snapshotStartTime: number;
  /** Null until the export was requested. */
  exportArn: string | null;
  /** Data files written completely, in the manifest's order. */
  filesCompleted: number;
  /** Lines of the next file already written. */
  linesWritten: number;
  completed: boolean;
  itemsRead: number;
}

export interface StreamOffset {
  v: 1;
  /** The stream this position belongs to; a different ARN now means the stream was re-created: a gap. */
  streamArn: string;
  /** How many snapshots this table has had (0 for CDC-only); a re-snapshot increments it. */
  snapshotCount: number;
  snapshotCompleted: boolean;
  /** When the current snapshot started (epoch ms); null without a snapshot. */
  snapshotStartTime: number | null;
  /**
   * Stream records created before this instant (epoch ms) are skipped: they precede the snapshot (hand-off),
   * or the configured LATEST / AT_TIMESTAMP start. Null reads everything (TRIM_HORIZON).
   */
  skipBeforeMs: number | null;
  /** When the snapshot completed (epoch ms); absent before it did, or when an older release completed it. */
  snapshotEndTime?: number;
  /** Items the completed snapshot read; absent as snapshotEndTime, or when a segment's count is unknown. */
  snapshotItems?: number;
  /**
   * The stream's position when the snapshot's scan began: each shard's last sequence number then (shards
   * without records are absent). What precedes it is in the scan; the stream is read alongside from there.
   * Absent before the scan began, and in snapshots of releases before the stream was read alongside.
   */
  scanStartPositions?: Record<string, string>;
}

/** The completed snapshot a stream position follows; null when there is none (stream only, or still running). */
export function completedSnapshot(position: StreamOffset): SnapshotSummary | null {
  if (!position.snapshotCompleted || position.snapshotStartTime === null) return null;
  return { startedAtMs: position.snapshotStartTime, endedAtMs: position.snapshotEndTime ?? null, items: position.snapshotItems ?? null };
}

export interface ShardOffset {
  v: 1;
  streamArn: string;
  /** Sequence number of the last record of this shard that was handled (emitted or skipped); null before any. */
  seq_No: string | null;
  /** The shard is closed and was read to its end. */
  finished: boolean;
  /**
   * Creation time (epoch ms) of the last record handled: where the changes a gap may have lost begin. Absent
   * before any record, and in offsets of releases before it was kept.
   */
  lastRecordMs?: number;
}

/**
 * The transactional ids of the connector's tasks when they last started. When they change (another tasks.max, or
 * the per-table ids of releases before tasks), the ids of before are fenced before any task reads its offsets: a
 * table that moved to another task could otherwise have a transaction of its old owner still open.
 */
export interface TaskWritersOffset {
  v: 1;
  transactionalIds: string[];
}

export const partitions = {
  taskWriters: (): SourcePartition => ({ tasks: 'transactional-ids' }),
  segment: (tableName: string, segment: number): SourcePartition => ({ tableName, segment: String(segment) }),
  export: (tableName: string): SourcePartition => ({ tableName, export: 'snapshot' }),
  stream: (tableName: string): SourcePartition => ({ stream: tableName }),
  shard: (tableName: string, shardId: string): SourcePartition => ({ stream: tableName, shard: shardId }),
};

/**
 * The offsets topic's record key: `["connector",{partition}]` as Kafka Connect writes it. Partition keys are
 * sorted so the same partition always has the same bytes (compaction keys on bytes).
 */
export function offsetKey(connector: string, partition: SourcePartition): string {
  const sorted = Object.fromEntries(Object.entries(partition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify([connector, sorted]);
}

export function parseOffsetKey(key: string): { connector: string; partition: SourcePartition } | undefined {
  try {
    const parsed = JSON.parse(key) as unknown;
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string') return undefined;
    const partition = parsed[1] as unknown;
    if (!partition || typeof partition !== 'object' || Array.isArray(partition)) return undefined;
    return { connector: parsed[0], partition: partition as SourcePartition };
  } catch {
    return undefined;
  }
}

/** Refuses an offset written by a newer release rather than misreading it. */
export function checkVersion(offset: { v?: unknown }, where: string): void {
  if (offset.v !== POSITION_VERSION) {
    throw new Error(
      `${where}: stored offset has format version ${JSON.stringify(offset.v)}, this release reads version ${POSITION_VERSION}`,
    );
  }
}
