import { ConfigTopic } from '../../src/adapters/kafka/config-topic.js';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';

/**
 * A cluster's group for a test: its config topic, opened as a tool (or another worker) writes to it, and the
 * worker properties that name its topics. `defer` registers the clean-ups.
 */
export async function testCluster(bootstrapServers: string, group: string, defer: (cleanup: () => Promise<void>) => void) {
  const kafkaConnection = { bootstrapServers, clientId: group };
  const kafka = createKafka(kafkaConnection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const configTopic = `${group}-configs`;
  const configs = await ConfigTopic.open({ kafka, connection: kafkaConnection, admin }, { topic: configTopic, replicationFactor: 1, warn: () => undefined });
  defer(() => configs.close());
  const properties: Record<string, string> = {
    'bootstrap.servers': bootstrapServers,
    'group.id': group,
    'config.storage.topic': configTopic,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    listeners: 'http://127.0.0.1:0',
  };
  return { configs, properties };
}
