import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { kafkaForSource } from '../../../src/adapters/kafka/source-kafka.js';
import { offsetKey } from '../../../src/domain/position.js';
import { uniqueName } from '../../support/aws.js';

describe('source offsets: a key found in two partitions of the offsets topic', () => {
  it('loads the newest record of the key, whichever partition is read last (offsets written before murmur2)', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const connection = { bootstrapServers, clientId: uniqueName('offsetsparts') };
    const kafka = createKafka(connection, logLevel.ERROR);
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('offsets');
    const connector = uniqueName('connector');
    await admin.createTopics({ topics: [{ topic, numPartitions: 5, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    // Two keys, each with its newer position in one partition and an older one in another, in opposite
    // partitions: whichever partition is read last, one key's older record comes after its newer.
    const first = { stream: 'orders', shard: 'shardId-1' };
    const second = { stream: 'orders', shard: 'shardId-2' };
    const producer = kafka.producer();
    await producer.connect();
    const now = Date.now();
    const write = (position: typeof first, sequenceNumber: string, partition: number, timestamp: number) =>
      producer.send({ topic, messages: [{ key: offsetKey(connector, position), value: JSON.stringify({ sequenceNumber }), partition, timestamp: String(timestamp) }] });
    await write(first, '200', 1, now);
    await write(first, '100', 3, now - 60_000);
    await write(second, '200', 3, now);
    await write(second, '100', 1, now - 60_000);
    await producer.disconnect();
    try {
      const store = await kafkaForSource({ kafka, connection, admin }).loadOffsets(topic, connector);
      expect(store.get(first)).toEqual({ sequenceNumber: '200' });
      expect(store.get(second)).toEqual({ sequenceNumber: '200' });
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
