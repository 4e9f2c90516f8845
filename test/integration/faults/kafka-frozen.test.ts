import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/aws.js';
import { containsWrites, snapshotVersions } from '../../support/delivery-checks.js';
import { awaitStreaming, committedBy, kafkaFaultSuite, measureRecovery, recordStatusChanges, until } from '../../support/kafka-faults.js';
import { startPrivateKafka, type PrivateKafka } from '../../support/private-kafka.js';
import { startSource } from '../../support/source.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

/** Longer than the producer's 60 s transaction timeout: the open transaction's commit fails while frozen. */
const FROZEN_MID_STREAM_MS = 80_000;
const FROZEN_MID_SNAPSHOT_MS = 20_000;
const RECOVERY_BOUND_MS = 15_000;
const SNAPSHOT_ITEMS = 4000;

const snapshotIds = (records: ConsumedRecord[]) =>
  new Set(records.filter((record) => record.value?.includes('"op":"r"')).map((record) => record.key));

describe('faults: the Kafka broker frozen (SIGSTOP), then thawed', () => {
  const { connection, dynamodb, defer, createVersionedTable, expectFaithfulTopic } = kafkaFaultSuite('kafkafrozen');
  let kafka: PrivateKafka;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    defer(() => kafka.stop());
  });

  /** A follower, a writer (50 changes/s over `ids`) and the source on the private broker, for `table`. */
  async function replicate(table: string, ids: string[], overrides?: Parameters<typeof startSource>[0]['overrides']) {
    const follower = await TopicFollower.follow(kafka.bootstrapServers, table);
    defer(() => follower.close());
    const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 50, total: 50 * 150 }).start();
    defer(() => writer.stop());
    const source = await startSource({
      name: uniqueName('kafkafrozen'),
      tables: [table],
      dynamodb: connection,
      bootstrapServers: kafka.bootstrapServers,
      ...(overrides ? { overrides } : {}),
    });
    defer(() => source.stop());
    return { follower, writer, source };
  }

  /**
   * Freezes the broker for `ms` (a timed fault; always thawed, so a failing test leaves no frozen broker), then
   * measures the recovery from the thaw. The table's status changes are kept, timed from the thaw, to show what
   * the connector went through.
   */
  async function freezeAndRecover(ms: number, { follower, writer, source }: Awaited<ReturnType<typeof replicate>>) {
    let thawedAt = Date.now() + ms;
    const statuses = recordStatusChanges(source, () => thawedAt);
    try {
      kafka.freeze();
      try {
        await delay(ms);
      } finally {
        kafka.thaw();
      }
      thawedAt = Date.now();
      // Nothing can arrive from a frozen broker: this is what was committed before the freeze.
      const recordsByThaw = [...follower.records];
      const writtenByThaw = [...writer.acknowledged];
      // The first record after the thaw may be the transaction that was open at the freeze, committed late; a
      // hundred more records show the connector going on.
      const progressed = follower
        .waitFor((records) => records.length >= recordsByThaw.length + 100, 60_000, '100 records after the thaw')
        .then(() => Date.now() - thawedAt);
      progressed.catch(() => undefined); // awaited below, unless the recovery already failed
      const recovery = await measureRecovery(follower, thawedAt, writtenByThaw, 60_000, committedBy(source)).catch((error: Error) => {
        throw new Error(`${error.message}; table status since the freeze (ms from the thaw):\n  ${statuses.changes.join('\n  ')}`);
      });
      const progressMs = await progressed;
      return { recovery, progressMs, recordsByThaw, writtenByThaw, thawedAt, statusChanges: statuses.changes.join('\n  ') };
    } finally {
      statuses.stop();
    }
  }

  /** Lets the writer make `count` more changes, stops it, and waits for all of its changes in the topic. */
  async function finishWriting(follower: TopicFollower, writer: VersionedWriter, count: number): Promise<void> {
    const target = writer.acknowledged.length + count;
    await until(() => writer.acknowledged.length >= target, 30_000, `${count} more changes written`);
    await writer.stop();
    await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change written');
  }

  it(
    `mid-stream for ${FROZEN_MID_STREAM_MS / 1000} s (past the transaction timeout): nothing lost or duplicated, ` +
      `per-item order kept, caught up ≤ ${RECOVERY_BOUND_MS / 1000} s after the thaw`,
    async () => {
      const table = await createVersionedTable(500);
      const ids = Array.from({ length: 100 }, (_, index) => `item-${index * 5}`);
      const replication = await replicate(table, ids);
      const { follower, writer, source } = replication;
      await awaitStreaming(follower, writer, 60_000);

      const { recovery, writtenByThaw, statusChanges } = await freezeAndRecover(FROZEN_MID_STREAM_MS, replication);
      console.info(
        `[kafkafrozen] mid-stream ${FROZEN_MID_STREAM_MS / 1000} s: first commit ${recovery.firstCommitMs} ms, first record ` +
          `${recovery.firstRecordMs} ms, caught up ${recovery.caughtUpMs} ms after the thaw (${writtenByThaw.length} changes by ` +
          `then); table status since the freeze (ms from the thaw):\n  ${statusChanges}`,
      );

      await finishWriting(follower, writer, 100);
      await expectFaithfulTopic(table, follower.records);
      expect(source.connector.status().tables[0]?.state).toBe('STREAMING');
      expect(recovery.caughtUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    },
    150_000,
  );

  it(
    `mid-snapshot for ${FROZEN_MID_SNAPSHOT_MS / 1000} s: every item read once by the snapshot (or changed by the stream first), nothing lost or duplicated, ` +
      `per-item order kept, snapshot going on again ≤ ${RECOVERY_BOUND_MS / 1000} s after the thaw`,
    async () => {
      const table = await createVersionedTable(SNAPSHOT_ITEMS);
      const ids = Array.from({ length: 100 }, (_, index) => `item-${index * 40}`);
      // Small pages and transactions: the snapshot takes long enough to be frozen in its middle.
      const replication = await replicate(table, ids, { maxBatchSize: 10, snapshot: { maxPollRecords: 10, segments: 2 } });
      const { follower, writer } = replication;
      await follower.waitFor((records) => records.length >= SNAPSHOT_ITEMS / 10, 60_000, 'a tenth of the snapshot');

      const { recovery, progressMs, recordsByThaw, statusChanges, thawedAt } = await freezeAndRecover(FROZEN_MID_SNAPSHOT_MS, replication);
      const snapshotByThaw = snapshotIds(recordsByThaw).size;
      console.info(
        `[kafkafrozen] mid-snapshot ${FROZEN_MID_SNAPSHOT_MS / 1000} s (${snapshotByThaw}/${SNAPSHOT_ITEMS} items by the thaw): first record ` +
          `${recovery.firstRecordMs} ms, 100 records ${progressMs} ms, caught up (snapshot done, changes streamed) ` +
          `${recovery.caughtUpMs} ms after the thaw; table status since the freeze (ms from the thaw):\n  ${statusChanges}`,
      );
      expect(snapshotByThaw, 'items in the snapshot when the broker was thawed').toBeLessThan(SNAPSHOT_ITEMS);

      await finishWriting(follower, writer, 100);
      // The stream is read alongside the snapshot: its changes can all be in before the scan is done.
      await until(() => replication.source.connector.status().tables[0]?.state === 'STREAMING', 60_000, 'the snapshot complete');
      console.info(`[kafkafrozen] mid-snapshot: snapshot complete ${Date.now() - thawedAt} ms after the thaw`);
      // An item the stream changed before the scan reached it is not read (its read would be older): only the
      // writer's items may be missing from the snapshot, and the replay below shows their changes. The follower
      // reads what the snapshot committed last a moment after the status says so.
      const changed = new Set(ids);
      const unread = (records: ConsumedRecord[]) => {
        const read = snapshotVersions(records);
        return Array.from({ length: SNAPSHOT_ITEMS }, (_, index) => `item-${index}`).filter((id) => !read.has(id) && !changed.has(id));
      };
      await follower.waitFor((records) => unread(records).length === 0, 30_000, 'every item read by the snapshot or changed by the writer');
      const snapshot = follower.records.filter((record) => record.value?.includes('"op":"r"'));
      expect(snapshot, 'snapshot records (each item at most once)').toHaveLength(snapshotIds(snapshot).size);
      await expectFaithfulTopic(table, follower.records);
      expect(progressMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    },
    150_000,
  );
});
