import type { TopicSpec } from '../../source/ports.js';
import type { Admin } from './client.js';

/**
 * Creates the topic unless it exists, and returns once every partition has a leader: a producer that starts
 * before that waits on metadata retries (about a second on the local broker) before its first write.
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  const created = await createTopic(admin, spec);
  if (created) await awaitLeaders(admin, spec.topic);
  return created;
}

async function awaitLeaders(admin: Admin, topic: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => []);
    if (metadata && metadata.partitions.length > 0 && metadata.partitions.every((partition) => partition.leader >= 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  try {
    return await admin.createTopics({
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } catch (error) {
    if (/already exists/i.test(String((error as Error).message))) return false;
    throw new Error(`could not create topic ${spec.topic}: ${innerMessages(error)}`, { cause: error });
  }
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata?.partitions.length ?? 0;
}

/** An aggregate error's own message ("Topic creation errors") says nothing: the causes are inside it. */
function innerMessages(error: unknown): string {
  const inner = (error as { errors?: unknown }).errors;
  const messages = Array.isArray(inner) ? inner.map((each) => (each instanceof Error ? each.message : String(each))) : [];
  return messages.length > 0 ? messages.join('; ') : error instanceof Error ? error.message : String(error);
}
