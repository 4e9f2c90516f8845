import { createKafka, logLevel, type Admin, type Kafka, type KafkaConnection } from '../adapters/kafka/client.js';
import { partitionCount } from '../adapters/kafka/admin.js';
import { kafkaForSource } from '../adapters/kafka/source-kafka.js';
import { commitGroupOffsets, type GroupOffset } from '../adapters/kafka/group-offsets.js';
import type { SinkOffsetChange, SourceOffsetChange } from '../domain/offset-changes.js';
import { isSinkConnectorClass, parseSinkConfig } from '../config/sink.js';
import { offsetKey, partitions, type SourcePartition } from '../domain/position.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { parseSourceConfig } from '../config/source.js';
import { kafkaConnection, sinkKafkaConnection } from './connections.js';
import type { Logger } from './logger.js';
import { fenceTransactionalIds, recordedLayout } from './zombie-fencing.js';

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
    return withClients(sinkKafkaConnection(config, log), async ({ admin }) => ({
      offsets: (await committedOffsets(admin, config.kafka.groupId)).map(({ topic, partition, offset }) => ({
        partition: { kafka_topic: topic, kafka_partition: partition },
        offset: { kafka_offset: offset },
      })),
    }));
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
    await withClients(sinkKafkaConnection(config, log), ({ admin }) => deleteGroup(admin, config.kafka.groupId, name));
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

/** A connector's offsets to alter (KIP-875's PATCH), read from the request by the connector's type. */
export type OffsetChanges = { type: 'source'; changes: SourceOffsetChange[] } | { type: 'sink'; changes: SinkOffsetChange[] };

/**
 * Alters a stopped connector's offsets (Kafka Connect's `PATCH /connectors/{c}/offsets`), a null offset clearing
 * its partition: for the source, a table's snapshot segments, stream start and shards in the offsets topic (a
 * table whose positions are cleared snapshots again when the connector resumes); for the sink, its consumer group.
 */
export async function alterConnectorOffsets(name: string, raw: Record<string, string>, request: OffsetChanges, log: Logger): Promise<void> {
  if (request.type === 'sink') {
    const config = parseSinkConfig(name, raw);
    const connection = sinkKafkaConnection(config, log);
    const groupId = config.kafka.groupId;
    const set = request.changes.filter((change): change is GroupOffset => change.offset !== null);
    const cleared = request.changes.filter((change) => change.offset === null);
    if (cleared.length === 0) return commitGroupOffsets(connection, groupId, set);
    // Kafka's admin API can delete one partition's committed offset, this client cannot: the group is deleted and
    // the offsets it keeps are committed again (the connector is stopped, so nobody reads them in between).
    const same = (a: { topic: string; partition: number }) => (b: { topic: string; partition: number }) => a.topic === b.topic && a.partition === b.partition;
    const kept = await withClients(connection, async ({ admin }) => {
      const committed = await committedOffsets(admin, groupId);
      await deleteGroup(admin, groupId, name);
      return committed.filter((offset) => !request.changes.some(same(offset)));
    });
    return commitGroupOffsets(connection, groupId, [...kept, ...set]);
  }
  const config = parseSourceConfig(name, raw);
  await withClients(kafkaConnection(config, config.kafka.bootstrapServers!, log), async (clients) => {
    const kafka = kafkaForSource(clients);
    const store = await kafka.loadOffsets(config.offsetStorageTopic, name);
    // As Kafka Connect before it alters an exactly-once source's offsets: the tasks' producers fenced, so that a
    // task still stopping on some worker cannot commit offsets over these afterwards.
    if (config.exactlyOnce) await fenceTransactionalIds(kafka, recordedLayout(store, name));
    // Written by the same kind of producer the connector's tasks write offsets with, so each key lands in the
    // partition of the offsets topic where the tasks' own later writes of it land (both writers hash keys with
    // murmur2 now; offsets written before may sit elsewhere, which the loader's newest-copy rule settles).
    const writer = await kafka.openWriter({ ...(config.exactlyOnce ? { transactionalId: `${name}-offsets-alter` } : {}), maxMessageBytes: 1_000_000 });
    try {
      await writer.write([], request.changes.map(({ partition, offset }) => store.message(partition, offset)));
    } finally {
      await writer.close();
    }
  });
}

/** A consumer group's committed offsets (partitions without one left out). */
async function committedOffsets(admin: Admin, groupId: string): Promise<GroupOffset[]> {
  const topics = await admin.fetchOffsets({ groupId });
  return topics.flatMap(({ topic, partitions }) =>
    partitions.filter((partition) => Number(partition.offset) >= 0).map((partition) => ({ topic, partition: partition.partition, offset: Number(partition.offset) })),
  );
}

async function deleteGroup(admin: Admin, groupId: string, connector: string): Promise<void> {
  const [result] = await admin.deleteGroups([groupId]);
  // A group that has no committed offsets does not exist: nothing to delete.
  if (result?.error && result.error.code !== GROUP_ID_NOT_FOUND) {
    throw new Error(`cannot delete the consumer group ${groupId} of connector ${connector}: ${result.error.message}`);
  }
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
