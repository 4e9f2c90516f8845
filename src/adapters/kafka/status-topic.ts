import { parseStatusRecord, type StatusRecord } from '../../domain/task-status.js';
import { ensureTopic, partitionCount } from './admin.js';
import type { Admin, Kafka, KafkaConnection, Producer } from './client.js';
import { readTopicToEnd } from './topic-reader.js';

/** Kafka Connect creates its status topic with 5 partitions. */
const STATUS_PARTITIONS = 5;

/**
 * The cluster's connector and task statuses in a compacted status topic (Kafka Connect's layout): each worker
 * writes those of the tasks it runs, any worker reads them all. A key always lands in the same partition, so
 * its records stay in the order they were written and compaction keeps the last.
 */
export class StatusTopic {
  private constructor(
    private readonly connection: KafkaConnection,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly partitions: number,
  ) {}

  /** Creates the topic when missing (compacted, 5 partitions). */
  static async open(clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin }, options: { topic: string; replicationFactor: number }): Promise<StatusTopic> {
    await ensureTopic(clients.admin, {
      topic: options.topic,
      partitions: STATUS_PARTITIONS,
      replicationFactor: options.replicationFactor,
      configs: { 'cleanup.policy': 'compact' },
    });
    const partitions = await partitionCount(clients.admin, options.topic);
    const producer = clients.kafka.producer({ acks: -1, kafkaJS: { idempotent: true } });
    await producer.connect();
    return new StatusTopic(clients.connection, producer, options.topic, partitions);
  }

  async write(records: Array<{ key: string; value: StatusRecord }>): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({ topic: this.topic, messages: records.map(({ key, value }) => ({ key, value: JSON.stringify(value) })) });
  }

  /**
   * Every key's status, read from the topic's start to its end: the last of the newest generation. A worker
   * that was paused past its session may write once more about tasks it no longer owns before it learns so;
   * its generation is older than the new owner's, so that write is passed over (as Kafka Connect does).
   */
  async read(): Promise<Map<string, StatusRecord>> {
    const statuses = new Map<string, StatusRecord>();
    await readTopicToEnd(this.connection, this.topic, this.partitions, (message) => {
      if (!message.key) return;
      const key = message.key.toString('utf8');
      const value = message.value === null ? undefined : parseStatusRecord(message.value.toString('utf8'));
      if (!value) statuses.delete(key);
      else if (value.generation >= (statuses.get(key)?.generation ?? -Infinity)) statuses.set(key, value);
    });
    return statuses;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
