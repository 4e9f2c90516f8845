import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { kafkaForSource } from '../../../src/adapters/kafka/source-kafka.js';
import { offsetKey, partitions, type StreamOffset } from '../../../src/domain/position.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { capturingLogger, startSource } from '../../support/source.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const ids = (records: ConsumedRecord[]) =>
  records.filter((record) => record.value !== null).map((record) => JSON.parse(JSON.parse(record.value!).after.document).id.S as string);

describe('source: moving from per-table producers to tasks', () => {
  const { connection, dynamodb, defer } = suiteResources('taskmigration');

  it(
    "fences a per-table producer of an earlier release that still holds a transaction open, resumes the table from " +
      'its committed offsets, and records the task layout',
    async () => {
      const bootstrapServers = inject('stack').kafka.bootstrapServers;
      const table = uniqueName('migrate');
      const name = uniqueName('migrate-src');
      const offsetsTopic = `${name}-offsets`;
      await createTable(dynamodb, table);
      await putItems(dynamodb, table, Array.from({ length: 20 }, (_, index) => ({ id: { S: `item-${index}` } })));
      const follower = await TopicFollower.follow(bootstrapServers, table);
      defer(() => follower.close());

      // 1. The table's snapshot, committed; then its offsets made to look like an earlier release's: no task layout.
      const first = await startSource({ name, tables: [table], dynamodb: connection });
      await follower.waitFor((records) => new Set(ids(records)).size === 20, 60_000, 'the snapshot');
      await expect.poll(() => first.connector.status().tables[0]?.state, { timeout: 30_000 }).toBe('STREAMING');
      await first.stop();
      const kafka = createKafka({ bootstrapServers, clientId: name }, logLevel.ERROR);
      // Partitioned as the connector's transactional producer (librdkafka's default), so each offset key lands
      // in the partition the connector wrote it to.
      const plain = kafka.producer({ partitioner: 'consistent_random' });
      await plain.connect();
      defer(() => plain.disconnect());
      await plain.send({ topic: offsetsTopic, messages: [{ key: offsetKey(name, partitions.taskWriters()), value: null }] });

      // 2. A zombie of that release: its per-table producer, with a transaction open that moves the table's
      //    stream position and writes a record, never committed while the new release starts.
      const zombie = kafka.producer({ partitioner: 'consistent_random', kafkaJS: { transactionalId: `${name}-${table}`, idempotent: true, maxInFlightRequests: 1 } });
      await zombie.connect();
      defer(() => zombie.disconnect().catch(() => undefined));
      const transaction = await zombie.transaction();
      const bogus: StreamOffset = { v: 1, streamArn: 'arn:zombie', snapshotCount: 9, snapshotCompleted: true, snapshotStartTime: 0, skipBeforeMs: null };
      await transaction.send({ topic: table, messages: [{ key: 'zombie', value: JSON.stringify({ op: 'u', after: { document: '{"id":{"S":"zombie"}}' } }) }] });
      await transaction.send({ topic: offsetsTopic, messages: [{ key: offsetKey(name, partitions.stream(table)), value: JSON.stringify(bogus) }] });

      // 3. The new release starts: it fences the zombie first, then resumes from what was committed.
      const lines: string[] = [];
      const second = await startSource({ name, tables: [table], dynamodb: connection, log: capturingLogger(lines) });
      defer(() => second.stop());
      await expect.poll(() => second.connector.status().tables[0]?.state, { timeout: 60_000 }).toBe('STREAMING');
      expect(lines).toContain(`INFO [] fenced the producers of the connector's earlier task layout: ${name}-${table}`);
      await expect(transaction.commit()).rejects.toThrow();
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-migration' } } }));
      await follower.waitFor((records) => ids(records).includes('after-migration'), 60_000, 'a change after the migration');
      expect(ids(follower.records)).not.toContain('zombie');
      // No second snapshot: the table resumed from its committed stream position, not the zombie's.
      const snapshotCounts = follower.records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!)).filter((envelope) => envelope.op === 'r').map((envelope) => envelope.source.snapshotCount);
      expect(snapshotCounts).toEqual(Array.from({ length: 20 }, () => 1));
      expect(second.connector.status().tables[0]).toMatchObject({ task: 0 });

      const admin = kafka.admin();
      await admin.connect();
      defer(() => admin.disconnect());
      const store = await kafkaForSource({ kafka, connection: { bootstrapServers }, admin }).loadOffsets(offsetsTopic, name);
      expect(store.get(partitions.taskWriters())).toEqual({ v: 1, transactionalIds: [`${name}-0`] });
      expect(store.get<StreamOffset>(partitions.stream(table))?.snapshotCount).toBe(1);
    },
    180_000,
  );
});
