import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { WorkMembership } from '../../../src/adapters/kafka/work-membership.js';
import { uniqueName } from '../../support/aws.js';

describe('work membership: a worker’s share of the work through Kafka’s group protocol', () => {
  it('says why it gets no share when the broker refuses its session timeout (below group.min.session.timeout.ms)', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const group = uniqueName('membership');
    const connection = { bootstrapServers, clientId: group };
    const admin = createKafka(connection, logLevel.ERROR).admin();
    await admin.connect();
    const warnings: string[] = [];
    const changes: number[][] = [];
    // The broker's default minimum is 6000 ms (the stack's broker keeps it).
    const membership = await WorkMembership.join(admin, {
      connection,
      groupId: group,
      topic: `${group}-work`,
      partitions: 2,
      replicationFactor: 1,
      sessionTimeoutMs: 3000,
      onChange: (owned) => changes.push([...owned]),
      warn: (line) => warnings.push(line),
    });
    try {
      await expect
        .poll(() => warnings.find((line) => line.includes('session.timeout.ms 3000')), { timeout: 30_000, interval: 200 })
        .toMatch(new RegExp(`work group ${group}: the broker refuses session.timeout.ms 3000 \\(.*[Ss]ession timeout.*\\): it must lie between the broker's group.min.session.timeout.ms`));
      expect(changes, 'no partition owned').toEqual([]);
    } finally {
      await membership.leave();
      await admin.deleteTopics({ topics: [`${group}-work`] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);
});
