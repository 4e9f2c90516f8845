import { z } from 'zod';
import { POSITION_VERSION, type ExportOffset, type SegmentOffset, type ShardOffset, type SourcePartition, type StreamOffset } from './position.js';

/**
 * The body of Kafka Connect's `PATCH /connectors/{c}/offsets` (KIP-875), read and checked before anything is
 * written: `{"offsets": [{"partition": {...}, "offset": {...} | null}]}`, a null offset clearing the partition.
 * A source's partitions and offsets must have exactly the shapes `GET` answers (position.ts), so an altered
 * position is one the connector can resume from; a sink's are Connect's `{kafka_topic, kafka_partition}` →
 * `{kafka_offset}`.
 */
export class OffsetChangeError extends Error {}

export interface SourceOffsetChange {
  partition: SourcePartition;
  offset: SegmentOffset | ExportOffset | StreamOffset | ShardOffset | null;
}

export interface SinkOffsetChange {
  topic: string;
  partition: number;
  /** The next offset the group reads; null forgets the partition's committed offset. */
  offset: number | null;
}

const name = z.string().min(1);
const count = z.number().int().min(0);
const epochMs = z.number().int().min(0);
const version = z.literal(POSITION_VERSION);

const segmentPartition = z.strictObject({ tableName: name, segment: z.string().regex(/^\d+$/, 'a segment number as a string, e.g. "0"') });
const exportPartition = z.strictObject({ tableName: name, export: z.literal('snapshot') });
const streamPartition = z.strictObject({ stream: name });
const shardPartition = z.strictObject({ stream: name, shard: name });

const segmentOffset = z
  .strictObject({
    v: version,
    tableName: name,
    segment: count,
    totalSegments: z.number().int().min(1),
    snapshotCount: count,
    snapshotStartTime: epochMs,
    exclusiveStartKey: z.string().refine(isJsonObject, 'DynamoDB JSON of the last key read, e.g. {"id":{"S":"1"}}').nullable(),
    completed: z.boolean(),
    itemsRead: count.optional(),
  })
  .refine((offset) => offset.segment < offset.totalSegments, { message: 'segment must be below totalSegments', path: ['segment'] });

const streamOffset = z.strictObject({
  v: version,
  streamArn: name,
  snapshotCount: count,
  snapshotCompleted: z.boolean(),
  snapshotStartTime: epochMs.nullable(),
  skipBeforeMs: epochMs.nullable(),
  snapshotEndTime: epochMs.optional(),
  snapshotItems: count.optional(),
  scanStartPositions: z.record(name, z.string().regex(/^\d+$/, 'a sequence number (digits)')).optional(),
});

const shardOffset = z.strictObject({
  v: version,
  streamArn: name,
  seq_No: z.string().regex(/^\d+$/, 'a sequence number (digits)').nullable(),
  finished: z.boolean(),
  lastRecordMs: epochMs.optional(),
});

const exportOffset = z.strictObject({
  v: version,
  tableName: name,
  snapshotCount: count,
  snapshotStartTime: epochMs,
  exportArn: name.nullable(),
  filesCompleted: count,
  linesWritten: count,
  completed: z.boolean(),
  itemsRead: count,
});

const sinkPartition = z.strictObject({ kafka_topic: name, kafka_partition: count });
const sinkOffset = z.strictObject({ kafka_offset: count });

const SOURCE_SHAPES =
  '{"tableName": T, "segment": "N"} (a snapshot segment), {"tableName": T, "export": "snapshot"} (a snapshot by export), {"stream": T} (the stream position) or {"stream": T, "shard": S} (a shard)';

/** The source offsets to write, each checked against its partition's shape; the first problem is thrown. */
export function readSourceOffsetChanges(body: unknown): SourceOffsetChange[] {
  return entries(body).map(({ partition, offset, where }) => {
    const schema = offsetSchemaOf(partition);
    if (!schema) throw new OffsetChangeError(`${where}: partition ${JSON.stringify(partition)} is not a partition of this connector; expected ${SOURCE_SHAPES}`);
    const sourcePartition = partition as SourcePartition;
    if (offset === null) return { partition: sourcePartition, offset: null };
    const parsed = schema.safeParse(offset);
    if (!parsed.success) throw invalidOffset(where, partition, parsed.error);
    const named = parsed.data as Partial<SegmentOffset>;
    const otherSegment = sourcePartition.segment !== undefined && String(named.segment) !== sourcePartition.segment;
    if (named.tableName !== undefined && (named.tableName !== sourcePartition.tableName || otherSegment)) {
      throw new OffsetChangeError(`${where}: the offset of partition ${JSON.stringify(partition)} names another table or segment`);
    }
    return { partition: sourcePartition, offset: parsed.data };
  });
}

/** The consumer group offsets to write: Connect's sink partitions and offsets. */
export function readSinkOffsetChanges(body: unknown): SinkOffsetChange[] {
  return entries(body).map(({ partition, offset, where }) => {
    const parsedPartition = sinkPartition.safeParse(partition);
    if (!parsedPartition.success) {
      throw new OffsetChangeError(
        `${where}: partition ${JSON.stringify(partition)} is not a sink partition; expected {"kafka_topic": "topic", "kafka_partition": 0} ` +
          `(${issues(parsedPartition.error)})`,
      );
    }
    const { kafka_topic: topic, kafka_partition: number } = parsedPartition.data;
    if (offset === null) return { topic, partition: number, offset: null };
    const parsedOffset = sinkOffset.safeParse(offset);
    if (!parsedOffset.success) throw invalidOffset(where, partition, parsedOffset.error);
    return { topic, partition: number, offset: parsedOffset.data.kafka_offset };
  });
}

/** The offset shape that goes with a partition's shape; undefined for a partition this connector never writes. */
function offsetSchemaOf(partition: unknown): z.ZodType<SegmentOffset | StreamOffset | ShardOffset | ExportOffset> | undefined {
  if (segmentPartition.safeParse(partition).success) return segmentOffset;
  if (exportPartition.safeParse(partition).success) return exportOffset;
  if (shardPartition.safeParse(partition).success) return shardOffset;
  if (streamPartition.safeParse(partition).success) return streamOffset;
  return undefined;
}

function entries(body: unknown): Array<{ partition: unknown; offset: unknown; where: string }> {
  const list = (body as { offsets?: unknown } | null)?.offsets;
  if (!Array.isArray(list)) throw new OffsetChangeError('expected {"offsets": [{"partition": {...}, "offset": {...}}]}');
  if (list.length === 0) throw new OffsetChangeError('Partitions to modify cannot be empty: "offsets" lists none');
  return list.map((entry: unknown, index) => {
    const where = `offsets[${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new OffsetChangeError(`${where}: expected {"partition": {...}, "offset": {...}}`);
    const { partition, offset } = entry as { partition?: unknown; offset?: unknown };
    if (offset === undefined) throw new OffsetChangeError(`${where}: "offset" is missing (null clears the partition's offset)`);
    return { partition, offset, where };
  });
}

function invalidOffset(where: string, partition: unknown, error: z.ZodError): OffsetChangeError {
  return new OffsetChangeError(`${where}: invalid offset for partition ${JSON.stringify(partition)}: ${issues(error)}`);
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`).join('; ');
}

function isJsonObject(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
