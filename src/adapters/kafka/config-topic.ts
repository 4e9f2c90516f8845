import { ConnectorConfigs, configRecords, type ConfigRecord, type TargetState } from '../../domain/connector-configs.js';
import { ensureTopic } from './admin.js';
import type { Admin, Kafka, KafkaConnection, Producer } from './client.js';
import type { ReadMessage } from './topic-reader.js';
import { TopicLog } from './topic-log.js';

export interface ConfigTopicOptions {
  topic: string;
  /** -1 = the broker's default. */
  replicationFactor: number;
  /** Told about records that cannot be read (they change nothing). */
  warn(message: string): void;
}

/**
 * A cluster's connector configurations and target states in a compacted config topic (Kafka Connect's layout;
 * one partition, so every worker reads the records in the order they were written). The topic is followed for as
 * long as it is open, as Kafka Connect's workers do, so `connectors` answers from what has been read without a
 * request; writes are acknowledged by every in-sync replica, and a write returns once it has been read back, so
 * what `connectors` answers then includes it (and whatever other workers wrote before it).
 */
export class ConfigTopic {
  private readonly configs = new ConnectorConfigs();
  private log!: TopicLog;

  private constructor(
    private readonly producer: Producer,
    private readonly options: ConfigTopicOptions,
  ) {}

  /** Creates the topic when missing (compacted, one partition) and reads it. */
  static async open(clients: { kafka: Kafka; connection: KafkaConnection; admin: Admin }, options: ConfigTopicOptions): Promise<ConfigTopic> {
    await ensureTopic(clients.admin, {
      topic: options.topic,
      partitions: 1,
      replicationFactor: options.replicationFactor,
      configs: { 'cleanup.policy': 'compact' },
    });
    const producer = clients.kafka.producer({ acks: -1, kafkaJS: { idempotent: true } });
    await producer.connect();
    const topic = new ConfigTopic(producer, options);
    try {
      topic.log = await TopicLog.open(clients.connection, { topic: options.topic, partitions: 1, onMessage: (message) => topic.apply(message), warn: options.warn });
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    return topic;
  }

  get connectors(): ConnectorConfigs {
    return this.configs;
  }

  /** Resolves once everything written to the topic so far (by any worker or tool) is in `connectors`. */
  refresh(): Promise<void> {
    return this.log.readToEnd();
  }

  /** Creates or replaces a connector's configuration; a new connector starts (STARTED) unless told otherwise. */
  async putConnector(name: string, config: Record<string, string>, initial?: TargetState): Promise<void> {
    await this.write([...(initial ? [configRecords.targetState(name, initial)] : []), configRecords.connector(name, config)]);
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    await this.write([configRecords.targetState(name, state)]);
  }

  /** Asks whoever runs the connector to restart it (Kafka Connect's restart request record). */
  async requestRestart(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): Promise<void> {
    await this.write([configRecords.restart(name, request)]);
  }

  async deleteConnector(name: string): Promise<void> {
    await this.write(configRecords.deleted(name));
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.producer.disconnect();
  }

  private apply(message: ReadMessage): void {
    if (!message.key) return;
    const key = message.key.toString('utf8');
    const problem = this.configs.apply({ key, value: message.value === null ? null : message.value.toString('utf8') }, message.offset);
    if (problem) this.options.warn(`config topic ${this.options.topic}, offset ${message.offset} (key ${key}): ${problem}; record passed over`);
  }

  private async write(records: ConfigRecord[]): Promise<void> {
    await this.producer.send({ topic: this.options.topic, messages: records.map((record) => ({ key: record.key, value: record.value })) });
    await this.refresh();
  }
}
