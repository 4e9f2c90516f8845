import ckjs from '@confluentinc/kafka-javascript';
import type { KafkaConnection } from './client.js';

export interface GroupOffset {
  topic: string;
  partition: number;
  /** The next offset the group reads. */
  offset: number;
}

/**
 * Commits offsets for a consumer group without joining it (a "simple" commit, generation -1), as Kafka Connect
 * does when a sink's offsets are altered. The broker accepts it only while the group has no members, i.e. no
 * task of the connector is consuming; otherwise the error says so.
 */
export async function commitGroupOffsets(connection: KafkaConnection, groupId: string, offsets: GroupOffset[]): Promise<void> {
  if (offsets.length === 0) return;
  const consumer = new ckjs.KafkaConsumer(
    {
      ...(connection.properties ?? {}),
      'bootstrap.servers': connection.bootstrapServers,
      'client.id': `${connection.clientId ?? 'dynamodb-kafka'}-offset-writer`,
      'group.id': groupId,
      'enable.auto.commit': false,
    },
    {},
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
  try {
    consumer.commitSync(offsets);
  } catch (error) {
    throw new Error(
      `cannot commit offsets of consumer group ${groupId} at ${connection.bootstrapServers} (does the group still have members?): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
