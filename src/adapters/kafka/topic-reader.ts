import { randomUUID } from 'node:crypto';
import ckjs from '@confluentinc/kafka-javascript';
import type { KafkaConnection } from './client.js';

/** librdkafka's logical offset for "the first message still in the log". */
const OFFSET_BEGINNING = -2;

export interface ReadMessage {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's timestamp (epoch ms). */
  timestamp: number;
}

/**
 * Reads every committed message of `topic` from the beginning up to its current end, then stops. Used for the
 * compacted offsets topic. Ends are detected with partition-EOF events rather than by comparing message offsets:
 * transaction markers occupy offsets that are never delivered.
 */
export async function readTopicToEnd(
  connection: KafkaConnection,
  topic: string,
  partitions: number,
  onMessage: (message: ReadMessage) => void,
): Promise<void> {
  const consumer = new ckjs.KafkaConsumer(
    {
      ...(connection.properties ?? {}),
      'bootstrap.servers': connection.bootstrapServers,
      'client.id': `${connection.clientId ?? 'dynamodb-kafka'}-offset-reader`,
      // Never joins or commits to this group: partitions are assigned by hand.
      'group.id': `dynamodb-kafka-offset-reader-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'isolation.level': 'read_committed',
      // An empty partition's fetch is otherwise held by the broker for 500 ms before its end is reported.
      'fetch.wait.max.ms': 10,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => {
    consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve()));
  });
  try {
    // 'data' and 'partition.eof' events arrive in log order (a consume() batch's callback does not say where
    // in the batch a partition ended), so progress is tracked from the events alone.
    const atEnd = new Set<number>();
    consumer.on('partition.eof', (event) => atEnd.add(event.partition));
    consumer.on('data', (message) => {
      atEnd.delete(message.partition);
      onMessage({
        partition: message.partition,
        offset: message.offset,
        key: message.key ? Buffer.from(message.key) : null,
        value: message.value ?? null,
        timestamp: message.timestamp ?? 0,
      });
    });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: OFFSET_BEGINNING })));
    // consume(n) waits until it has n messages or this timeout passes (1 s by default): with a short one, a
    // small offsets topic is read in tens of milliseconds instead of seconds, which every table start pays.
    consumer.setDefaultConsumeTimeout(20);
    while (atEnd.size < partitions) {
      await new Promise<void>((resolve, reject) => {
        consumer.consume(1000, (error) => (error ? reject(error) : resolve()));
      });
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
