import { randomUUID } from 'node:crypto';
import ckjs from '@confluentinc/kafka-javascript';
import { setTimeout as delay } from 'node:timers/promises';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's timestamp (ms): its producer's CreateTime, or the broker's append time if the topic says LogAppendTime. */
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** Key and value as the broker holds them, for binary formats (Schema Registry's wire format). */
  bytes: { key: Buffer | null; value: Buffer | null };
}

/**
 * Follows a topic from its beginning, as a downstream consumer would (read_committed by default), keeping
 * every record; tests await conditions on what has arrived instead of sleeping.
 */
export class TopicFollower {
  readonly records: ConsumedRecord[] = [];
  private readonly consumer: InstanceType<typeof ckjs.KafkaConsumer>;
  private running = true;
  private loop?: Promise<void>;

  private constructor(bootstrapServers: string, isolation: 'read_committed' | 'read_uncommitted') {
    this.consumer = new ckjs.KafkaConsumer(
      {
        'bootstrap.servers': bootstrapServers,
        'group.id': `test-follower-${randomUUID()}`,
        'enable.auto.commit': false,
        'isolation.level': isolation,
        // Back within a second of a broker's return (librdkafka waits up to 10 s between attempts): recovery times
        // measured through a follower are then the connector's, not the follower's.
        'reconnect.backoff.max.ms': 1000,
      },
      { 'auto.offset.reset': 'earliest' },
    );
  }

  /** Follows `topic` (or every topic listed, all with `partitions` partitions) from the beginning. */
  static async follow(
    bootstrapServers: string,
    topic: string | string[],
    partitions = 1,
    isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
  ) {
    const follower = new TopicFollower(bootstrapServers, isolation);
    await new Promise<void>((resolve, reject) => follower.consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
    // consume(n) otherwise waits up to 1 s for *each* of its n messages: records trickling in at 50/s were
    // handed over 500 at a time, ten seconds late. Only what is already fetched; the pump waits between polls.
    follower.consumer.setDefaultConsumeTimeout(0);
    follower.consumer.assign(
      [topic].flat().flatMap((name) => Array.from({ length: partitions }, (_, partition) => ({ topic: name, partition, offset: -2 }))),
    );
    follower.loop = follower.pump();
    return follower;
  }

  private async pump(): Promise<void> {
    while (this.running) {
      const batch = await new Promise<ckjs.Message[]>((resolve) =>
        this.consumer.consume(500, (error, messages) => resolve(error ? [] : messages)),
      );
      for (const message of batch) {
        this.records.push({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          timestamp: message.timestamp ?? 0,
          key: message.key ? message.key.toString() : null,
          value: message.value ? message.value.toString() : null,
          headers: Object.fromEntries(
            (message.headers ?? []).flatMap((header) => Object.entries(header).map(([name, value]) => [name, String(value)])),
          ),
          bytes: { key: message.key === undefined || message.key === null ? null : Buffer.from(message.key), value: message.value ?? null },
        });
      }
      if (batch.length === 0) await delay(20);
    }
  }

  /** Resolves once `condition` holds for the records received so far; fails with `describe` after the timeout. */
  async waitFor(condition: (records: ConsumedRecord[]) => boolean, timeoutMs = 60_000, describe = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.records)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe} (${this.records.length} records received)`);
      await delay(25);
    }
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }
}
