import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import { createStreamsClient } from '../../src/adapters/dynamodb/client.js';
import { suiteResources, uniqueName } from './aws.js';
import {
  containsWrites,
  deliveredChanges,
  exactlyOnceViolations,
  perKeyOrderViolations,
  snapshotVersions,
  streamRecords,
} from './delivery-checks.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll } from './tables.js';
import type { SourceUnderTest } from './source.js';
import type { ConsumedRecord, TopicFollower } from './topic-follower.js';
import type { AcknowledgedWrite, VersionedWriter } from './versioned-writer.js';

/**
 * What the Kafka-side fault tests share: the suite's own DynamoDB database, tables of `item-N` items at
 * version 0, and the checks every fault must pass once the topic has caught up.
 */
export function kafkaFaultSuite(suite: string) {
  const { connection, dynamodb, defer } = suiteResources(suite);
  const streams = createStreamsClient(connection);
  defer(async () => streams.destroy());

  /** A new stream-enabled table holding `items` items `item-0` … at version 0. */
  async function createVersionedTable(items: number): Promise<string> {
    const table = uniqueName(suite);
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: items }, (_, index) => ({ id: { S: `item-${index}` }, version: { N: '0' } })));
    return table;
  }

  /**
   * The promises of the fault suite, checked on everything `records` holds (read_committed): every record of
   * the table's stream delivered exactly once, each item's versions in write order, and the topic replayed
   * equal to a consistent Scan of the table.
   */
  async function expectFaithfulTopic(table: string, records: ConsumedRecord[]): Promise<void> {
    const inStream = await streamRecords(dynamodb, streams, table);
    const delivered = deliveredChanges(records);
    const { duplicated, missing, unknown } = exactlyOnceViolations(delivered, inStream, snapshotVersions(records));
    expect(duplicated, 'stream records delivered more than once').toEqual([]);
    expect(missing, 'stream records never delivered (nor before the snapshot and in it)').toEqual([]);
    expect(unknown, 'delivered records the stream does not hold').toEqual([]);
    expect(perKeyOrderViolations(delivered), 'items whose versions arrived out of write order').toEqual([]);
    const tableState = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    expect(normalise(replay(records)), 'topic replayed ≠ consistent Scan of the table').toEqual(tableState);
  }

  return { connection, dynamodb, defer, createVersionedTable, expectFaithfulTopic };
}

/** How fast the topic came back after a fault ended, all measured from `faultEndedAt`. */
export interface Recovery {
  /** Until the connector committed its first record after the fault's end (its own count), when known. */
  firstCommitMs?: number;
  /** Until the first record committed after the fault's end reached the read_committed follower. */
  firstRecordMs: number;
  /** Until every change acknowledged by DynamoDB before the fault's end was in the topic. */
  caughtUpMs: number;
}

/**
 * Measures the recovery after a fault that ended at `faultEndedAt`: waits (up to `timeoutMs`, past the bound a
 * test asserts so that a slow recovery is measured rather than only timed out) for the first new record and
 * for every write acknowledged by then.
 */
export async function measureRecovery(
  follower: TopicFollower,
  faultEndedAt: number,
  writtenByThen: AcknowledgedWrite[],
  timeoutMs: number,
  /** The connector's count of records it committed (its status), to tell its recovery from the follower's. */
  committed?: () => number,
): Promise<Recovery> {
  let firstCommitMs: number | undefined;
  // The count restarts at 0 with each restarted pipeline: any rise between two looks is a commit.
  let lastCount = committed?.() ?? 0;
  const watch = committed && setInterval(() => {
    const count = committed();
    if (firstCommitMs === undefined && count > lastCount) firstCommitMs = Date.now() - faultEndedAt;
    lastCount = count;
  }, 20);
  try {
    const recordsAtEnd = follower.records.length;
    await follower.waitFor((records) => records.length > recordsAtEnd, timeoutMs, 'a record committed after the fault ended');
    const firstRecordMs = Date.now() - faultEndedAt;
    await follower.waitFor(containsWrites(writtenByThen), Math.max(1, timeoutMs - firstRecordMs), 'every change made before the fault ended');
    return { ...(firstCommitMs !== undefined ? { firstCommitMs } : {}), firstRecordMs, caughtUpMs: Date.now() - faultEndedAt };
  } finally {
    if (watch) clearInterval(watch);
  }
}

/** A source's count of stream records committed to Kafka, for `measureRecovery`. */
export function committedBy(source: SourceUnderTest): () => number {
  return () => source.connector.status().tables[0]?.stream?.recordsWritten ?? 0;
}

/** Resolves once `condition()` holds (checked every 25 ms); fails naming `describe` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, describe: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe}`);
    await delay(25);
  }
}

/**
 * Resolves once `count` of the writer's changes came through the stream: the table's stream is being read and
 * written. (Its first writes may precede the snapshot's start position: the snapshot shows those.)
 */
export async function awaitStreaming(follower: TopicFollower, writer: VersionedWriter, timeoutMs: number, count = 20): Promise<void> {
  let changes = 0;
  let parsed = 0;
  await follower.waitFor(
    (records) => {
      changes += deliveredChanges(records.slice(parsed)).length;
      parsed = records.length;
      return changes >= count && writer.acknowledged.length > 0;
    },
    timeoutMs,
    `${count} of the writer's changes streamed`,
  );
}

/**
 * Records each change of the source's table state and error (sampled every 50 ms), timed from `since`, so a
 * test that fails to recover shows what the connector went through.
 */
export function recordStatusChanges(source: SourceUnderTest, since: () => number) {
  const changes: string[] = [];
  let last = '';
  const sample = () => {
    const table = source.connector.status().tables[0];
    const now = `${table?.state ?? 'none'}${table?.error ? ` (${table.error})` : ''}`;
    if (now !== last) changes.push(`${Date.now() - since() >= 0 ? '+' : ''}${Date.now() - since()} ms ${now}`);
    last = now;
  };
  sample();
  const timer = setInterval(sample, 50);
  return {
    changes,
    stop: () => clearInterval(timer),
  };
}
