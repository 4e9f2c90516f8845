import { NewestCopy } from '../../offsets/newest-copy.js';
import { OffsetStore } from '../../offsets/offset-store.js';
import { parseOffsetKey } from '../../domain/position.js';
import type { SourceKafka } from '../../source/ports.js';
import { ensureTopic, partitionCount } from './admin.js';
import { listTopics, type Admin, type Kafka, type KafkaConnection } from './client.js';
import { readTopicToEnd } from './topic-reader.js';
import { openAtLeastOnceWriter, openTransactionalWriter } from './writer.js';

const OFFSETS_TOPIC_PARTITIONS = 5;
/** A probe that gets no answer within this takes the cluster as down. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * The source's SourceKafka port on librdkafka: one connection's admin client, producers and offset reader.
 *
 * An admin client can stay unusable after its broker was frozen or restarted (operations time out, or fail with
 * "Broker handle destroyed", long after the broker answers again), so after a failed admin operation the next
 * one uses a new client; and the probe asks with a client of its own, so that it tells whether the broker
 * answers, not whether an old client recovered.
 */
export function kafkaForSource(clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin }): SourceKafka {
  const { kafka, connection } = clients;
  let admin = clients.admin;
  /** A client this port made to replace the caller's (which the caller still owns and closes). */
  let replacement: Admin | undefined;
  let stale = false;
  const current = async (): Promise<Admin> => {
    if (!stale) return admin;
    stale = false;
    const fresh = kafka.admin();
    await fresh.connect();
    void replacement?.disconnect().catch(() => undefined);
    admin = replacement = fresh;
    return admin;
  };
  const withAdmin = async <T>(operation: (admin: Admin) => Promise<T>): Promise<T> => {
    try {
      return await operation(await current());
    } catch (error) {
      stale = true;
      throw error;
    }
  };
  return {
    ensureTopic: (spec) => withAdmin(async (client) => void (await ensureTopic(client, spec))),
    openWriter: ({ transactionalId, maxMessageBytes }) =>
      transactionalId === undefined
        ? openAtLeastOnceWriter(kafka, { maxMessageBytes })
        : openTransactionalWriter(connection, transactionalId, { maxMessageBytes }),
    loadOffsets: (topic, connector) => withAdmin((client) => loadOffsets(connection, client, topic, connector)),
    probe: async () => void (await listTopics(connection, PROBE_TIMEOUT_MS)),
    close: async () => {
      await replacement?.disconnect().catch(() => undefined);
    },
  };
}

/** Creates the compacted offsets topic if needed and reads the connector's offsets in it to the end. */
async function loadOffsets(connection: KafkaConnection, admin: Admin, topic: string, connector: string): Promise<OffsetStore> {
  await ensureTopic(admin, { topic, partitions: OFFSETS_TOPIC_PARTITIONS, replicationFactor: -1, configs: { 'cleanup.policy': 'compact' } });
  const store = OffsetStore.empty(topic, connector);
  const count = await partitionCount(admin, topic);
  const newest = new NewestCopy();
  await readTopicToEnd(connection, topic, count, (message) => {
    if (!message.key) return;
    const key = message.key.toString('utf8');
    const parsed = parseOffsetKey(key);
    if (!parsed || parsed.connector !== connector) return;
    if (!newest.accept(key, message.partition, message.timestamp)) return;
    store.apply(parsed.partition, message.value === null ? null : JSON.parse(message.value.toString('utf8')));
  });
  return store;
}
