// One Kafka record as the sink sees it: bytes in, no deserialization yet (conversion is record-converter's job).

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

/** Where a record came from: what error messages and dead-letter headers name. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

export function positionOf(record: SinkRecord): RecordPosition {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}
