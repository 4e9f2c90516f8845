/** Where a Kafka record came from: what error messages and dead-letter headers name. */
export interface RecordPosition {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as decimal text. */
  offset: string;
}

export function describePosition(position: RecordPosition): string {
  return `topic ${position.topic} partition ${position.partition} offset ${position.offset}`;
}
