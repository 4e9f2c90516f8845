import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Sema } from 'async-sema';
import { dynamoDbSinkTables } from '../adapters/dynamodb/batch-write.js';
import { ensureTopic } from '../adapters/kafka/admin.js';
import { schemaRegistryClient } from '../adapters/schema-registry/registry-client.js';
import { openDeadLetterWriter } from '../adapters/kafka/dead-letter-writer.js';
import { GroupConsumer } from '../adapters/kafka/group-consumer.js';
import type { Admin, Kafka, KafkaConnection } from '../adapters/kafka/client.js';
import type { SinkConfig } from '../config/sink.js';
import { AvroReader } from '../formats/avro/avro-reader.js';
import { JsonSchemaReader } from '../formats/json-schema/json-sr-reader.js';
import { ProtobufReader } from '../formats/protobuf/protobuf-reader.js';
import { DeadLetterReporter } from '../sink/dead-letter.js';
import type { DeadLetterWriter } from '../sink/ports.js';
import { SinkTask, type SinkTaskStatus } from '../sink/sink-task.js';
import type { Logger } from './logger.js';

export interface SinkConnectorStatus {
  name: string;
  type: 'sink';
  tasks: SinkTaskStatus[];
}

/**
 * BatchWriteItem calls one connector has in flight at most, shared by all its tasks and partitions: enough to
 * keep DynamoDB busy, while a partition between batches leaves its share to the others.
 */
export const SINK_WRITES_IN_FLIGHT = 32;

/**
 * Runs `tasks.max` consumers in the connector's consumer group: Kafka spreads the partitions over them (and
 * over other processes running the same connector). A failed task stays failed, as in Kafka Connect: it
 * stopped on a record that needs a person's attention.
 */
export class SinkConnector {
  private readonly tasks: SinkTask[] = [];
  private deadLetterWriter?: DeadLetterWriter;
  private readonly writeSlots = new Sema(SINK_WRITES_IN_FLIGHT);

  constructor(
    private readonly config: SinkConfig,
    private readonly clients: { kafka: Kafka; kafkaConnection: KafkaConnection; admin: Admin; dynamodb: DynamoDBClient },
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { config, clients } = this;
    let deadLetters: DeadLetterReporter | undefined;
    if (config.errors.tolerance === 'all' && config.errors.deadLetterTopic) {
      await ensureTopic(clients.admin, { topic: config.errors.deadLetterTopic, partitions: 1, replicationFactor: config.errors.deadLetterReplicationFactor });
      this.deadLetterWriter = await openDeadLetterWriter(clients.kafka);
    }
    // One reader per format for all tasks: each schema is fetched once per connector.
    const reads = (format: string) => config.inputFormat === format || config.keyFormat === format;
    const registry = config.registry && (reads('AVRO') || reads('JSON_SR') || reads('PROTOBUF')) ? await schemaRegistryClient(config.registry) : undefined;
    const avro = registry && reads('AVRO') ? new AvroReader(registry, config.retry) : undefined;
    const jsonSr = registry && reads('JSON_SR') ? new JsonSchemaReader(registry, config.retry) : undefined;
    const protobuf = registry && reads('PROTOBUF') ? new ProtobufReader(registry, config.retry) : undefined;
    for (let taskId = 0; taskId < config.tasksMax; taskId++) {
      if (this.deadLetterWriter) {
        deadLetters = new DeadLetterReporter(this.deadLetterWriter, config.errors.deadLetterTopic!, {
          connector: config.name,
          task: taskId,
          headers: config.errors.contextHeaders,
        });
      }
      const task = new SinkTask(
        {
          connector: config.name,
          taskId,
          groupId: config.kafka.groupId,
          topics: config.topics,
          consumerProperties: config.kafka.consumerProperties,
          conversion: {
            inputFormat: config.inputFormat,
            keyFormat: config.keyFormat,
            ...(avro ? { avro } : {}),
            ...(jsonSr ? { jsonSr } : {}),
            ...(protobuf ? { protobuf } : {}),
            hash: config.keys.hash,
            ...(config.keys.sort ? { sort: config.keys.sort } : {}),
            tableNameFormat: config.tableNameFormat,
            nullValues: config.nullValues,
          },
          batchSize: config.batchSize,
          retry: config.retry,
          tolerance: config.errors.tolerance,
          tableCreation: config.tableCreation,
        },
        {
          openRecords: (options) => new GroupConsumer({ ...options, connection: clients.kafkaConnection }),
          tables: dynamoDbSinkTables(clients.dynamodb),
          writeSlots: this.writeSlots,
          ...(deadLetters ? { deadLetters } : {}),
        },
        this.log.child(`task-${taskId}`),
      );
      this.tasks.push(task);
    }
    // Together: members joining one after another would each trigger a rebalance of the whole group, pausing
    // every task for seconds each time; joining at once, the group settles in one.
    await Promise.all(this.tasks.map((task) => task.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
    await this.deadLetterWriter?.close().catch(() => undefined);
  }

  status(): SinkConnectorStatus {
    return { name: this.config.name, type: 'sink', tasks: this.tasks.map((task) => ({ ...task.status })) };
  }
}
