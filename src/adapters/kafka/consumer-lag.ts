/** What a group member knows of one partition it owns, in offsets (undefined: not known yet). */
export interface PartitionReading {
  /** The partition's end: its high watermark, from the last fetch answer or query. */
  end?: number;
  /** librdkafka's position: after the last record handed over, or after a transaction marker passed over. */
  position?: number;
  /**
   * Where reading began: the group's committed offset when the partition was assigned (the log's start for a
   * group without one), or else the first record polled since.
   */
  start?: number;
  /** After the last record polled, and the last offset this member committed (records written to DynamoDB). */
  nextPolled?: number;
  nextCommitted?: number;
}

/**
 * Records between what the sink has written and committed in a partition and the partition's end; undefined when
 * either is not known yet. A sink commits its last record's offset + 1, and on a topic written in transactions a
 * commit marker follows that record: counted from the commit alone, the lag would stay at 1 behind every
 * transaction and never reach 0. So once every record polled is committed, and no poll is under way (which could
 * have moved the position past records not yet seen here), the position counts, past the markers, as it does
 * for Kafka's Java consumer's `records-lag`.
 */
export function partitionLag(reading: PartitionReading, pollUnderWay: boolean): number | undefined {
  const { end, position, start, nextPolled, nextCommitted } = reading;
  if (end === undefined) return undefined;
  let written = nextCommitted ?? start;
  const settled = !pollUnderWay && (nextPolled === undefined || (nextCommitted ?? -1) >= nextPolled);
  if (settled && position !== undefined) written = Math.max(written ?? position, position);
  return written === undefined ? undefined : Math.max(0, end - written);
}
