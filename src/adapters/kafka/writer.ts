import ckjs from '@confluentinc/kafka-javascript';
import type { Kafka, KafkaConnection, Producer } from './client.js';

export interface OutgoingMessage {
  topic: string;
  key: string | null;
  /** null = tombstone. */
  value: string | null;
  timestampMs?: number;
}

/**
 * Writes batches of messages. With exactly-once, a batch (the data and the offsets that cover it) is one Kafka
 * transaction: a read_committed reader sees all of it or none of it. At-least-once writes the data, waits for
 * every acknowledgement, and only then writes the offsets.
 */
export interface BatchWriter {
  readonly exactlyOnce: boolean;
  write(data: OutgoingMessage[], offsets: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Throughput settings: a whole transaction's records are handed over at once, so large batches (by count; by
 * size up to the broker's default message.max.bytes) and a short linger cut round trips. Measured on the
 * local stack: 10k records per transaction in ~60 ms instead of ~110 ms with librdkafka's defaults.
 */
const PRODUCER_TUNING = {
  'linger.ms': 5,
  'compression.type': 'lz4',
  'batch.size': 1_000_000,
  'batch.num.messages': 100_000,
} as const;

/**
 * Opens a transactional producer. Initialising the transactional id fences any older producer with the same id
 * (a zombie of a previous owner) and aborts its open transaction, so this must happen before offsets are read.
 *
 * It uses librdkafka's own producer API: committing a transaction flushes every message and fails if any of
 * them failed, so no per-message delivery callback (or promise) is needed on the Node thread.
 */
export async function openTransactionalWriter(connection: KafkaConnection, transactionalId: string): Promise<BatchWriter> {
  const producer = new ckjs.Producer({
    ...(connection.properties ?? {}),
    ...PRODUCER_TUNING,
    'bootstrap.servers': connection.bootstrapServers,
    'client.id': connection.clientId ?? 'dynamodb-kafka',
    'transactional.id': transactionalId,
    'enable.idempotence': true,
    dr_cb: false,
  });
  const call = (operation: (done: (error: unknown) => void) => void) =>
    new Promise<void>((resolve, reject) => operation((error) => (error ? reject(error) : resolve())));
  await call((done) => producer.connect({ timeout: 30_000 }, (error) => done(error)));
  producer.setPollInBackground(true);
  await call((done) => producer.initTransactions(60_000, done));
  return {
    exactlyOnce: true,
    async write(data, offsets) {
      await call((done) => producer.beginTransaction(done));
      try {
        for (const messages of [data, offsets]) {
          for (const message of messages) {
            producer.produce(
              message.topic,
              null,
              message.value === null ? null : Buffer.from(message.value),
              message.key,
              message.timestampMs ?? Date.now(),
            );
          }
        }
        await call((done) => producer.commitTransaction(60_000, done));
      } catch (error) {
        await call((done) => producer.abortTransaction(30_000, done)).catch(() => undefined);
        throw error;
      }
    },
    close: () => call((done) => producer.disconnect(30_000, (error) => done(error))),
  };
}

export async function openAtLeastOnceWriter(kafka: Kafka): Promise<BatchWriter> {
  const producer = kafka.producer({ ...PRODUCER_TUNING, kafkaJS: { idempotent: true } });
  await producer.connect();
  return {
    exactlyOnce: false,
    async write(data, offsets) {
      await send(producer, data);
      await send(producer, offsets);
    },
    close: () => producer.disconnect(),
  };
}

async function send(producer: Producer, messages: OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const list = byTopic.get(message.topic);
    if (list) list.push(message);
    else byTopic.set(message.topic, [message]);
  }
  await producer.sendBatch({
    topicMessages: [...byTopic].map(([topic, list]) => ({
      topic,
      messages: list.map((message) => ({
        key: message.key,
        value: message.value,
        ...(message.timestampMs !== undefined ? { timestamp: String(message.timestampMs) } : {}),
      })),
    })),
  });
}
