import { randomUUID } from 'node:crypto';
import ckjs from '@confluentinc/kafka-javascript';
import type { LibrdKafkaError, Message } from '@confluentinc/kafka-javascript';
import { RECONNECT_SOON, type KafkaConnection } from './client.js';
import { QueueWake } from './queue-wake.js';
import type { ReadMessage } from './topic-reader.js';

/** librdkafka's logical offset for "the first message still in the log". */
const OFFSET_BEGINNING = -2;
/** How long an idle follower waits before looking again, should librdkafka's wake-up call not come. */
const IDLE_RECHECK_MS = 200;
/** How long `readToEnd` waits for the partitions' ends from the broker. */
const END_QUERY_TIMEOUT_MS = 10_000;

interface EndWaiter {
  ends: number[];
  resolve(): void;
}

/**
 * A topic read from its start and then followed for as long as it is open, every record handed to `onMessage` in
 * log order per partition: Kafka Connect's KafkaBasedLog, which its workers keep on the config and status
 * topics. Answers come from what has been read (no request per question); `readToEnd()` waits until everything
 * written before it was called has been read, for the callers that must see their own writes.
 */
export class TopicLog {
  /** Per partition: the offset after the last record read (or the end reached, past markers and compacted gaps). */
  private readonly read: number[];
  private readonly waiters = new Set<EndWaiter>();
  private closing = false;
  private following: Promise<void> | undefined;
  private readonly queue = new QueueWake(IDLE_RECHECK_MS);

  private constructor(
    private readonly consumer: ckjs.KafkaConsumer,
    private readonly topic: string,
    partitions: number,
    private readonly onMessage: (message: ReadMessage) => void,
    private readonly warn: (message: string) => void,
  ) {
    this.read = Array.from({ length: partitions }, () => 0);
  }

  /** Connects, reads the topic to its end, and follows it from then on. */
  static async open(
    connection: KafkaConnection,
    options: { topic: string; partitions: number; onMessage: (message: ReadMessage) => void; warn: (message: string) => void },
  ): Promise<TopicLog> {
    let log: TopicLog | undefined;
    const consumer = new ckjs.KafkaConsumer(
      {
        ...RECONNECT_SOON,
        ...(connection.properties ?? {}),
        'bootstrap.servers': connection.bootstrapServers,
        'client.id': `${connection.clientId ?? 'dynamodb-kafka'}-${options.topic}-follower`,
        // Never joins or commits to this group: partitions are assigned by hand.
        'group.id': `dynamodb-kafka-follower-${randomUUID()}`,
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'isolation.level': 'read_committed',
        // A new record is answered at once whatever this is; it bounds how long an empty partition's end takes to
        // be reported at start, against the idle fetches a follower makes (10 per second at most).
        'fetch.wait.max.ms': 100,
        // Not in the typings: librdkafka tells when its queue has something, so an idle follower sleeps until then.
        ...({ queue_non_empty_cb: () => log?.queue.signal() } as object),
      },
      { 'auto.offset.reset': 'earliest' },
    );
    log = new TopicLog(consumer, options.topic, options.partitions, options.onMessage, options.warn);
    await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
    consumer.setDefaultConsumeTimeout(0);
    consumer.on('partition.eof', (event) => log.advance(event.partition, event.offset));
    consumer.assign(Array.from({ length: options.partitions }, (_, partition) => ({ topic: options.topic, partition, offset: OFFSET_BEGINNING })));
    log.following = log.follow();
    try {
      await log.readToEnd();
    } catch (error) {
      await log.close();
      throw error;
    }
    return log;
  }

  /** Resolves once every record written to the topic before this call has been handed to `onMessage`. */
  async readToEnd(): Promise<void> {
    const ends = await Promise.all(this.read.map((_, partition) => this.endOf(partition)));
    if (this.reached(ends)) return;
    await new Promise<void>((resolve) => {
      this.waiters.add({ ends, resolve });
      this.queue.signal();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue.signal();
    await this.following;
    for (const waiter of this.waiters) waiter.resolve();
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }

  private async follow(): Promise<void> {
    while (!this.closing) {
      this.queue.clear();
      const messages = await new Promise<Message[]>((resolve) => {
        this.consumer.consume(500, (error, batch) => {
          if (error && !this.closing) this.warn(`following topic ${this.topic}: ${error.message}`);
          resolve(error ? [] : batch);
        });
      });
      for (const message of messages) {
        this.onMessage({
          partition: message.partition,
          offset: message.offset,
          key: message.key ? Buffer.from(message.key) : null,
          value: message.value ?? null,
          timestamp: message.timestamp ?? 0,
        });
        this.advance(message.partition, message.offset + 1);
      }
      for (const waiter of this.waiters) {
        if (!this.reached(waiter.ends)) continue;
        this.waiters.delete(waiter);
        waiter.resolve();
      }
      if (messages.length === 0 && !this.queue.signalled) await this.queue.sleep();
    }
  }

  private advance(partition: number, offset: number): void {
    if (offset > (this.read[partition] ?? 0)) this.read[partition] = offset;
  }

  private reached(ends: number[]): boolean {
    return ends.every((end, partition) => (this.read[partition] ?? 0) >= end);
  }

  /** The partition's end (its high watermark) as the broker says now. */
  private endOf(partition: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.consumer.queryWatermarkOffsets(this.topic, partition, END_QUERY_TIMEOUT_MS, (error: LibrdKafkaError, offsets) =>
        error ? reject(new Error(`asking the end of ${this.topic}/${partition}: ${error.message}`)) : resolve(offsets.highOffset),
      );
    });
  }
}
