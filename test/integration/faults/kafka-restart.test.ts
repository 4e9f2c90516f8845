import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../support/aws.js';
import { containsWrites } from '../../support/delivery-checks.js';
import { awaitStreaming, committedBy, kafkaFaultSuite, measureRecovery, until, type Recovery } from '../../support/kafka-faults.js';
import { startPrivateKafka, type PrivateKafka } from '../../support/private-kafka.js';
import { startSource } from '../../support/source.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const RECOVERY_BOUND_MS = 15_000;

describe('faults: the Kafka broker restarted with its data kept, mid-stream', () => {
  const { connection, dynamodb, defer, createVersionedTable, expectFaithfulTopic } = kafkaFaultSuite('kafkarestart');
  let kafka: PrivateKafka;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    defer(() => kafka.stop());
  });

  it(
    `stopped cleanly, then killed (SIGKILL): nothing lost or duplicated, per-item order kept, caught up ≤ ` +
      `${RECOVERY_BOUND_MS / 1000} s after the broker answers again`,
    async () => {
      const table = await createVersionedTable(500);
      const follower = await TopicFollower.follow(kafka.bootstrapServers, table);
      defer(() => follower.close());
      const ids = Array.from({ length: 100 }, (_, index) => `item-${index * 5}`);
      const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 50, total: 50 * 120 }).start();
      defer(() => writer.stop());
      const source = await startSource({ name: uniqueName('kafkarestart'), tables: [table], dynamodb: connection, bootstrapServers: kafka.bootstrapServers });
      defer(() => source.stop());
      await awaitStreaming(follower, writer, 60_000);

      const recoveries: Array<Recovery & { how: string; downMs: number }> = [];
      for (const how of ['clean', 'kill'] as const) {
        const { stoppedAt, answeringAt } = await kafka.restart(how);
        const recovery = await measureRecovery(follower, answeringAt, [...writer.acknowledged], 60_000, committedBy(source));
        recoveries.push({ how, downMs: answeringAt - stoppedAt, ...recovery });
        console.info(
          `[kafkarestart] ${how} restart: broker down ${answeringAt - stoppedAt} ms; first commit ${recovery.firstCommitMs} ms, ` +
            `first record ${recovery.firstRecordMs} ms, ` +
            `caught up ${recovery.caughtUpMs} ms after it answered again`,
        );
        // Some changes streamed after the recovery, before the next fault.
        const target = writer.acknowledged.length + 100;
        await until(() => writer.acknowledged.length >= target, 30_000, '100 more changes written');
      }

      await writer.stop();
      await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change written');
      await expectFaithfulTopic(table, follower.records);
      expect(source.connector.status().tables[0]?.state).toBe('STREAMING');
      for (const recovery of recoveries) expect(recovery.caughtUpMs, `${recovery.how} restart: caught up`).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    },
    150_000,
  );
});
