// A record on its way to Kafka, as the source's writers take it: its data (encoded by a record format) and the
// offsets that cover it (made by the offset store) alike.

/** Text is sent as UTF-8; formats with a binary wire form (Schema Registry's) give bytes. */
export type RecordBytes = string | Buffer;

export interface OutgoingMessage {
  topic: string;
  key: RecordBytes | null;
  /** null = tombstone. */
  value: RecordBytes | null;
  timestampMs?: number;
  headers?: Record<string, string>;
}
