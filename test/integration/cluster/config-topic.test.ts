import { describe, expect, inject, it } from 'vitest';
import { ConfigTopic } from '../../../src/adapters/kafka/config-topic.js';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { uniqueName } from '../../support/aws.js';

describe('config topic: connector configurations and target states in Kafka (Connect’s layout)', () => {
  it('keeps what one worker wrote for every worker, across a restart, and passes over a record it cannot read', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const topic = uniqueName('configs');
    const warnings: string[] = [];
    const open = async () => {
      const connection = { bootstrapServers, clientId: topic };
      const kafka = createKafka(connection, logLevel.ERROR);
      const admin = kafka.admin();
      await admin.connect();
      const configs = await ConfigTopic.open({ kafka, connection, admin }, { topic, replicationFactor: 1, warn: (line) => warnings.push(line) });
      return { configs, kafka, close: async () => (await configs.close(), await admin.disconnect()) };
    };
    const first = await open();
    try {
      await first.configs.putConnector('orders', { 'connector.class': 'DynamoDbSource', 'dynamodb.table.includelist': 'orders' });
      await first.configs.putConnector('users', { 'connector.class': 'DynamoDbSink' }, 'PAUSED');
      await first.configs.setTargetState('orders', 'STOPPED');
      await first.configs.putConnector('audit', { 'connector.class': 'DynamoDbSource' });
      await first.configs.deleteConnector('audit');
      expect(first.configs.connectors.list().map(({ name, target }) => [name, target])).toEqual([
        ['orders', 'STOPPED'],
        ['users', 'PAUSED'],
      ]);

      // Another worker (a new process) reads the same from the topic alone, and sees the first's later writes.
      const second = await open();
      try {
        expect(second.configs.connectors.list()).toEqual(first.configs.connectors.list());
        await first.configs.setTargetState('orders', 'STARTED');
        // The second follows the topic: the change reaches it without its asking (no refresh, no new reader).
        await expect.poll(() => second.configs.connectors.get('orders')?.target, { timeout: 10_000 }).toBe('STARTED');

        const plain = second.kafka.producer();
        await plain.connect();
        await plain.send({ topic, messages: [{ key: 'connector-broken', value: 'not json' }] });
        await plain.disconnect();
        await second.configs.refresh();
        await first.configs.refresh();
        expect(second.configs.connectors.get('broken')).toBeUndefined();
        // Each worker follows the topic and tells once of the record it passes over (not at every refresh).
        await second.configs.refresh();
        const passedOver = expect.stringMatching(new RegExp(`^config topic ${topic}, offset \\d+ \\(key connector-broken\\): configuration of connector broken is not`));
        expect(warnings).toEqual([passedOver, passedOver]);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 60_000);
});
