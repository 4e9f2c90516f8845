import type { DeadLetterWriter } from '../../sink/ports.js';
import type { Kafka } from './client.js';

/**
 * The sink's DeadLetterWriter on one idempotent producer, shared by the connector's tasks: a retried send does
 * not write a dead-letter copy twice, and `write` resolves only once the broker acknowledged every message.
 */
export async function openDeadLetterWriter(kafka: Kafka): Promise<DeadLetterWriter> {
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  return {
    write: async (topic, messages) => void (await producer.send({ topic, messages })),
    close: () => producer.disconnect(),
  };
}
