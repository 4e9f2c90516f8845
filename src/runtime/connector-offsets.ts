import { createKafka, logLevel, type Admin, type Kafka, type KafkaConnection } from '../adapters/kafka/client.js';
import { partitionCount } from '../adapters/kafka/admin.js';
import { kafkaForSource } from '../adapters/kafka/source-kafka.js';
import { isSinkConnectorClass, parseSinkConfig } from '../config/sink.js';
import { offsetKey, partitions, type SourcePartition } from '../domain/position.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { parseSourceConfig } from '../config/source.js';
import { kafkaConnection, sinkKafkaConnection } from './connections.js';
import type { Logger } from './logger.js';

/** Kafka Connect's body of `GET /connectors/{c}/offsets` (KIP-875). */
export interface ConnectOffsets {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> }>;
}

/**
 * A connector's offsets as Kafka Connect shows them: a source's partitions and offsets in its offsets topic (its
 * tables' snapshot segments, stream starts and shards), a sink's consumer group offsets as
 * `{kafka_topic, kafka_partition}` → `{kafka_offset}`. `raw` is the configuration the worker would start it with.
 */
export async function readConnectorOffsets(name: string, raw: Record<string, string>, log: Logger): Promise<ConnectOffsets> {
  if (isSinkConnectorClass(raw['connector.class'] ?? '')) {
    const config = parseSinkConfig(name, raw);
    return withClients(sinkKafkaConnection(config, log), async ({ admin }) => {
      const topics = await admin.fetchOffsets({ groupId: config.kafka.groupId });
      return {
        offsets: topics.flatMap(({ topic, partitions }) =>
          partitions
            .filter((partition) => Number(partition.offset) >= 0)
            .map((partition) => ({ partition: { kafka_topic: topic, kafka_partition: partition.partition }, offset: { kafka_offset: Number(partition.offset) } })),
        ),
      };
    });
  }
  const config = parseSourceConfig(name, raw);
  return withClients(kafkaConnection(config, config.kafka.bootstrapServers!, log), async (clients) => {
    const store = await kafkaForSource(clients).loadOffsets(config.offsetStorageTopic, name);
    return { offsets: tablePositions(store) };
  });
}

/**
 * Forgets a connector's offsets (Kafka Connect's `DELETE /connectors/{c}/offsets`): tombstones for every source
 * partition (its tables snapshot again when it resumes), or the sink's consumer group deleted (Kafka refuses while
 * the group has members, i.e. while a task still runs).
 */
export async function resetConnectorOffsets(name: string, raw: Record<string, string>, log: Logger): Promise<void> {
  if (isSinkConnectorClass(raw['connector.class'] ?? '')) {
    const config = parseSinkConfig(name, raw);
    await withClients(sinkKafkaConnection(config, log), async ({ admin }) => {
      const [result] = await admin.deleteGroups([config.kafka.groupId]);
      // A group that has no committed offsets does not exist: nothing to reset.
      if (result?.error && result.error.code !== GROUP_ID_NOT_FOUND) {
        throw new Error(`cannot delete the consumer group ${config.kafka.groupId} of connector ${name}: ${result.error.message}`);
      }
    });
    return;
  }
  const config = parseSourceConfig(name, raw);
  await withClients(kafkaConnection(config, config.kafka.bootstrapServers!, log), async (clients) => {
    const topic = config.offsetStorageTopic;
    const store = await kafkaForSource(clients).loadOffsets(topic, name);
    const keys = tablePositions(store).map(({ partition }) => store.message(partition, null).key);
    if (keys.length === 0) return;
    // A tombstone in every partition of the topic: offsets written before every writer hashed keys with murmur2
    // (the transactional one used librdkafka's CRC32 then) may hold a key in more than one.
    const count = await partitionCount(clients.admin, topic);
    const producer = clients.kafka.producer({ acks: -1, kafkaJS: { idempotent: true } });
    await producer.connect();
    try {
      await producer.send({ topic, messages: keys.flatMap((key) => Array.from({ length: count }, (_, partition) => ({ key, value: null, partition }))) });
    } finally {
      await producer.disconnect();
    }
  });
}

/**
 * The tables' positions: not the record of the task producers' transactional ids, which is how a later start
 * fences them — bookkeeping, not a position, so it is neither shown nor reset.
 */
function tablePositions(store: OffsetStore): Array<{ partition: SourcePartition; offset: Record<string, unknown> }> {
  const bookkeeping = offsetKey(store.connector, partitions.taskWriters());
  return store.find<Record<string, unknown>>({}).filter(({ partition }) => offsetKey(store.connector, partition) !== bookkeeping);
}

/** Kafka's GROUP_ID_NOT_FOUND error code. */
const GROUP_ID_NOT_FOUND = 69;

async function withClients<T>(connection: KafkaConnection, use: (clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin }) => Promise<T>): Promise<T> {
  const kafka = createKafka(connection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use({ kafka, connection, admin });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
