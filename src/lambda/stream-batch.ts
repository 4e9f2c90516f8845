import { readStreamRecord, withoutBefore, EVENT_NAMES, type StreamChange } from '../domain/change.js';
import { checkVersion, partitions, type ShardOffset, type SourcePartition } from '../domain/position.js';
import type { OutgoingMessage } from '../domain/outgoing-message.js';
import type { TableInfo } from '../domain/table-info.js';
import type { ChangeEncoder, RecordFormat } from '../formats/ports.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import { allFit, fitChange } from '../source/oversized-records.js';
import { FencedError, type BatchWriter, type SourceKafka, type SourceTables } from '../source/ports.js';
import type { PipelineSettings } from '../source/settings.js';
import type { Logger } from '../runtime/logger.js';
import { poisonRecord } from './dead-letter.js';
import { streamName, toStreamRecord, type BatchResponse, type LambdaStreamEvent, type LambdaStreamRecord, type StreamName } from './event.js';
import { ShardResolver, type ShardLookup } from './shard-resolver.js';

/** What the handler needs from Kafka and DynamoDB: the source connector's ports, and a way to find a shard. */
export interface LambdaPorts {
  kafka: SourceKafka;
  tables: SourceTables;
  shards: ShardLookup;
}

export interface StreamBatchOptions {
  connector: string;
  /** Tables this function may replicate (dynamodb.table.includelist); an event of another is refused. */
  tables: readonly string[];
  settingsFor(table: string): PipelineSettings;
  format: RecordFormat;
  exactlyOnce: boolean;
  offsetsTopic: string;
  topic: { partitions: number; replicationFactor: number };
  /** Writers kept open at once; the least recently used is closed beyond this (a container seldom sees two shards). */
  maxOpenWriters?: number;
}

/** One table's way to Kafka, made once per container. */
interface TableTarget {
  info: TableInfo;
  settings: PipelineSettings;
  encoder: ChangeEncoder;
}

/** One shard's producer (its own transactional id) and the offsets read after it fenced the one before. */
interface ShardWriter {
  writer: BatchWriter;
  store: OffsetStore;
  partition: SourcePartition;
}

/**
 * Writes Lambda's DynamoDB Streams batches to Kafka, exactly once: per invocation, one transaction (or one per
 * max.batch.size records) holds the records and the shard's last sequence number in the offsets topic, so a
 * batch Lambda delivers again after a commit it did not hear of is recognised and skipped, record by record. The
 * records are those of the source connector: the same reader of stream records, encoders and oversized-record
 * policy. Clients, encoders and producers live as long as the container; a producer fenced by another container
 * (same shard, same transactional id) is dropped, and the next invocation makes a new one, which fences back.
 */
export class StreamBatchHandler {
  private readonly targets = new Map<string, Promise<TableTarget>>();
  private readonly writers = new Map<string, Promise<ShardWriter>>();
  private readonly resolver: ShardResolver;
  private readonly maxOpenWriters: number;

  constructor(
    private readonly options: StreamBatchOptions,
    private readonly ports: LambdaPorts,
    private readonly log: Logger,
  ) {
    this.resolver = new ShardResolver(ports.shards);
    this.maxOpenWriters = options.maxOpenWriters ?? 4;
  }

  async handle(event: LambdaStreamEvent): Promise<BatchResponse> {
    const records = event.Records ?? [];
    /** Records before this index are in Kafka (written now or before). */
    let handled = 0;
    /** What the batch is, as far as known: for the log line of a failure. */
    let where = records[0]?.eventSourceARN ?? 'an unknown stream';
    try {
      if (records.length === 0) return { batchItemFailures: [] };
      const stream = this.streamOf(records);
      where = `table ${stream.tableName}`;
      const target = await this.target(stream.tableName);
      const shardId = await this.resolver.shardOf(stream.streamArn, sequenceNumberOf(records[0]!));
      where = `table ${stream.tableName}, shard ${shardId}`;
      const shardKey = `${stream.streamArn}/${shardId}`;
      const shard = await this.writer(stream, shardId, shardKey);
      const committed = committedSequence(shard.store.get<ShardOffset>(shard.partition), stream, shardId);
      const skipped = records.filter((record) => committed !== null && BigInt(sequenceNumberOf(record)) <= committed).length;
      handled = skipped;
      if (skipped > 0) this.log.info(`shard ${shardId}: ${skipped} of ${records.length} records were written before (a batch delivered again): skipped`);
      const chunkSize = target.settings.maxBatchSize;
      for (let start = skipped; start < records.length; start += chunkSize) {
        const chunk = records.slice(start, start + chunkSize);
        const messages = chunk.flatMap((record) => this.messagesOf(record, target, stream, shardId));
        const offset: ShardOffset = { v: 1, streamArn: stream.streamArn, seq_No: sequenceNumberOf(chunk.at(-1)!), finished: false };
        try {
          await shard.writer.write(messages, [shard.store.message(shard.partition, offset)]);
        } catch (error) {
          this.dropWriter(shardKey);
          throw error;
        }
        shard.store.apply(shard.partition, offset);
        handled = start + chunk.length;
      }
      return { batchItemFailures: [] };
    } catch (error) {
      const failed = records[handled];
      const what = error instanceof FencedError ? 'fenced by another container on the same shard' : 'failed';
      this.log.error(
        `${where}: batch of ${records.length} records ${what} at record ${handled + 1}` +
          `${failed?.dynamodb?.SequenceNumber ? ` (sequence number ${failed.dynamodb.SequenceNumber})` : ''}: ` +
          `${error instanceof Error ? error.message : String(error)}; Lambda retries from there`,
      );
      const itemIdentifier = failed?.dynamodb?.SequenceNumber;
      if (!itemIdentifier) throw error; // nothing to point at: Lambda retries the whole batch
      return { batchItemFailures: [{ itemIdentifier }] };
    }
  }

  /** Closes every producer (the container is going away, or a test ends). */
  async close(): Promise<void> {
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.all(writers.map(async (writer) => (await writer.catch(() => undefined))?.writer.close().catch(() => undefined)));
  }

  /** The one stream of the batch (Lambda sends one shard's records per invocation); refuses another table. */
  private streamOf(records: readonly LambdaStreamRecord[]): StreamName {
    const arn = records[0]!.eventSourceARN;
    const other = records.find((record) => record.eventSourceARN !== arn);
    if (other) throw new Error(`one batch holds records of two streams: ${arn} and ${other.eventSourceARN}`);
    const stream = streamName(arn);
    if (!this.options.tables.includes(stream.tableName)) {
      throw new Error(`table ${stream.tableName} is not in dynamodb.table.includelist (${this.options.tables.join(', ')}): is the event source mapping on the right table?`);
    }
    return stream;
  }

  private target(table: string): Promise<TableTarget> {
    let target = this.targets.get(table);
    if (!target) {
      target = this.makeTarget(table);
      target.catch(() => this.targets.delete(table));
      this.targets.set(table, target);
    }
    return target;
  }

  private async makeTarget(table: string): Promise<TableTarget> {
    const settings = this.options.settingsFor(table);
    const info = await this.ports.tables.describe(table);
    const configs = { 'max.message.bytes': String(settings.records.maxMessageBytes) };
    await this.ports.kafka.ensureTopic({ topic: settings.topic, ...this.options.topic, configs });
    const { deadLetterTopic } = settings.records;
    if (deadLetterTopic) await this.ports.kafka.ensureTopic({ topic: deadLetterTopic, ...this.options.topic, configs });
    const encoder = await this.options.format.forTable(info, settings.topic);
    this.log.info(`table ${table}: records to topic ${settings.topic} as ${this.options.format.description}`);
    return { info, settings, encoder };
  }

  private writer(stream: StreamName, shardId: string, key: string): Promise<ShardWriter> {
    let writer = this.writers.get(key);
    if (writer) {
      // Most recently used last: the first one is the one to close when there are too many.
      this.writers.delete(key);
      this.writers.set(key, writer);
      return writer;
    }
    writer = this.openWriter(stream, shardId);
    writer.catch(() => this.writers.delete(key));
    this.writers.set(key, writer);
    for (const old of [...this.writers.keys()].slice(0, Math.max(0, this.writers.size - this.maxOpenWriters))) this.dropWriter(old);
    return writer;
  }

  private async openWriter(stream: StreamName, shardId: string): Promise<ShardWriter> {
    const { connector, exactlyOnce, offsetsTopic } = this.options;
    const settings = this.options.settingsFor(stream.tableName);
    const transactionalId = shardTransactionalId(connector, stream, shardId);
    // The producer first: initialising its transactional id fences an older owner (and aborts what it left
    // open), so the offsets read next are final.
    const writer = await this.ports.kafka.openWriter({
      ...(exactlyOnce ? { transactionalId } : {}),
      maxMessageBytes: settings.records.maxMessageBytes,
    });
    try {
      const store = await this.ports.kafka.loadOffsets(offsetsTopic, connector);
      if (exactlyOnce) this.log.info(`shard ${shardId}: producer ${transactionalId} ready`);
      return { writer, store, partition: partitions.shard(stream.tableName, shardId) };
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
  }

  private dropWriter(key: string): void {
    const writer = this.writers.get(key);
    this.writers.delete(key);
    void writer?.then((open) => open.writer.close()).catch(() => undefined);
  }

  /** A stream record's Kafka records, as the source connector writes them; one that cannot convert, dead-lettered. */
  private messagesOf(record: LambdaStreamRecord, target: TableTarget, stream: StreamName, shardId: string): OutgoingMessage[] {
    const { settings, info, encoder } = target;
    const topic = settings.topic;
    let change: StreamChange;
    let encoded: OutgoingMessage[];
    try {
      change = readStreamRecord(toStreamRecord(record), { tableName: info.name, keySchema: info.keySchema, shardId, nowMs: Date.now(), snapshot: null });
      encoded = encoder.streamChange(change).map((outgoing) => ({ topic, ...outgoing }));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const { deadLetterTopic } = settings.records;
      if (!deadLetterTopic) {
        throw new Error(`table ${info.name}, shard ${shardId}: a stream record cannot be converted (${failure.message}); set errors.deadletterqueue.topic.name to send such records there`, { cause: error });
      }
      this.log.warn(`table ${info.name}, shard ${shardId}, sequence number ${record.dynamodb?.SequenceNumber}: cannot be converted (${failure.message}): sent to ${deadLetterTopic}`);
      return [poisonRecord(record, failure, { deadLetterTopic, topic, connector: this.options.connector, shardId })];
    }
    if (allFit(encoded, settings.records.maxMessageBytes)) return encoded;
    const fitted = fitChange(
      encoded,
      settings.records,
      () => ({ table: info.name, event: EVENT_NAMES[change.op], shardId, sequenceNumber: change.sequenceNumber }),
      () => encoder.streamChange(withoutBefore(change)).map((outgoing) => ({ topic, ...outgoing })),
    );
    if (fitted.note) this.log.warn(fitted.note);
    return fitted.records;
  }
}

/** `<connector>/<table>/<stream label>/<shard id>`: one producer per shard, so two containers on it fence each other. */
export function shardTransactionalId(connector: string, stream: StreamName, shardId: string): string {
  return `${connector}/${stream.tableName}/${stream.label}/${shardId}`;
}

function sequenceNumberOf(record: LambdaStreamRecord): string {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (!sequenceNumber || !/^\d+$/.test(sequenceNumber)) {
    throw new Error(`a record of ${record.eventSourceARN ?? 'the batch'} has no valid dynamodb.SequenceNumber (${JSON.stringify(sequenceNumber)})`);
  }
  return sequenceNumber;
}

/** The shard's last written sequence number, when stored for this very stream. */
function committedSequence(offset: ShardOffset | undefined, stream: StreamName, shardId: string): bigint | null {
  if (!offset) return null;
  checkVersion(offset, `table ${stream.tableName}, shard ${shardId}`);
  if (offset.streamArn !== stream.streamArn || offset.seq_No === null) return null;
  return BigInt(offset.seq_No);
}
