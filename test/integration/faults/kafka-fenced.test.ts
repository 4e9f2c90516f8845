import { describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../../support/aws.js';
import { containsWrites } from '../../support/delivery-checks.js';
import { awaitStreaming, kafkaFaultSuite, until } from '../../support/kafka-faults.js';
import { startSource, type SourceUnderTest } from '../../support/source.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const RECOVERY_BOUND_MS = 15_000;
/** Changes written (at 50/s) while both connectors run, after the first was fenced: 10 s for it to fight back. */
const CHANGES_AFTER_FENCING = 500;

const tableStatus = (source: SourceUnderTest) => source.connector.status().tables[0];

describe('faults: a fenced producer (a second connector with the same name, hence the same transactional id, takes the table)', () => {
  const { connection, dynamodb, defer, createVersionedTable, expectFaithfulTopic } = kafkaFaultSuite('kafkafenced');

  it(
    `the first stops the table saying it was fenced and does not fight back; the second streams on, caught up ≤ ` +
      `${RECOVERY_BOUND_MS / 1000} s after it started; nothing lost or duplicated across the hand-over`,
    async () => {
      const bootstrapServers = inject('stack').kafka.bootstrapServers;
      const table = await createVersionedTable(500);
      const follower = await TopicFollower.follow(bootstrapServers, table);
      defer(() => follower.close());
      const ids = Array.from({ length: 100 }, (_, index) => `item-${index * 5}`);
      const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 50, total: 50 * 90 }).start();
      defer(() => writer.stop());
      const name = uniqueName('kafkafenced');
      const first = await startSource({ name, tables: [table], dynamodb: connection });
      defer(() => first.stop());
      await awaitStreaming(follower, writer, 60_000);

      const second = await startSource({ name, tables: [table], dynamodb: connection });
      defer(() => second.stop());
      const secondStartedAt = Date.now();
      await until(() => tableStatus(first)?.state === 'FAILED', 30_000, 'the first connector to stop the table');
      const fencedAt = Date.now();
      expect(tableStatus(first)?.error).toMatch(/fenced|taken over/i);

      // From here on, every state either connector's table takes is recorded: the first must stay stopped and
      // the second must never be fenced back, while the writer goes on.
      const firstStates = new Set<string>();
      const secondErrors = new Set<string>();
      const watch = setInterval(() => {
        firstStates.add(tableStatus(first)?.state ?? 'none');
        const error = tableStatus(second)?.error;
        if (error) secondErrors.add(error);
      }, 20);
      try {
        const writtenAtFencing = [...writer.acknowledged];
        await follower.waitFor(containsWrites(writtenAtFencing), RECOVERY_BOUND_MS * 4, 'every change made before the first was fenced');
        const caughtUpMs = Date.now() - secondStartedAt;
        const target = writer.acknowledged.length + CHANGES_AFTER_FENCING;
        await until(() => writer.acknowledged.length >= target, 60_000, `${CHANGES_AFTER_FENCING} more changes written`);
        await writer.stop();
        await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change written');
        console.info(
          `[kafkafenced] first fenced ${fencedAt - secondStartedAt} ms after the second started; second caught up ${caughtUpMs} ms ` +
            `after it started; first's states since: ${[...firstStates].join(', ')}; first's error: ${tableStatus(first)?.error}`,
        );
        expect([...firstStates], "the first connector's table states after it was fenced").toEqual(['FAILED']);
        expect([...secondErrors], "the second connector's table errors").toEqual([]);
        expect(tableStatus(second)?.state).toBe('STREAMING');
        await expectFaithfulTopic(table, follower.records);
        expect(caughtUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      } finally {
        clearInterval(watch);
      }
    },
    150_000,
  );
});
