import { describe, expect, inject, it } from 'vitest';
import { StatusTopic } from '../../../src/adapters/kafka/status-topic.js';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { statusKeys } from '../../../src/domain/task-status.js';
import { uniqueName } from '../../support/aws.js';

describe('status topic: task statuses in Kafka (Connect’s layout)', () => {
  it('any reader sees each task’s newest generation: a late write of an older owner is passed over', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const topic = uniqueName('status');
    const connection = { bootstrapServers, clientId: topic };
    const kafka = createKafka(connection, logLevel.ERROR);
    const admin = kafka.admin();
    await admin.connect();
    const warnings: string[] = [];
    const statuses = await StatusTopic.open({ kafka, connection, admin }, { topic, replicationFactor: 1, warn: (line) => warnings.push(line) });
    try {
      const key = statusKeys.task('orders', 3);
      await statuses.write([{ key, value: { state: 'RUNNING', trace: null, worker_id: 'old:8083', generation: 1 } }]);
      await statuses.write([{ key, value: { state: 'RUNNING', trace: null, worker_id: 'new:8083', generation: 2 } }]);
      // The old owner, woken from a pause, writes once more before it learns it lost the task.
      await statuses.write([{ key, value: { state: 'FAILED', trace: 'fenced', worker_id: 'old:8083', generation: 1 } }]);
      await statuses.write([{ key: statusKeys.connector('orders'), value: { state: 'RUNNING', trace: null, worker_id: 'new:8083', generation: 2 } }]);
      // Followed: what is written reaches the reader's view by itself (REST answers from it, as Connect's do).
      await expect.poll(() => statuses.current().get('status-connector-orders')?.worker_id, { timeout: 10_000 }).toBe('new:8083');
      const read = await statuses.read();
      expect(read.get(key)).toEqual({ state: 'RUNNING', trace: null, worker_id: 'new:8083', generation: 2 });
      expect(read.get('status-connector-orders')?.worker_id).toBe('new:8083');
      expect((await admin.fetchTopicMetadata({ topics: [topic] }))[0]!.partitions).toHaveLength(5);
      expect(warnings).toEqual([]);
    } finally {
      await statuses.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
