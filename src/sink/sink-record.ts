// One Kafka record as the sink sees it: bytes in, no deserialization yet (conversion is record-converter's job).
import type { RecordPosition } from '../domain/record-position.js';

export interface SinkRecord {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as decimal text. */
  offset: string;
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  headers?: Record<string, Buffer | string>;
}

export function positionOf(record: SinkRecord): RecordPosition {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}
