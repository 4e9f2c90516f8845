// What the connectors need from a record format: the source turns changes into Kafka records with it. A format
// is chosen per connector (src/runtime/record-formats.ts); each format module owns both its writing and reading.
import type { Item } from '../domain/attribute-codec.js';
import type { SnapshotPage, StreamChange } from '../domain/change.js';
import type { RecordBytes } from '../domain/outgoing-message.js';
import type { TableInfo } from '../domain/table-info.js';

export interface EncodedRecord {
  key: RecordBytes;
  /** null: a tombstone. */
  value: RecordBytes | null;
  timestampMs: number;
}

/**
 * One table's records in one format. Encoding is synchronous: whatever must be asked of a server (a schema's
 * id) was asked when the encoder was made, so the hot path does no I/O and holds no promises.
 */
export interface ChangeEncoder {
  /** One record per item of a scan page. */
  snapshotPage(items: readonly Item[], page: SnapshotPage): EncodedRecord[];
  /** The records of one stream change: its record, and after a delete the tombstone when the format sends one. */
  streamChange(change: StreamChange): EncodedRecord[];
}

export interface RecordFormat {
  /** For the log: e.g. "JSON (confluent envelope)". */
  readonly description: string;
  /**
   * The encoder of one table's records for a topic; for a Schema Registry format this registers the table's
   * schemas, and fails, naming the subject and the registry's reason, when it refuses them.
   */
  forTable(table: TableInfo, topic: string): Promise<ChangeEncoder>;
}
