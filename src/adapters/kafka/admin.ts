import type { Admin } from './client.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 = the broker's default. */
  replicationFactor: number;
  configs?: Record<string, string>;
}

/** Creates the topic unless it exists; returns whether it was created. */
export async function ensureTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
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
    throw new Error(`could not create topic ${spec.topic}: ${(error as Error).message}`, { cause: error });
  }
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata?.partitions.length ?? 0;
}
