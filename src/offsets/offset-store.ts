import { ensureTopic, partitionCount } from '../adapters/kafka/admin.js';
import type { Admin, KafkaConnection } from '../adapters/kafka/client.js';
import { readTopicToEnd } from '../adapters/kafka/topic-reader.js';
import type { OutgoingMessage } from '../adapters/kafka/writer.js';
import { offsetKey, parseOffsetKey, type SourcePartition } from '../domain/position.js';

const OFFSETS_TOPIC_PARTITIONS = 5;

/**
 * One connector's source offsets, loaded from the compacted offsets topic (Kafka Connect's format). Updates
 * are written by the pipeline's BatchWriter together with the data they cover, then applied here.
 */
export class OffsetStore {
  private readonly offsets = new Map<string, { partition: SourcePartition; offset: unknown }>();

  private constructor(
    readonly topic: string,
    readonly connector: string,
  ) {}

  /** A store with nothing loaded, for a connector's first start and for tests. */
  static empty(topic: string, connector: string): OffsetStore {
    return new OffsetStore(topic, connector);
  }

  /** Creates the topic if needed and reads it to the end. */
  static async load(connection: KafkaConnection, admin: Admin, topic: string, connector: string): Promise<OffsetStore> {
    await ensureTopic(admin, {
      topic,
      partitions: OFFSETS_TOPIC_PARTITIONS,
      replicationFactor: -1,
      configs: { 'cleanup.policy': 'compact' },
    });
    const store = new OffsetStore(topic, connector);
    const count = await partitionCount(admin, topic);
    await readTopicToEnd(connection, topic, count, (message) => {
      if (!message.key) return;
      const parsed = parseOffsetKey(message.key.toString('utf8'));
      if (!parsed || parsed.connector !== connector) return;
      store.apply(parsed.partition, message.value === null ? null : JSON.parse(message.value.toString('utf8')));
    });
    return store;
  }

  get<T>(partition: SourcePartition): T | undefined {
    return this.offsets.get(offsetKey(this.connector, partition))?.offset as T | undefined;
  }

  /** Every stored partition whose fields include `match` (e.g. all shards of one table's stream). */
  find<T>(match: SourcePartition): Array<{ partition: SourcePartition; offset: T }> {
    const found: Array<{ partition: SourcePartition; offset: T }> = [];
    for (const entry of this.offsets.values()) {
      if (Object.entries(match).every(([key, value]) => entry.partition[key] === value)) {
        found.push({ partition: entry.partition, offset: entry.offset as T });
      }
    }
    return found;
  }

  /** The message that stores `offset` (null deletes the partition's offset). */
  message(partition: SourcePartition, offset: unknown | null): OutgoingMessage {
    return {
      topic: this.topic,
      key: offsetKey(this.connector, partition),
      value: offset === null ? null : JSON.stringify(offset),
    };
  }

  /** Records an offset once it is durably written. */
  apply(partition: SourcePartition, offset: unknown | null): void {
    const key = offsetKey(this.connector, partition);
    if (offset === null) this.offsets.delete(key);
    else this.offsets.set(key, { partition, offset });
  }
}
