import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel, type Admin, type Consumer, type Producer } from '../../../src/adapters/kafka/client.js';
import { uniqueName } from '../../support/aws.js';

const kafka = () => createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers }, logLevel.ERROR);

describe('local Kafka broker (KRaft, one node)', () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  async function newTopic(): Promise<string> {
    const topic = uniqueName('stack-test');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    return topic;
  }

  function transactionalProducer(transactionalId: string): Producer {
    return kafka().producer({ kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 } });
  }

  /** Reads values from the start of `topic` until `last` arrives. */
  async function readUntil(topic: string, last: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    const consumer: Consumer = kafka().consumer({
      kafkaJS: { groupId: uniqueName('stack-test'), fromBeginning: true },
      'isolation.level': isolation,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic });
      return await new Promise<string[]>((resolve) => {
        const values: string[] = [];
        void consumer.run({
          eachMessage: async ({ message }) => {
            const value = message.value?.toString() ?? '';
            values.push(value);
            if (value === last) resolve(values);
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  it('delivers committed transactions to a read_committed consumer and hides aborted ones', async () => {
    const topic = await newTopic();
    const producer = transactionalProducer(uniqueName('txn'));
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'a', value: 'aborted' }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ key: 'b', value: 'committed-1' }, { key: 'c', value: 'committed-2' }] });
      await committed.commit();
      const marker = await producer.transaction();
      await marker.send({ topic, messages: [{ key: 'z', value: 'end' }] });
      await marker.commit();
    } finally {
      await producer.disconnect();
    }

    expect(await readUntil(topic, 'end', 'read_committed')).toEqual(['committed-1', 'committed-2', 'end']);
    // The aborted record really was written: only the isolation level hides it.
    expect(await readUntil(topic, 'end', 'read_uncommitted')).toEqual(['aborted', 'committed-1', 'committed-2', 'end']);
  });

  it('fences a producer once another one initialises the same transactional id', async () => {
    const topic = await newTopic();
    const transactionalId = uniqueName('txn');
    const zombie = transactionalProducer(transactionalId);
    await zombie.connect();
    const successor = transactionalProducer(transactionalId);
    try {
      const open = await zombie.transaction();
      await open.send({ topic, messages: [{ key: 'k', value: 'from-zombie' }] });

      await successor.connect();
      const next = await successor.transaction();
      await next.send({ topic, messages: [{ key: 'k', value: 'from-successor' }] });
      await next.commit();

      await expect(open.commit()).rejects.toThrow(/fenc|epoch/i);
    } finally {
      await Promise.allSettled([zombie.disconnect(), successor.disconnect()]);
    }
    expect(await readUntil(topic, 'from-successor', 'read_committed')).toEqual(['from-successor']);
  });
});
