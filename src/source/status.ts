/** A table pipeline's live status: read by the CLI (progress), the worker (connector status) and tests. */
export interface PipelineStatus {
  table: string;
  topic: string;
  state: string;
  /** The task that carries the table. */
  task?: number;
  error?: string;
  snapshot?: {
    snapshotCount: number;
    totalSegments: number;
    segmentsCompleted: number;
    itemsRead: number;
    /** DynamoDB's approximate item count, for a progress estimate. */
    estimatedItems: number;
    startedAt: number;
    /**
     * When the scan began reading: after every shard's position was recorded (a change made before then is shown
     * by the scan, one made after it by the stream).
     */
    scanStartedAt?: number;
    /** The expected total duration at the pace so far (ms), and that as a share of the stream's 24 h retention. */
    expectedDurationMs?: number;
    retentionShare?: number;
    /** Set once the expected duration passes half the retention. */
    retentionWarning?: string;
    /**
     * A snapshot by export (dynamodb.snapshot.method=EXPORT): the export and its state. Its data files are then
     * counted as the segments (totalSegments, segmentsCompleted).
     */
    export?: { exportArn?: string; state: string; itemsExported?: number };
  };
  /** Changes too large for max.message.bytes, by what oversized.record.policy did with them. */
  oversized?: { beforeDropped: number; deadLettered: number };
  stream?: {
    shardsRead: number;
    shardsActive: number;
    /** Kafka records durably written (committed, with exactly-once). */
    recordsWritten: number;
    /** The changes behind them, by operation (a delete's tombstone is not a change of its own). */
    changesByOp?: { c: number; u: number; d: number };
    recordsSkipped: number;
    /** ApproximateCreationDateTime of the latest record handled. */
    lastRecordAt?: number;
  };
}
