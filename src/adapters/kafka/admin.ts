import { Sema } from 'async-sema';
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

/** Leaders are asked for this often while topics wait for them. */
const LEADER_POLL_MS = 50;

interface LeaderWait {
  deadline: number;
  done: () => void;
}

/** Per admin client: the topics waiting for their leaders, asked about together. */
const leaderWaits = new WeakMap<Admin, Map<string, LeaderWait>>();

/**
 * Resolves once every partition of the topic has a leader (or after `timeoutMs`: the producer then waits on its
 * own metadata retries). All topics of one admin client waiting at once are asked about in one metadata request
 * per round: a connector creating 1,000 topics otherwise sent 20,000 requests a second, and no topic was ready
 * before nearly all were created (measured: the first of 500 ready after 16 s instead of 43 ms).
 */
function awaitLeaders(admin: Admin, topic: string, timeoutMs = 10_000): Promise<void> {
  let waiting = leaderWaits.get(admin);
  const started = !waiting;
  if (!waiting) leaderWaits.set(admin, (waiting = new Map()));
  const wait = new Promise<void>((resolve) => {
    const earlier = waiting.get(topic);
    waiting.set(topic, {
      deadline: Date.now() + timeoutMs,
      done: () => {
        earlier?.done();
        resolve();
      },
    });
  });
  if (started) void pollLeaders(admin, waiting);
  return wait;
}

async function pollLeaders(admin: Admin, waiting: Map<string, LeaderWait>): Promise<void> {
  try {
    while (waiting.size > 0) {
      const ready = await topicsWithLeaders(admin, [...waiting.keys()]);
      const now = Date.now();
      for (const [topic, wait] of waiting) {
        if (!ready.has(topic) && now < wait.deadline) continue;
        waiting.delete(topic);
        wait.done();
      }
      if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  } finally {
    leaderWaits.delete(admin);
    for (const wait of waiting.values()) wait.done();
  }
}

/**
 * The topics whose partitions all have a leader. A metadata request fails whole when one topic is not known
 * yet: the list is then asked about in halves, so one late topic costs a few requests, not one per topic.
 */
async function topicsWithLeaders(admin: Admin, topics: string[]): Promise<Set<string>> {
  const ready = new Set<string>();
  try {
    for (const metadata of await admin.fetchTopicMetadata({ topics })) {
      if (metadata.partitions.length > 0 && metadata.partitions.every((partition) => partition.leader >= 0)) ready.add(metadata.name);
    }
  } catch {
    if (topics.length === 1) return ready;
    const half = Math.ceil(topics.length / 2);
    for (const part of [topics.slice(0, half), topics.slice(half)]) for (const topic of await topicsWithLeaders(admin, part)) ready.add(topic);
  }
  return ready;
}

/**
 * CreateTopics requests one admin client has in flight. A broker answers a connection's requests one at a time,
 * and creates a topic in about 40 ms (local KRaft broker): 1,000 creations sent at once put every other request
 * of the client (the leader polls) behind all of them, so no topic was usable for 40 s. A few at a time, topics
 * become usable one after another while the rest are created.
 */
const CREATES_IN_FLIGHT = 4;
const createSlots = new WeakMap<Admin, Sema>();

async function createTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  let slots = createSlots.get(admin);
  if (!slots) createSlots.set(admin, (slots = new Sema(CREATES_IN_FLIGHT)));
  await slots.acquire();
  try {
    return await createTopicNow(admin, spec);
  } finally {
    slots.release();
  }
}

async function createTopicNow(admin: Admin, spec: TopicSpec): Promise<boolean> {
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
