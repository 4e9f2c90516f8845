import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../domain/retry.js';
import { fromDynamoDbJson, serializeDynamoDbJson } from '../domain/attribute-codec.js';
import { checkVersion, partitions, type SegmentOffset } from '../domain/position.js';
import type { OutgoingMessage } from '../domain/outgoing-message.js';
import { CapacityLimiter } from './rate-limiter.js';
import { notePace } from './snapshot-pace.js';
import type { PhaseContext } from './settings.js';
import type { Sema } from 'async-sema';
import { fitChange, fits, noteOversized, recordLength } from './oversized-records.js';

const GIB = 1024 ** 3;

/** Segments for a table of this size when not configured: at least 4, one more per 2 GiB, at most 1000. */
export function defaultSegments(sizeBytes: number): number {
  return Math.min(1000, Math.max(4, Math.ceil(sizeBytes / (2 * GIB))));
}

/** Read-capacity budget per second for the snapshot, or undefined for no limit. */
export function snapshotCapacity(context: Pick<PhaseContext, 'settings' | 'table'>): number | undefined {
  const { maxRcu, maxRcuPercentage } = context.settings.snapshot;
  const provisioned = context.table.readCapacityUnits;
  const fromPercentage = provisioned ? (provisioned * maxRcuPercentage) / 100 : undefined;
  if (fromPercentage !== undefined && maxRcu !== undefined) return Math.min(fromPercentage, maxRcu);
  return fromPercentage ?? maxRcu;
}

/**
 * Scans every unfinished segment of the current snapshot in parallel. Each page is submitted with its
 * segment's new offset (the page's LastEvaluatedKey), so a restart resumes each segment where it stopped.
 */
export async function runSnapshot(context: PhaseContext): Promise<void> {
  const { table, store, status } = context;
  const segments = store
    .find<SegmentOffset>({ tableName: table.name })
    .filter((entry) => entry.partition.segment !== undefined)
    .map((entry) => {
      checkVersion(entry.offset, `snapshot offset of table ${table.name}`);
      return entry.offset;
    });
  const limiter = new CapacityLimiter(snapshotCapacity(context));
  if (status.snapshot) status.snapshot.segmentsCompleted = segments.filter((segment) => segment.completed).length;
  await Promise.all(segments.filter((segment) => !segment.completed).map((segment) => scanSegment(context, segment, limiter)));
  await context.emitter.drain();
}

async function scanSegment(context: PhaseContext, start: SegmentOffset, limiter: CapacityLimiter): Promise<void> {
  const { snapshotPages, signal, table } = context;
  let segment = start;
  let exclusiveStartKey: Record<string, AttributeValue> | undefined = start.exclusiveStartKey
    ? fromDynamoDbJson(JSON.parse(start.exclusiveStartKey))
    : undefined;
  // A segment that DynamoDB's estimate of the table's size says makes small pages scans without a slot first,
  // and its pages ride in the slot small pages share: 1,000 small tables then scan side by side however small the
  // budget. Its first page larger than that sends the segment back to taking a slot before each scan.
  let scansSmall = smallSegment(table.sizeBytes, start.totalSegments);
  for (;;) {
    signal.throwIfAborted();
    // A page holds its slot from the scan until it is written: however many tables snapshot at once, the
    // connector keeps at most that many pages in memory, and the tables take turns in order.
    const slotHeld = !scansSmall;
    if (slotHeld) await snapshotPages.acquire();
    let page: SubmittedPage;
    try {
      page = await scanAndSubmitPage(context, segment, exclusiveStartKey, limiter);
    } catch (error) {
      if (slotHeld) snapshotPages.release();
      throw error;
    }
    const release = holdUntilWritten(snapshotPages, page.bytes, slotHeld);
    void page.written.then(release, release);
    scansSmall &&= page.bytes <= SMALL_PAGE_BYTES;
    if (!page.lastEvaluatedKey) return;
    exclusiveStartKey = page.lastEvaluatedKey;
    segment = page.offset;
  }
}

/** The bytes of a full page (a Scan page is at most 1 MB): what one slot of the page budget stands for. */
const SLOT_BYTES = 1_000_000;
/** Pages below this share a slot (a small table's pages are a few kilobytes). */
const SMALL_PAGE_BYTES = SLOT_BYTES / 16;
/** A record's text against its item's stored bytes: the envelope, escaping, and two bytes per UTF-16 unit. */
const RECORD_BYTES_PER_ITEM_BYTE = 4;

/** Whether a segment's share of a table of `sizeBytes` (DescribeTable's estimate) fits in a small page. */
export function smallSegment(sizeBytes: number, totalSegments: number): boolean {
  return (sizeBytes / totalSegments) * RECORD_BYTES_PER_ITEM_BYTE <= SMALL_PAGE_BYTES;
}

/** The slot small pages currently share: what they hold, how many of them are not yet written, and whether it is a slot of the budget. */
interface SharedSlot {
  bytes: number;
  pending: number;
  ofBudget: boolean;
}
const sharedSlots = new WeakMap<Sema, SharedSlot>();

/**
 * Keeps a scanned page's share of the connector's page budget until it is written; returns the release. A page
 * of a slot's size keeps the slot it was scanned with. A small page rides in a slot shared with other small pages
 * up to a full page's bytes, and hands its own slot back at once: otherwise each page of a small table held a
 * whole slot through its transaction, and 1,000 small tables (4,000 pages of a few kilobytes) snapshotted 32
 * pages at a time, about 10 tables a second. A page scanned without a slot (`slotHeld` false: a small segment)
 * starts a shared slot with a free one of the budget if there is one, else holds its few kilobytes beside it;
 * a large one (the size estimate was wrong) is held beside it once, and its segment takes slots from then on.
 */
function holdUntilWritten(slots: Sema, bytes: number, slotHeld: boolean): () => void {
  if (bytes > SMALL_PAGE_BYTES) return slotHeld ? () => slots.release() : () => undefined;
  let slot = sharedSlots.get(slots);
  if (slot && slot.bytes + bytes <= SLOT_BYTES) {
    if (slotHeld) slots.release(); // this page rides in the shared slot
  } else {
    // This page's own slot (or a free one) becomes the one shared by the small pages after it (a full one is left
    // to its pages).
    slot = { bytes: 0, pending: 0, ofBudget: slotHeld || slots.tryAcquire() !== undefined };
    if (slot.ofBudget) sharedSlots.set(slots, slot);
  }
  const held = slot;
  held.bytes += bytes;
  held.pending++;
  return () => {
    if (--held.pending > 0) return;
    if (sharedSlots.get(slots) === held) sharedSlots.delete(slots);
    if (held.ofBudget) slots.release();
  };
}

interface SubmittedPage {
  written: Promise<void>;
  /** The page's records, encoded: what it keeps in memory until written. */
  bytes: number;
  /** The segment's offset after this page: where the next page starts from. */
  offset: SegmentOffset;
  lastEvaluatedKey?: Record<string, AttributeValue>;
}

/** Scans one page of the segment (from its offset `start`) and queues its records with the segment's new offset. */
async function scanAndSubmitPage(
  context: PhaseContext,
  start: SegmentOffset,
  exclusiveStartKey: Record<string, AttributeValue> | undefined,
  limiter: CapacityLimiter,
): Promise<SubmittedPage> {
  const { settings, table, tables, emitter, status, signal } = context;
  signal.throwIfAborted();
  await limiter.acquire(signal);
  const page = await withRetries(
    () =>
      tables.scanPage({
        table: table.name,
        segment: start.segment,
        totalSegments: start.totalSegments,
        ...(exclusiveStartKey ? { exclusiveStartKey } : {}),
        limit: settings.snapshot.maxPollRecords,
        consistentRead: settings.snapshot.consistentRead,
      }),
    signal,
  );
  limiter.charge(page.consumedReadCapacity);
  const records = encodeSnapshotItems(context, page.items, start);
  const offset: SegmentOffset = {
    ...start,
    exclusiveStartKey: page.lastEvaluatedKey ? serializeDynamoDbJson(page.lastEvaluatedKey) : null,
    completed: !page.lastEvaluatedKey,
    ...(start.itemsRead !== undefined ? { itemsRead: start.itemsRead + page.items.length } : {}),
  };
  const { written } = await emitter.submit({ records, offsets: [{ partition: partitions.segment(table.name, start.segment), offset }] });
  if (status.snapshot) {
    status.snapshot.itemsRead += page.items.length;
    notePace(status.snapshot, table.name, Date.now(), context.log);
    // A failed write is the pipeline's to report (through drain); here it only means the segment is not done.
    if (offset.completed) void written.then(() => status.snapshot && status.snapshot.segmentsCompleted++, () => undefined);
  }
  let bytes = 0;
  for (const record of records) bytes += recordLength(record);
  return { written, bytes, offset, ...(page.lastEvaluatedKey ? { lastEvaluatedKey: page.lastEvaluatedKey } : {}) };
}

/**
 * A snapshot's items as the topic's `op: r` records, read now: a Scan page's, or a run of an export's lines.
 * A record too large for the topic is fitted by the oversized-record policy.
 */
export function encodeSnapshotItems(
  context: Pick<PhaseContext, 'settings' | 'table' | 'encoder' | 'status' | 'log'>,
  items: readonly Record<string, AttributeValue>[],
  source: Pick<SegmentOffset, 'snapshotStartTime' | 'snapshotCount' | 'segment' | 'totalSegments'>,
): OutgoingMessage[] {
  const { settings, table, encoder } = context;
  const readAtMs = Date.now();
  const records: OutgoingMessage[] = encoder
    .snapshotPage(items, {
      tableName: table.name,
      keySchema: table.keySchema,
      snapshotStartTime: source.snapshotStartTime,
      snapshotCount: source.snapshotCount,
      segment: source.segment,
      totalSegments: source.totalSegments,
      readAtMs,
      nowMs: readAtMs,
    })
    .map((record) => ({ topic: settings.topic, ...record }));
  for (let index = 0; index < records.length; index++) {
    if (fits(records[index]!, settings.records.maxMessageBytes)) continue;
    const origin = { table: table.name, event: 'SNAPSHOT', snapshotCount: source.snapshotCount, segment: source.segment } as const;
    const fitted = fitChange([records[index]!], settings.records, () => origin);
    noteOversized(context, fitted);
    records[index] = fitted.records[0]!;
  }
  return records;
}
