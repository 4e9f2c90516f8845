import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { ConsumedRecord, TopicFollower } from './topic-follower.js';
import type { AcknowledgedWrite } from './versioned-writer.js';

/** A stream change as the source wrote it to Kafka (snapshot reads and tombstones left out). */
export interface DeliveredChange {
  id: string;
  op: string;
  sequenceNumber: string;
  /** The item's `version` after the change (absent for deletes). */
  version: number | undefined;
}

export function deliveredChanges(records: ConsumedRecord[]): DeliveredChange[] {
  const changes: DeliveredChange[] = [];
  for (const record of records) {
    if (record.value === null) continue;
    const envelope = JSON.parse(record.value) as {
      op: string;
      source: { sync_mode: string; seq_No: string };
      after: { document: string } | null;
      before: { document: string } | null;
    };
    if (envelope.source.sync_mode !== 'CDC') continue;
    const image = JSON.parse((envelope.after ?? envelope.before)!.document) as Record<string, Record<string, string>>;
    const after = envelope.after ? (JSON.parse(envelope.after.document) as Record<string, Record<string, string>>) : undefined;
    changes.push({
      id: image.id!.S!,
      op: envelope.op,
      sequenceNumber: envelope.source.seq_No,
      version: after?.version?.N === undefined ? undefined : Number(after.version.N),
    });
  }
  return changes;
}

/** A record of the table's stream, as read directly (the connector's view bypassed). */
export interface StreamRecordSeen {
  sequenceNumber: string;
  shardId: string;
  id: string;
  /** The item's `version` after the change (absent for deletes). */
  version: number | undefined;
}

/** Every record in the table's stream, read from each shard's oldest record. */
export async function streamRecords(dynamodb: DynamoDBClient, streams: DynamoDBStreamsClient, table: string): Promise<StreamRecordSeen[]> {
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const seen: StreamRecordSeen[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const description = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }))).StreamDescription!;
    for (const shard of description.Shards ?? []) {
      let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of page.Records ?? []) {
          const version = record.dynamodb!.NewImage?.version?.N;
          seen.push({
            sequenceNumber: record.dynamodb!.SequenceNumber!,
            shardId: shard.ShardId!,
            id: record.dynamodb!.Keys!.id!.S!,
            version: version === undefined ? undefined : Number(version),
          });
        }
        // An open shard never ends: an empty page means everything written so far was read.
        iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
      }
    }
    exclusiveStartShardId = description.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return seen;
}

/** The version of each item's snapshot read (`op: r`) in the topic; an item read twice keeps its newest. */
export function snapshotVersions(records: ConsumedRecord[]): Map<string, number | undefined> {
  const versions = new Map<string, number | undefined>();
  for (const record of records) {
    if (record.value === null || !record.value.includes('"op":"r"')) continue;
    const envelope = JSON.parse(record.value) as { op: string; after: { document: string } };
    if (envelope.op !== 'r') continue;
    const image = JSON.parse(envelope.after.document) as Record<string, Record<string, string>>;
    const version = image.version?.N === undefined ? undefined : Number(image.version.N);
    const known = versions.get(image.id!.S!);
    versions.set(image.id!.S!, known === undefined || (version ?? 0) > known ? version : known);
  }
  return versions;
}

/**
 * Sequence numbers delivered more than once, and the stream's records never delivered that the snapshot does
 * not excuse. The snapshot starts from a position: every shard read up to its newest record, nothing written,
 * as the scan shows those changes. So an undelivered record is excused only when it precedes every record
 * delivered from its shard (it was before that position) and its item's state in the topic is as new: its
 * snapshot read, or a later change (an item the stream changed before the scan reached it is not read), shows
 * it; a delete is excused when the snapshot did not read the item.
 */
export function exactlyOnceViolations(delivered: DeliveredChange[], inStream: StreamRecordSeen[], snapshot: Map<string, number | undefined> = new Map()) {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const change of delivered) {
    if (seen.has(change.sequenceNumber)) duplicated.add(change.sequenceNumber);
    seen.add(change.sequenceNumber);
  }
  const firstDelivered = new Map<string, bigint>();
  for (const record of inStream) {
    if (!seen.has(record.sequenceNumber)) continue;
    const sequence = BigInt(record.sequenceNumber);
    const first = firstDelivered.get(record.shardId);
    if (first === undefined || sequence < first) firstDelivered.set(record.shardId, sequence);
  }
  const newestDelivered = new Map<string, number>();
  for (const change of delivered) if (change.version !== undefined) newestDelivered.set(change.id, Math.max(change.version, newestDelivered.get(change.id) ?? -1));
  const excused = (record: StreamRecordSeen) => {
    const first = firstDelivered.get(record.shardId);
    if (first !== undefined && BigInt(record.sequenceNumber) > first) return false;
    if (record.version === undefined) return !snapshot.has(record.id);
    return (snapshot.get(record.id) ?? -1) >= record.version || (newestDelivered.get(record.id) ?? -1) > record.version;
  };
  const undelivered = inStream.filter((record) => !seen.has(record.sequenceNumber));
  const missing = undelivered.filter((record) => !excused(record)).map((record) => record.sequenceNumber);
  /** Delivered sequence numbers the stream does not hold. */
  const held = new Set(inStream.map((record) => record.sequenceNumber));
  const unknown = [...seen].filter((sequenceNumber) => !held.has(sequenceNumber));
  return { duplicated: [...duplicated], missing, unknown, beforeSnapshot: undelivered.length - missing.length };
}

/** Items whose versions did not arrive in write order: `[id, versions as delivered]`. */
export function perKeyOrderViolations(delivered: DeliveredChange[]): Array<[string, number[]]> {
  const versionsById = new Map<string, number[]>();
  for (const change of delivered) {
    if (change.version === undefined) continue;
    let versions = versionsById.get(change.id);
    if (!versions) versionsById.set(change.id, (versions = []));
    versions.push(change.version);
  }
  return [...versionsById].filter(([, versions]) => versions.some((version, index) => index > 0 && version <= versions[index - 1]!));
}

/**
 * A condition for TopicFollower.waitFor: every write in `writes` is in the topic, as the change that set that
 * version or, for a write before the snapshot's start position, as its item's snapshot read or a later change
 * (exactlyOnceViolations judges which may be). It parses only the records that arrived since its last call (waitFor polls every 25 ms).
 */
export function containsWrites(writes: AcknowledgedWrite[]): (records: ConsumedRecord[]) => boolean {
  const delivered = new Set<string>();
  /** Each item's newest version seen in a snapshot read or a change. */
  const newest = new Map<string, number>();
  const see = (id: string, version: number | undefined) => newest.set(id, Math.max(version ?? -1, newest.get(id) ?? -1));
  let parsed = 0;
  return (records) => {
    const arrived = records.slice(parsed);
    for (const change of deliveredChanges(arrived)) {
      delivered.add(`${change.id}#${change.version}`);
      see(change.id, change.version);
    }
    for (const [id, version] of snapshotVersions(arrived)) see(id, version);
    parsed = records.length;
    return writes.every((write) => delivered.has(`${write.id}#${write.version}`) || (newest.get(write.id) ?? -1) >= write.version);
  };
}

/**
 * Milliseconds from `since` until `condition` holds for what the follower has received (checked every 25 ms),
 * for recovery times measured from the end of a fault.
 */
export async function millisecondsUntil(
  follower: TopicFollower,
  since: number,
  condition: (records: ConsumedRecord[]) => boolean,
  timeoutMs: number,
  describe: string,
): Promise<number> {
  await follower.waitFor(condition, timeoutMs, describe);
  return Date.now() - since;
}
