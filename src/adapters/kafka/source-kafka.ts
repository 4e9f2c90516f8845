import { OffsetStore } from '../../offsets/offset-store.js';
import { parseOffsetKey } from '../../domain/position.js';
import type { SourceKafka } from '../../source/ports.js';
import { ensureTopic, partitionCount } from './admin.js';
import type { Admin, Kafka, KafkaConnection } from './client.js';
import { readTopicToEnd } from './topic-reader.js';
import { openAtLeastOnceWriter, openTransactionalWriter } from './writer.js';

const OFFSETS_TOPIC_PARTITIONS = 5;
/** A probe that gets no answer within this takes the cluster as down. */
const PROBE_TIMEOUT_MS = 2_000;

/** The source's SourceKafka port on librdkafka: one connection's admin client, producers and offset reader. */
export function kafkaForSource(clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin }): SourceKafka {
  const { kafka, connection, admin } = clients;
  return {
    async ensureTopic(spec) {
      await ensureTopic(admin, spec);
    },
    openWriter: ({ transactionalId, maxMessageBytes }) =>
      transactionalId === undefined
        ? openAtLeastOnceWriter(kafka, { maxMessageBytes })
        : openTransactionalWriter(connection, transactionalId, { maxMessageBytes }),
    loadOffsets: (topic, connector) => loadOffsets(connection, admin, topic, connector),
    async probe() {
      await admin.listTopics({ timeout: PROBE_TIMEOUT_MS });
    },
  };
}

/** Creates the compacted offsets topic if needed and reads the connector's offsets in it to the end. */
async function loadOffsets(connection: KafkaConnection, admin: Admin, topic: string, connector: string): Promise<OffsetStore> {
  await ensureTopic(admin, { topic, partitions: OFFSETS_TOPIC_PARTITIONS, replicationFactor: -1, configs: { 'cleanup.policy': 'compact' } });
  const store = OffsetStore.empty(topic, connector);
  const count = await partitionCount(admin, topic);
  await readTopicToEnd(connection, topic, count, (message) => {
    if (!message.key) return;
    const parsed = parseOffsetKey(message.key.toString('utf8'));
    if (!parsed || parsed.connector !== connector) return;
    store.apply(parsed.partition, message.value === null ? null : JSON.parse(message.value.toString('utf8')));
  });
  return store;
}
