import { parseStatusRecord, type StatusRecord } from '../../domain/task-status.js';
import { ensureTopic, partitionCount } from './admin.js';
import type { Admin, Kafka, KafkaConnection, Producer } from './client.js';
import { TopicLog } from './topic-log.js';
import type { ReadMessage } from './topic-reader.js';

/** Kafka Connect creates its status topic with 5 partitions. */
const STATUS_PARTITIONS = 5;

/**
 * The cluster's connector and task statuses in a compacted status topic (Kafka Connect's layout): each worker
 * writes those of the tasks it runs, any worker reads them all. A key always lands in the same partition, so
 * its records stay in the order they were written and compaction keeps the last. The topic is followed for as
 * long as it is open, as Kafka Connect's status store does, so statuses are answered from what has been read.
 */
export class StatusTopic {
  private readonly statuses = new Map<string, StatusRecord>();
  private log!: TopicLog;

  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /** Creates the topic when missing (compacted, 5 partitions). */
  static async open(
    clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin },
    options: { topic: string; replicationFactor: number; warn(message: string): void },
  ): Promise<StatusTopic> {
    await ensureTopic(clients.admin, {
      topic: options.topic,
      partitions: STATUS_PARTITIONS,
      replicationFactor: options.replicationFactor,
      configs: { 'cleanup.policy': 'compact' },
    });
    const partitions = await partitionCount(clients.admin, options.topic);
    const producer = clients.kafka.producer({ acks: -1, kafkaJS: { idempotent: true } });
    await producer.connect();
    const statuses = new StatusTopic(producer, options.topic);
    try {
      statuses.log = await TopicLog.open(clients.connection, { topic: options.topic, partitions, onMessage: (message) => statuses.apply(message), warn: options.warn });
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    return statuses;
  }

  async write(records: Array<{ key: string; value: StatusRecord }>): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({ topic: this.topic, messages: records.map(({ key, value }) => ({ key, value: JSON.stringify(value) })) });
  }

  /** Every key's status as read so far (Kafka Connect's answer: what its status store has consumed). */
  current(): Map<string, StatusRecord> {
    return new Map(this.statuses);
  }

  /** Every key's status once everything written to the topic so far has been read. */
  async read(): Promise<Map<string, StatusRecord>> {
    await this.log.readToEnd();
    return this.current();
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.producer.disconnect();
  }

  /**
   * Keeps each key's last status of the newest generation. A worker that was paused past its session may write
   * once more about tasks it no longer owns before it learns so; its generation is older than the new owner's,
   * so that write is passed over (as Kafka Connect does).
   */
  private apply(message: ReadMessage): void {
    if (!message.key) return;
    const key = message.key.toString('utf8');
    const value = message.value === null ? undefined : parseStatusRecord(message.value.toString('utf8'));
    if (!value) this.statuses.delete(key);
    else if (value.generation >= (this.statuses.get(key)?.generation ?? -Infinity)) this.statuses.set(key, value);
  }
}
