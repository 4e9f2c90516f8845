import ckjs from '@confluentinc/kafka-javascript';
import type { Assignment, LibrdKafkaError, Message } from '@confluentinc/kafka-javascript';
import type { SinkRecord } from '../../sink/sink-record.js';
import type { MissingTopics, NextOffset, PartitionLag, RecordSource, RecordSourceOptions } from '../../sink/ports.js';
import { RECONNECT_SOON, type KafkaConnection } from './client.js';
import { partitionLag } from './consumer-lag.js';
import { QueueWake } from './queue-wake.js';

/** librdkafka's rebalance event codes. */
const ASSIGN_PARTITIONS = -175;
const REVOKE_PARTITIONS = -174;
/** librdkafka's codes for a topic that does not exist (the broker's, and the client's own). */
const UNKNOWN_TOPIC_CODES = new Set([3, -188]);

/** A record as consumed: the sink's own shape (offsets are 64-bit: decimal text). */
export type GroupMessage = SinkRecord;

export interface GroupConsumerOptions extends Partial<Pick<RecordSourceOptions, 'onMissingTopics'>>, Omit<RecordSourceOptions, 'onMissingTopics'> {
  connection: KafkaConnection;
}

/** What the consumer has (lib/kafka-consumer.js) but the package's typings leave out. */
type RoundsConsumer = ckjs.KafkaConsumer & {
  commitCb(offsets: NextOffset[], callback: (error: LibrdKafkaError | null) => void): void;
  rebalanceProtocol(): 'EAGER' | 'COOPERATIVE' | 'NONE';
  incrementalAssign(assignment: Assignment[]): void;
  incrementalUnassign(assignment: Assignment[]): void;
};

/** How long an idle poll waits before looking again, should the queue's wake-up call not come. */
const IDLE_RECHECK_MS = 200;

/**
 * librdkafka looks for new topics only at each metadata refresh, every 5 minutes by default: a topic created
 * after the sink started (by a source connector started with it, say), or a new topic matching `topics.regex`,
 * would wait that long. A refresh every few seconds costs one small request per refresh (all topics' names for a
 * regex); `consumer.override.topic.metadata.refresh.interval.ms` sets another period.
 */
const METADATA_REFRESH_MS = 5_000;

/**
 * While a subscribed topic is missing, how often the consumer asks for the cluster's topics: it says when the
 * topic appears, and the answer (a request for all topics) makes librdkafka's group re-check its subscription at
 * once, so the topic is consumed about a second after it is created.
 */
const MISSING_TOPIC_RECHECK_MS = 1_000;

/**
 * How old a partition's end may be before `lag()` asks the broker for it again. The end comes with every fetch
 * answer, but librdkafka stops fetching a partition while it holds 100,000 records (or 64 MB) the sink has not
 * taken yet, which is when the sink is far behind; a query every few seconds keeps the end moving then.
 */
const END_QUERY_INTERVAL_MS = 5_000;
/**
 * How far the fetched end may be ahead of the position before it is taken for possibly stale (librdkafka's queue
 * may be full: 64 MB is a few thousand large records); closer, the fetches keep it fresh and nothing is asked.
 */
const END_MAYBE_STALE_RECORDS = 1_000;

/** An owned partition: where reading began, how far records were polled and committed, its end as last queried. */
interface OwnedPartition {
  topic: string;
  partition: number;
  /** The group's committed offset when assigned (-1: none, the log's start counts); the first record polled since. */
  committedAtAssign?: number;
  firstPolled?: number;
  nextPolled?: number;
  nextCommitted?: number;
  queriedEnd?: number;
  queriedAt?: number;
}

/**
 * A member of a consumer group, on librdkafka's own consumer API, for a caller that works in rounds: `poll()`
 * returns the messages already fetched for its partitions, the caller writes them and `commit()`s, then calls
 * `settle()`. A revocation is held until `settle()`, so a partition moves to another member only once the round
 * that read it is written and committed: never while its writes are in flight, where a stale write could land
 * after the new owner's.
 *
 * Chosen over the KafkaJS-compatible consumer for the sink's hot path: it costs about 40% less CPU per message
 * (CPU the writes need on a busy host), and it runs nothing inside an AsyncLocalStorage, which on Node 20 puts
 * promise hooks on every promise created afterwards, the SDK's included.
 */
export class GroupConsumer implements RecordSource {
  private readonly consumer: RoundsConsumer;
  private pendingRevoke: Assignment[] | undefined;
  private closing = false;
  /** Woken when librdkafka says its queue has something: a poll that found nothing looks again at once. */
  private readonly queue = new QueueWake(IDLE_RECHECK_MS);
  private commits: Promise<void> = Promise.resolve();
  private lastError: string | undefined;
  private disconnected: Promise<void> | undefined;
  /** The missing topics last told; and the watch that looks for them, while it runs. */
  private missing: MissingTopics | undefined;
  private topicWatch: Promise<void> | undefined;
  private wakeTopicWatch: (() => void) | undefined;
  /** The partitions assigned to this member, by `topic/partition`; and whether a poll of librdkafka is under way. */
  private readonly owned = new Map<string, OwnedPartition>();
  private consuming = false;

  constructor(private readonly options: GroupConsumerOptions) {
    const { connection } = options;
    this.consumer = new ckjs.KafkaConsumer(
      {
        // The KafkaJS-compatible consumer's defaults, which the sink has always run with; the user's overrides win.
        'partition.assignment.strategy': 'roundrobin',
        'session.timeout.ms': 30_000,
        'allow.auto.create.topics': true,
        // Only what transactions committed: the source connector writes its topics in transactions.
        'isolation.level': 'read_committed',
        'topic.metadata.refresh.interval.ms': METADATA_REFRESH_MS,
        ...RECONNECT_SOON,
        ...(connection.properties ?? {}),
        ...options.properties,
        'bootstrap.servers': connection.bootstrapServers,
        'client.id': connection.clientId ?? 'dynamodb-kafka',
        'group.id': options.groupId,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        rebalance_cb: (error: LibrdKafkaError, assignment: Assignment[]) => this.onRebalance(error, assignment),
        // Not in the typings: the package's own KafkaJS layer uses it to sleep until messages arrive.
        ...({ queue_non_empty_cb: () => this.signal() } as object),
      },
      { 'auto.offset.reset': 'earliest' },
    ) as RoundsConsumer;
    this.consumer.on('event.error', (error) => options.warn(`Kafka consumer: ${error.message}`));
  }

  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve()));
    });
    // Only what is already fetched: waiting happens here in JavaScript, not on one of libuv's four threads.
    this.consumer.setDefaultConsumeTimeout(0);
    const { names, regex } = this.options.topics;
    this.consumer.subscribe(regex ? [wholeNamePattern(regex)] : names!);
    this.watchSubscribedTopics();
  }

  /** Waits for messages; returns none when a revocation waits for `settle()` or the consumer is interrupted. */
  async poll(max: number): Promise<GroupMessage[]> {
    for (;;) {
      if (this.pendingRevoke || this.closing) return [];
      this.queue.clear();
      this.consuming = true;
      const { error, messages } = await new Promise<{ error?: LibrdKafkaError; messages: Message[] }>((resolve) => {
        this.consumer.consume(max, (error, batch) => resolve(error ? { error, messages: [] } : { messages: batch }));
      });
      this.notePolled(messages);
      this.consuming = false;
      if (error) {
        // As the KafkaJS-compatible consumer does: a broker that is away, or a topic not there yet, is told and
        // waited out; only a fatal error ends the consumer.
        if (error.isFatal || this.closing) throw new Error(`Kafka consumer: ${error.message}`);
        if (error.message !== this.lastError) this.options.warn(`Kafka consumer: ${error.message} (retrying)`);
        this.lastError = error.message;
        // A subscribed topic deleted while running: the watch tells it, and looks for it coming back.
        if (UNKNOWN_TOPIC_CODES.has(error.code)) this.watchSubscribedTopics();
        await this.queue.sleep();
        continue;
      }
      this.lastError = undefined;
      if (messages.length > 0) return messages.map(toGroupMessage);
      if (!this.queue.signalled && !this.pendingRevoke && !this.closing) await this.queue.sleep();
    }
  }

  /** Commits after the commits before it, so they reach the group coordinator in order. */
  commit(offsets: NextOffset[]): Promise<void> {
    const commit = this.commits.then(
      () =>
        new Promise<void>((resolve, reject) => {
          this.consumer.commitCb(offsets, (error: LibrdKafkaError | null) => {
            if (!error) {
              this.noteCommitted(offsets);
              return resolve();
            }
            const where = offsets.map(({ topic, partition, offset }) => `${topic}/${partition}@${offset}`).join(', ');
            reject(new Error(`committing offsets ${where}: ${error.message}`));
          });
        }),
    );
    // The chain goes on past a failed commit; the caller gets the failure from the promise returned.
    this.commits = commit.catch(() => undefined);
    return commit;
  }

  /**
   * Each owned partition's lag, from what the consumer already holds: its end from the fetch answers (librdkafka's
   * statistics carry the same, but reach JavaScript only while the application polls: a sink held up by slow
   * writes would stop reporting exactly when its lag matters), and its position and commits. Nothing waits on
   * the broker, so a scrape never hangs; an end query, when due, runs in the background for the next call.
   */
  lag(): PartitionLag[] {
    if (this.closing || this.owned.size === 0 || !this.consumer.isConnected()) return [];
    const owned = [...this.owned.values()];
    const positions = new Map<string, number>();
    try {
      for (const { topic, partition, offset } of this.consumer.position(owned.map(({ topic, partition }) => ({ topic, partition })))) {
        if (offset !== undefined && offset >= 0) positions.set(`${topic}/${partition}`, offset);
      }
    } catch {
      // No position known: the lag is counted from the commits alone.
    }
    const lags: PartitionLag[] = [];
    for (const each of owned) {
      const position = positions.get(`${each.topic}/${each.partition}`);
      const { end, logStart } = this.watermarks(each, position);
      const start = this.startOf(each, logStart);
      const reading = { ...each, ...(end !== undefined ? { end } : {}), ...(start !== undefined ? { start } : {}), ...(position !== undefined ? { position } : {}) };
      const records = partitionLag(reading, this.consuming);
      if (records !== undefined) lags.push({ topic: each.topic, partition: each.partition, records });
    }
    return lags;
  }

  /** Hands over revoked partitions once every commit made so far is done. */
  async settle(): Promise<void> {
    if (!this.pendingRevoke) return;
    await this.commits;
    this.release(this.pendingRevoke);
    this.pendingRevoke = undefined;
  }

  /** Makes a waiting `poll()` return, so its caller can finish its round and stop. */
  interrupt(): void {
    this.closing = true;
    this.signal();
    this.wakeTopicWatch?.();
  }

  disconnect(): Promise<void> {
    this.disconnected ??= (async () => {
      this.interrupt();
      await this.commits;
      await this.settle();
      await this.topicWatch;
      await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
    })();
    return this.disconnected;
  }

  /**
   * Looks for the subscribed topics now, then every second while some are missing, telling what it finds; ends
   * once all are there (or the consumer closes). A watch already running is left to go on.
   */
  private watchSubscribedTopics(): void {
    if (this.topicWatch || this.closing) return;
    this.topicWatch = (async () => {
      for (;;) {
        const existing = await this.topicNames();
        if (this.closing) return;
        // No answer (the broker away): keep the last finding, and ask again.
        const missing = existing ? findMissingTopics(this.options.topics, existing) : this.missing;
        this.tellMissing(missing);
        if (existing && !missing) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, MISSING_TOPIC_RECHECK_MS);
          this.wakeTopicWatch = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeTopicWatch = undefined;
        if (this.closing) return;
      }
    })().finally(() => (this.topicWatch = undefined));
  }

  private tellMissing(missing: MissingTopics | undefined): void {
    if (JSON.stringify(missing) === JSON.stringify(this.missing)) return;
    this.missing = missing;
    this.options.onMissingTopics?.(missing);
  }

  /** The names of the cluster's topics; undefined when the broker did not answer. */
  private topicNames(): Promise<string[] | undefined> {
    return new Promise((resolve) => {
      this.consumer.getMetadata({ allTopics: true, timeout: 5_000 }, (error, metadata) =>
        resolve(error ? undefined : metadata.topics.map((topic) => topic.name)),
      );
    });
  }

  private onRebalance(error: LibrdKafkaError, assignment: Assignment[]): void {
    try {
      if (error.code === ASSIGN_PARTITIONS) {
        if (this.consumer.rebalanceProtocol() === 'COOPERATIVE') this.consumer.incrementalAssign(assignment);
        else {
          this.consumer.assign(assignment);
          this.owned.clear();
        }
        for (const { topic, partition } of assignment) this.owned.set(`${topic}/${partition}`, { topic, partition });
        this.noteCommittedAtAssign(assignment);
      } else if (error.code === REVOKE_PARTITIONS) {
        // While closing no round is left to finish: librdkafka waits for this to leave the group.
        if (this.closing) this.release(assignment);
        else this.pendingRevoke = [...(this.pendingRevoke ?? []), ...assignment];
        this.signal();
      } else {
        this.options.warn(`Kafka consumer rebalance: ${error.message}`);
      }
    } catch (failure) {
      if (this.consumer.isConnected()) this.options.warn(`Kafka consumer rebalance: ${(failure as Error).message}`);
    }
  }

  private release(assignment: Assignment[]): void {
    if (this.consumer.rebalanceProtocol() === 'COOPERATIVE') {
      this.consumer.incrementalUnassign(assignment);
      for (const { topic, partition } of assignment) this.owned.delete(`${topic}/${partition}`);
    } else {
      this.consumer.unassign();
      this.owned.clear();
    }
  }

  /** Each owned partition's first and next offset polled; looked up once per run of one partition's records. */
  private notePolled(messages: Message[]): void {
    let run: OwnedPartition | undefined;
    let previous: Message | undefined;
    for (const message of messages) {
      if (message.partition !== previous?.partition || message.topic !== previous.topic) run = this.owned.get(`${message.topic}/${message.partition}`);
      previous = message;
      if (!run) continue;
      run.firstPolled ??= message.offset;
      run.nextPolled = message.offset + 1;
    }
  }

  /** Asks the group's committed offsets of newly assigned partitions: where the lag counts from until this member commits. */
  private noteCommittedAtAssign(assignment: Assignment[]): void {
    this.consumer.committed(
      assignment.map(({ topic, partition }) => ({ topic, partition })),
      10_000,
      (error, offsets) => {
        if (error) return;
        for (const { topic, partition, offset } of offsets) {
          const owned = this.owned.get(`${topic}/${partition}`);
          if (owned) owned.committedAtAssign = offset !== undefined && offset >= 0 ? offset : -1;
        }
      },
    );
  }

  private noteCommitted(offsets: NextOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const owned = this.owned.get(`${topic}/${partition}`);
      if (owned) owned.nextCommitted = Math.max(owned.nextCommitted ?? offset, offset);
    }
  }

  /**
   * Where the lag counts from before this member's first commit: the group's committed offset at assignment; for a
   * group without one, the log's start when reading from the earliest offset (the default); else the first
   * record polled.
   */
  private startOf(owned: OwnedPartition, logStart: number | undefined): number | undefined {
    if (owned.committedAtAssign !== undefined && owned.committedAtAssign >= 0) return owned.committedAtAssign;
    const earliest = ['earliest', 'smallest', 'beginning'].includes(this.options.properties['auto.offset.reset'] ?? 'earliest');
    return owned.committedAtAssign === -1 && earliest && logStart !== undefined ? logStart : owned.firstPolled;
  }

  /** The partition's end (the newer of the last fetch answer's and the last query's; a query is sent when due), and its start. */
  private watermarks(owned: OwnedPartition, position: number | undefined): { end?: number; logStart?: number } {
    let fetched: number | undefined;
    let logStart: number | undefined;
    try {
      const { highOffset, lowOffset } = this.consumer.getWatermarkOffsets(owned.topic, owned.partition);
      if (highOffset >= 0) fetched = highOffset;
      if (lowOffset >= 0) logStart = lowOffset;
    } catch {
      // Not fetched yet: the query below tells.
    }
    const maybeStale = fetched === undefined || fetched - (position ?? 0) >= END_MAYBE_STALE_RECORDS;
    if (maybeStale && Date.now() - (owned.queriedAt ?? 0) >= END_QUERY_INTERVAL_MS) {
      owned.queriedAt = Date.now();
      this.consumer.queryWatermarkOffsets(owned.topic, owned.partition, END_QUERY_INTERVAL_MS, (error, offsets) => {
        if (!error && offsets.highOffset >= 0) owned.queriedEnd = Math.max(owned.queriedEnd ?? 0, offsets.highOffset);
      });
    }
    const end = fetched === undefined ? owned.queriedEnd : Math.max(fetched, owned.queriedEnd ?? 0);
    return { ...(end !== undefined ? { end } : {}), ...(logStart !== undefined ? { logStart } : {}) };
  }

  private signal(): void {
    this.queue.signal();
  }
}

/**
 * librdkafka takes a name starting with ^ as a regular expression, matched anywhere in a topic's name; Kafka
 * Connect's `topics.regex` must match the whole name, so the pattern is anchored at both ends.
 */
export function wholeNamePattern(regex: string): string {
  const core = regex.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');
  return `^(${core})$`;
}

/** Which subscribed topics are not among `existing`: names not there, or a regex no existing name matches. */
export function findMissingTopics(topics: { names?: string[]; regex?: string }, existing: string[]): MissingTopics | undefined {
  if (topics.regex !== undefined) {
    const pattern = new RegExp(wholeNamePattern(topics.regex));
    return existing.some((name) => pattern.test(name)) ? undefined : { regex: topics.regex };
  }
  const present = new Set(existing);
  const names = (topics.names ?? []).filter((name) => !present.has(name));
  return names.length > 0 ? { names } : undefined;
}

function toGroupMessage(message: Message): GroupMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    key: message.key === undefined || message.key === null ? null : Buffer.isBuffer(message.key) ? message.key : Buffer.from(message.key),
    value: message.value ?? null,
  };
}
