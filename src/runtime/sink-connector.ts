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

/** What every task of the connector shares: one reader per format (each schema fetched once per connector). */
interface SharedReaders {
  avro?: AvroReader;
  jsonSr?: JsonSchemaReader;
  protobuf?: ProtobufReader;
}

/**
 * Runs `tasks.max` consumers in the connector's consumer group: Kafka spreads the partitions over them (and
 * over other processes running the same connector). A failed task stays failed, as in Kafka Connect: it
 * stopped on a record that needs a person's attention. A process may run only some of the task indexes
 * (`ownedTasks`, changed with `assign` while running); the group then spreads the partitions over every
 * process's consumers.
 */
export class SinkConnector {
  private readonly tasks = new Map<number, SinkTask>();
  private deadLetterWriter?: DeadLetterWriter;
  private readonly writeSlots = new Sema(SINK_WRITES_IN_FLIGHT);
  private readers?: SharedReaders;
  private owned: ReadonlySet<number>;
  /** assign's changes, one after another. */
  private changes: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: SinkConfig,
    private readonly clients: { kafka: Kafka; kafkaConnection: KafkaConnection; admin: Admin; dynamodb: DynamoDBClient },
    private readonly log: Logger,
    ownedTasks?: ReadonlySet<number>,
  ) {
    this.owned = ownedTasks ?? new Set(Array.from({ length: config.tasksMax }, (_, id) => id));
  }

  async start(): Promise<void> {
    const { config, clients } = this;
    if (config.errors.tolerance === 'all' && config.errors.deadLetterTopic) {
      await ensureTopic(clients.admin, { topic: config.errors.deadLetterTopic, partitions: 1, replicationFactor: config.errors.deadLetterReplicationFactor });
      this.deadLetterWriter = await openDeadLetterWriter(clients.kafka);
    }
    // One reader per format for all tasks: each schema is fetched once per connector.
    const reads = (format: string) => config.inputFormat === format || config.keyFormat === format;
    const registry = config.registry && (reads('AVRO') || reads('JSON_SR') || reads('PROTOBUF')) ? await schemaRegistryClient(config.registry) : undefined;
    this.readers = {
      ...(registry && reads('AVRO') ? { avro: new AvroReader(registry, config.retry) } : {}),
      ...(registry && reads('JSON_SR') ? { jsonSr: new JsonSchemaReader(registry, config.retry) } : {}),
      ...(registry && reads('PROTOBUF') ? { protobuf: new ProtobufReader(registry, config.retry) } : {}),
    };
    await this.applyOwnership();
  }

  /** Runs these task indexes from now on: tasks no longer in the set leave the group, new ones join it. */
  assign(tasks: ReadonlySet<number>): Promise<void> {
    this.owned = new Set(tasks);
    const next = this.changes.then(() => this.applyOwnership());
    this.changes = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    await this.changes;
    await Promise.all([...this.tasks.values()].map((task) => task.stop()));
    await this.deadLetterWriter?.close().catch(() => undefined);
  }

  status(): SinkConnectorStatus {
    const tasks = [...this.tasks.values()].map((task) => ({ ...task.status, lag: task.lag() })).sort((a, b) => a.task - b.task);
    return { name: this.config.name, type: 'sink', tasks };
  }

  private async applyOwnership(): Promise<void> {
    if (!this.readers) return;
    const given = [...this.tasks.entries()].filter(([id]) => !this.owned.has(id));
    for (const [id] of given) this.tasks.delete(id);
    await Promise.all(given.map(([, task]) => task.stop()));
    const taken = [...this.owned].filter((id) => !this.tasks.has(id)).map((id) => this.makeTask(id, this.readers!));
    for (const task of taken) this.tasks.set(task.status.task, task);
    // Together: members joining one after another would each trigger a rebalance of the whole group, pausing
    // every task for seconds each time; joining at once, the group settles in one.
    await Promise.all(taken.map((task) => task.start()));
  }

  private makeTask(taskId: number, readers: SharedReaders): SinkTask {
    const { config, clients } = this;
    const deadLetters = this.deadLetterWriter
      ? new DeadLetterReporter(this.deadLetterWriter, config.errors.deadLetterTopic!, { connector: config.name, task: taskId, headers: config.errors.contextHeaders })
      : undefined;
    return new SinkTask(
      {
        connector: config.name,
        taskId,
        groupId: config.kafka.groupId,
        topics: config.topics,
        consumerProperties: config.kafka.consumerProperties,
        conversion: {
          inputFormat: config.inputFormat,
          keyFormat: config.keyFormat,
          ...readers,
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
  }
}
