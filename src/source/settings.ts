import type { Sema } from 'async-sema';
import type { SourceConfig } from '../config/source-config.js';
import type { TableInfo } from '../domain/table-info.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import type { ChangeEncoder } from '../formats/ports.js';
import type { TableEmitter } from './emitter.js';
import type { ChangeStreams, SourceTables, TableExports } from './ports.js';
import type { PipelineStatus } from './status.js';

export type SyncMode = 'SNAPSHOT_CDC' | 'SNAPSHOT' | 'CDC';

export type OversizedRecordPolicy = 'drop-before' | 'dead-letter' | 'fail';

/** How big a record may grow, and what happens to a change that does not fit. */
export interface RecordLimits {
  /** The largest record (key, value, headers) written: the topics' max.message.bytes. */
  maxMessageBytes: number;
  policy: OversizedRecordPolicy;
  /** Set with the dead-letter policy. */
  deadLetterTopic?: string;
}

/** What one table pipeline needs from the connector configuration. */
export interface PipelineSettings {
  connector: string;
  syncMode: SyncMode;
  topic: string;
  maxBatchSize: number;
  records: RecordLimits;
  snapshot: SourceConfig['snapshot'];
  cdc: SourceConfig['cdc'];
}

/** Everything a phase (snapshot or stream) works with. */
export interface PhaseContext {
  settings: PipelineSettings;
  table: TableInfo;
  /** The table's records in the connector's format. */
  encoder: ChangeEncoder;
  tables: SourceTables;
  streams: ChangeStreams;
  /** DynamoDB's export to S3: set when the snapshot method is EXPORT. */
  exports?: TableExports;
  store: OffsetStore;
  /** The table's lane of its task's single writer. */
  emitter: TableEmitter;
  status: PipelineStatus;
  /** Snapshot pages held in memory (scanning, queued or being written), shared by the connector's tables. */
  snapshotPages: Sema;
  signal: AbortSignal;
  log: { info(message: string): void; warn(message: string): void };
}

/**
 * Stream records are skipped when created this long before the snapshot started: their effect is already in
 * the snapshot. Creation times are rounded down (to the second on AWS, to the minute on DynamoDB Local), so
 * the margin must exceed the rounding; replaying a few changes twice is harmless because replay is idempotent
 * per key and in order.
 */
export const HANDOFF_MARGIN_MS = 2 * 60_000;
