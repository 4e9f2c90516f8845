import { describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { containsWrites } from '../../support/delivery-checks.js';
import { awaitStreaming, kafkaFaultSuite, until } from '../../support/kafka-faults.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

/** From the new process's start (a fresh Node process: load, connect, read offsets) to caught up. */
const RECOVERY_BOUND_MS = 20_000;
/** SIGTERM finishes or aborts the open transaction and exits; it must not hang. */
const STOP_BOUND_MS = 15_000;
/** Stop-and-restart rounds, each in the middle of the burst. */
const ROUNDS = 3;

describe('faults: SIGTERM to the `run` process in the middle of a burst of changes, then a restart (three times)', () => {
  const { connection, dynamodb, defer, createVersionedTable, expectFaithfulTopic } = kafkaFaultSuite('kafkasigterm');

  it(
    `exits 0 within ${STOP_BOUND_MS / 1000} s, the restarted process catches up within ${RECOVERY_BOUND_MS / 1000} s, ` +
      'nothing lost or duplicated, per-item order kept',
    async () => {
      const bootstrapServers = inject('stack').kafka.bootstrapServers;
      const table = await createVersionedTable(500);
      const name = uniqueName('kafkasigterm');
      const config = {
        'connector.class': 'DynamoDbSource',
        'dynamodb.table.includelist': table,
        'bootstrap.servers': bootstrapServers,
        'dynamodb.service.endpoint': connection.endpoint!,
        'aws.region': connection.region,
        'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
        'aws.secret.access.key': 'local',
        'dynamodb.cdc.poll.interval.ms': '50',
        'offset.storage.topic': `${name}-offsets`,
      };
      const follower = await TopicFollower.follow(bootstrapServers, table);
      defer(() => follower.close());
      // A burst: 100 changes/s over 100 items, going on across the stop and the restart.
      const ids = Array.from({ length: 100 }, (_, index) => `item-${index * 5}`);
      const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 100, total: 100 * 90 }).start();
      defer(() => writer.stop());

      let connector = ConnectorProcess.start(name, config);
      defer(async () => void (await connector.stop('SIGKILL')));
      await awaitStreaming(follower, writer, 60_000);

      const rounds: Array<{ stopMs: number; caughtUpMs: number }> = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Mid-burst: 300 more changes in, the writer still going.
        const target = writer.acknowledged.length + 300;
        await until(() => writer.acknowledged.length >= target, 30_000, '300 more changes written');

        const termAt = Date.now();
        const exit = await connector.stop('SIGTERM');
        const stopMs = Date.now() - termAt;
        expect(exit, `exit of the SIGTERMed process (round ${round}); its output:\n${connector.output}`).toBe(0);

        const restartedAt = Date.now();
        const writtenByRestart = [...writer.acknowledged];
        connector = ConnectorProcess.start(name, config);
        await follower.waitFor(containsWrites(writtenByRestart), 60_000, `every change made before restart ${round}`);
        rounds.push({ stopMs, caughtUpMs: Date.now() - restartedAt });
      }
      console.info(
        `[kafkasigterm] ${rounds.map((round, index) => `round ${index + 1}: stopped ${round.stopMs} ms after SIGTERM, restarted process caught up ${round.caughtUpMs} ms after it started`).join('; ')}`,
      );

      const target = writer.acknowledged.length + 200;
      await until(() => writer.acknowledged.length >= target, 30_000, '200 more changes written');
      await writer.stop();
      await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change written');
      await expectFaithfulTopic(table, follower.records);
      expect(await connector.stop('SIGTERM')).toBe(0);
      for (const round of rounds) {
        expect(round.stopMs).toBeLessThanOrEqual(STOP_BOUND_MS);
        expect(round.caughtUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      }
    },
    150_000,
  );
});
