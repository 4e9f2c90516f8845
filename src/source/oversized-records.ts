import type { OutgoingMessage } from '../domain/outgoing-message.js';
import type { PhaseContext, RecordLimits } from './settings.js';

/** Header on a change written without its old image because, with it, the record was too large. */
export const BEFORE_DROPPED_HEADER = 'dynamodb.before.dropped';

/**
 * Room kept free below max.message.bytes for what the broker counts besides the record itself: the record
 * batch's header and the record's own framing (a few dozen bytes each).
 */
const FRAMING_BYTES = 512;

/** Where an oversized change came from, for its error or dead-letter reference. */
export type ChangeOrigin = { table: string } & (
  | { event: string; shardId: string; sequenceNumber: string } // a stream record: INSERT, MODIFY or REMOVE
  | { event: 'SNAPSHOT'; snapshotCount: number; segment: number }
);

/** A change no policy could write: the table stops, saying which change and why. */
export class OversizedRecordError extends Error {
  override readonly name = 'OversizedRecordError';
}

export interface FitOutcome {
  records: OutgoingMessage[];
  /** What had to be done: nothing, the old image left out, or a reference sent to the dead-letter topic. */
  action: 'none' | 'before-dropped' | 'dead-lettered';
  /** For the log, when something was done: which change, and what. */
  note?: string;
}

/**
 * Makes one change's records fit max.message.bytes by the policy: first as they are, then (unless `fail`)
 * without the old image, then (`dead-letter`) replaced by a reference to the change in the dead-letter topic.
 * Otherwise it throws OversizedRecordError: a change is never dropped in silence.
 *
 * `withoutBefore` rebuilds the change's records without its old image; absent where there is none (snapshot).
 */
export function fitChange(
  records: OutgoingMessage[],
  limits: RecordLimits,
  origin: () => ChangeOrigin,
  withoutBefore?: () => OutgoingMessage[],
): FitOutcome {
  const oversized = records.find((record) => !fits(record, limits.maxMessageBytes));
  if (!oversized) return { records, action: 'none' };
  const change = { ...origin(), key: readableKey(oversized.key) };
  const size = `${describeOrigin(change)} is ${recordBytes(oversized)} bytes as a Kafka record, over the ${limits.maxMessageBytes} bytes of max.message.bytes (topic.creation.max.message.bytes)`;
  const mayDropBefore = limits.policy !== 'fail' && withoutBefore !== undefined;
  if (mayDropBefore) {
    const trimmed = withoutBefore().map((record) =>
      record.value === null ? record : { ...record, headers: { ...record.headers, [BEFORE_DROPPED_HEADER]: 'true' } },
    );
    if (trimmed.every((record) => fits(record, limits.maxMessageBytes))) {
      return { records: trimmed, action: 'before-dropped', note: `${size}: written without its old image (header ${BEFORE_DROPPED_HEADER})` };
    }
  }
  const reason = mayDropBefore ? `${size}, and still too large without its old image` : size;
  if (limits.policy === 'dead-letter' && limits.deadLetterTopic) {
    return {
      records: [deadLetterReference(oversized, change, reason, limits)],
      action: 'dead-lettered',
      note: `${reason}: a reference to it was sent to the dead-letter topic ${limits.deadLetterTopic}`,
    };
  }
  throw new OversizedRecordError(
    `${reason}. Raise topic.creation.max.message.bytes (and the topic's max.message.bytes), or set ` +
      `oversized.record.policy=${limits.policy === 'fail' ? 'drop-before or dead-letter' : 'dead-letter'}`,
  );
}

type Sized = Pick<OutgoingMessage, 'key' | 'value' | 'headers'>;

/** True when every record fits (no closure per call: this runs for every record written). */
export function allFit(records: readonly Sized[], maxMessageBytes: number): boolean {
  for (const record of records) if (!fits(record, maxMessageBytes)) return false;
  return true;
}

/** True when the record fits; exact UTF-8 sizes are computed only for records that might not. */
export function fits(record: Sized, maxMessageBytes: number): boolean {
  const room = maxMessageBytes - FRAMING_BYTES;
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most records are proven small without measuring them.
  return recordLength(record) * 3 <= room || recordBytes(record) <= room;
}

/**
 * The record's length in UTF-16 code units (bytes for a Buffer key or value): the memory its strings hold,
 * which is what the snapshot's page budget counts. Unlike recordBytes it does not read the text: measuring
 * every record's UTF-8 size was 5% of a snapshot's main thread.
 */
export function recordLength(record: Sized): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + headerLength(record.headers);
}

/** The bytes Kafka counts for a record's key, value and headers. */
export function recordBytes(record: Sized): number {
  let bytes = Buffer.byteLength(record.key ?? '') + Buffer.byteLength(record.value ?? '');
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

function headerLength(headers: Record<string, string> | undefined): number {
  if (!headers) return 0;
  let length = 0;
  for (const [name, value] of Object.entries(headers)) length += name.length + value.length;
  return length;
}

/** A record's key for a message: text as it is, bytes (a Schema Registry format) in hex. */
function readableKey(key: OutgoingMessage['key']): string | null {
  return key === null || typeof key === 'string' ? key : `0x${key.toString('hex')}`;
}

function describeOrigin(change: ChangeOrigin & { key: string | null }): string {
  const where =
    'sequenceNumber' in change
      ? `${change.event} at shard ${change.shardId}, sequence number ${change.sequenceNumber}`
      : `snapshot ${change.snapshotCount}, segment ${change.segment}`;
  return `table ${change.table}: the change of key ${change.key} (${where})`;
}

/**
 * What the dead-letter topic receives instead of a change too large to write: where it came from (so the item
 * can be read again from the table), in Kafka Connect's error headers, and the key of the item.
 */
function deadLetterReference(
  record: OutgoingMessage,
  change: ChangeOrigin & { key: string | null },
  reason: string,
  limits: RecordLimits,
): OutgoingMessage {
  return {
    topic: limits.deadLetterTopic!,
    key: record.key,
    value: JSON.stringify({ ...change, topic: record.topic, sizeBytes: recordBytes(record), maxMessageBytes: limits.maxMessageBytes }),
    ...(record.timestampMs !== undefined ? { timestampMs: record.timestampMs } : {}),
    headers: {
      '__connect.errors.topic': record.topic,
      '__connect.errors.exception.class.name': 'OversizedRecordError',
      '__connect.errors.exception.message': reason,
    },
  };
}

/** Counts an oversized change in the table's status and says in the log what was done with it. */
export function noteOversized(context: Pick<PhaseContext, 'status' | 'log'>, outcome: FitOutcome): void {
  if (outcome.action === 'none') return;
  const counts = (context.status.oversized ??= { beforeDropped: 0, deadLettered: 0 });
  if (outcome.action === 'before-dropped') counts.beforeDropped++;
  else counts.deadLettered++;
  context.log.warn(outcome.note!);
}
