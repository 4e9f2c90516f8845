import ckjs from '@confluentinc/kafka-javascript';
import type { KafkaJS as KafkaJSTypes } from '@confluentinc/kafka-javascript';
import type { KafkaClientEvents } from './client-events.js';

// The package is CommonJS; its KafkaJS-compatible promise API hangs off the default export.
export const { Kafka, logLevel } = ckjs.KafkaJS;
export type Kafka = KafkaJSTypes.Kafka;
export type Admin = KafkaJSTypes.Admin;
export type Producer = KafkaJSTypes.Producer;
export type Consumer = KafkaJSTypes.Consumer;

export interface KafkaConnection {
  bootstrapServers: string;
  clientId?: string;
  /** Extra librdkafka properties (security.protocol, sasl.*, ssl.*), passed through unchanged. */
  properties?: Record<string, string | number | boolean>;
  /** Where the clients' own log lines and errors go (readable, rate-limited); unset: the package's console logger. */
  events?: KafkaClientEvents;
  /** Told how each transaction of the connection's transactional writers ended (for metrics). */
  transactions?: TransactionObserver;
}

export interface TransactionObserver {
  /** A transaction begins; what it returns is told how it ended (one that hangs is seen in flight). */
  began(): (outcome: 'committed' | 'aborted', seconds: number, records: number, error?: string) => void;
}

/**
 * librdkafka waits up to 10 s between attempts to reach a broker that went away; a broker back after a restart
 * would then wait that long for its clients. Attempts at most a second apart (the user's setting wins).
 */
export const RECONNECT_SOON = { 'reconnect.backoff.max.ms': 1_000 } as const;

export function createKafka(connection: KafkaConnection, level = logLevel.WARN): Kafka {
  return new Kafka({
    ...RECONNECT_SOON,
    ...(connection.properties ?? {}),
    kafkaJS: {
      brokers: connection.bootstrapServers.split(',').map((broker) => broker.trim()),
      clientId: connection.clientId ?? 'dynamodb-kafka',
      logLevel: level,
      ...(connection.events ? { logger: connection.events.logger } : {}),
    },
  });
}

/** One metadata request: resolves with the topic names, rejects when no broker answers within `timeoutMs`. */
export async function listTopics(connection: KafkaConnection, timeoutMs: number): Promise<string[]> {
  const admin = createKafka(connection, logLevel.NOTHING).admin();
  await admin.connect();
  try {
    return await admin.listTopics({ timeout: timeoutMs });
  } finally {
    await admin.disconnect();
  }
}
