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

/** Every sequence number in the table's stream, read from its oldest record (the connector's view bypassed). */
export async function streamSequenceNumbers(dynamodb: DynamoDBClient, streams: DynamoDBStreamsClient, table: string): Promise<string[]> {
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
  const sequenceNumbers: string[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const description = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }))).StreamDescription!;
    for (const shard of description.Shards ?? []) {
      let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of page.Records ?? []) sequenceNumbers.push(record.dynamodb!.SequenceNumber!);
        // An open shard never ends: an empty page means everything written so far was read.
        iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
      }
    }
    exclusiveStartShardId = description.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return sequenceNumbers;
}

/** Sequence numbers delivered more than once, and those of the stream never delivered. */
export function exactlyOnceViolations(delivered: DeliveredChange[], inStream: string[]) {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const change of delivered) {
    if (seen.has(change.sequenceNumber)) duplicated.add(change.sequenceNumber);
    seen.add(change.sequenceNumber);
  }
  return { duplicated: [...duplicated], missing: inStream.filter((sequenceNumber) => !seen.has(sequenceNumber)) };
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
 * version. It parses only the records that arrived since its last call (waitFor polls every 25 ms).
 */
export function containsWrites(writes: AcknowledgedWrite[]): (records: ConsumedRecord[]) => boolean {
  const delivered = new Set<string>();
  let parsed = 0;
  return (records) => {
    for (const change of deliveredChanges(records.slice(parsed))) delivered.add(`${change.id}#${change.version}`);
    parsed = records.length;
    return writes.every((write) => delivered.has(`${write.id}#${write.version}`));
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
