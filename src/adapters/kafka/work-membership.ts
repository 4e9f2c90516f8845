import ckjs from '@confluentinc/kafka-javascript';
import type { Assignment, LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { ensureTopic } from './admin.js';
import { RECONNECT_SOON, type Admin, type KafkaConnection } from './client.js';

/** librdkafka's rebalance event codes. */
const ASSIGN_PARTITIONS = -175;
const REVOKE_PARTITIONS = -174;
/** librdkafka's "nothing arrived in time", and the broker's refusal of the member's session timeout. */
const TIMED_OUT = -185;
const INVALID_SESSION_TIMEOUT = 26;

/**
 * How often the member polls: librdkafka hands rebalances over only inside a poll (heartbeats go on in its own
 * thread). A rebalance thus reaches the worker within this long; the work topic is empty, so a poll is cheap.
 */
const POLL_MS = 200;

export interface WorkMembershipOptions {
  connection: KafkaConnection;
  groupId: string;
  topic: string;
  partitions: number;
  /** -1 = the broker's default. */
  replicationFactor: number;
  /** Kafka Connect's default is 10 s: a dead worker's tasks wait that long before moving. */
  sessionTimeoutMs: number;
  /** Told the partitions this member owns after each change (assigned, revoked or lost). */
  onChange(owned: ReadonlySet<number>): void;
  warn(message: string): void;
}

/**
 * A worker's membership of its cluster, through Kafka's own group protocol: every worker joins the group on the
 * work topic, and the partitions the group assigns it are its share of the work. The topic carries no records;
 * its partitions are only the units Kafka shares out. Cooperative-sticky assignment moves only what must move
 * when a worker joins or leaves, so the other workers' tasks run on undisturbed.
 *
 * A revoked (or lost) partition is released at once: its tasks stop while their new owner starts, and the new
 * owner's producer fences whatever they had not finished.
 */
export class WorkMembership {
  private readonly owned = new Set<number>();
  private readonly consumer: ckjs.KafkaConsumer;
  private polling = true;
  private loop?: Promise<void>;
  /** The group error last warned of: a retried JoinGroup fails the same way each time. */
  private lastProblem: string | undefined;

  private constructor(private readonly options: WorkMembershipOptions) {
    const { connection } = options;
    this.consumer = new ckjs.KafkaConsumer(
      {
        ...RECONNECT_SOON,
        ...(connection.properties ?? {}),
        'bootstrap.servers': connection.bootstrapServers,
        'client.id': connection.clientId ?? 'dynamodb-kafka-worker',
        'group.id': options.groupId,
        'partition.assignment.strategy': 'cooperative-sticky',
        'session.timeout.ms': options.sessionTimeoutMs,
        // A third of the session, as Kafka's clients default to: two heartbeats may be lost before the session is.
        'heartbeat.interval.ms': Math.max(1, Math.floor(options.sessionTimeoutMs / 3)),
        'enable.auto.commit': false,
        // librdkafka does the assign / unassign itself; the 'rebalance' event tells what moved.
        rebalance_cb: true,
      },
      {},
    );
    this.consumer.on('rebalance', (event: LibrdKafkaError, assignment: Assignment[]) => this.onRebalance(event, assignment));
    this.consumer.on('event.error', (error) => options.warn(`work group ${options.groupId}: ${error.message}`));
  }

  /** Creates the work topic when missing and joins the group; partitions arrive through `onChange`. */
  static async join(admin: Admin, options: WorkMembershipOptions): Promise<WorkMembership> {
    await ensureTopic(admin, {
      topic: options.topic,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor,
      // Nothing is ever written to it; compacted, should anything be, it would not grow.
      configs: { 'cleanup.policy': 'compact' },
    });
    const membership = new WorkMembership(options);
    await new Promise<void>((resolve, reject) => {
      membership.consumer.connect({ timeout: 30_000 }, (error) => (error ? reject(new Error(`joining the work group ${options.groupId} on topic ${options.topic}: ${error.message}`)) : resolve()));
    });
    membership.consumer.setDefaultConsumeTimeout(0);
    membership.consumer.subscribe([options.topic]);
    membership.loop = membership.poll();
    return membership;
  }

  /** Leaves the group (its partitions go to the other workers at once, without waiting for a session timeout). */
  async leave(): Promise<void> {
    this.polling = false;
    await this.loop;
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      const error = await new Promise<LibrdKafkaError | undefined>((resolve) => this.consumer.consume(1, (failure) => resolve(failure ?? undefined)));
      // The group's errors arrive here, a refused JoinGroup among them (the member retries it for ever, owning
      // nothing): each said once until the member is assigned partitions again, not on every retry.
      const problem = error && error.code !== TIMED_OUT ? this.explain(error) : undefined;
      if (problem && problem !== this.lastProblem) this.options.warn(problem);
      if (problem) this.lastProblem = problem;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private explain(error: LibrdKafkaError): string {
    const { groupId, sessionTimeoutMs } = this.options;
    if (error.code === INVALID_SESSION_TIMEOUT) {
      return (
        `work group ${groupId}: the broker refuses session.timeout.ms ${sessionTimeoutMs} (${error.message}): it must lie between the broker's ` +
        'group.min.session.timeout.ms and group.max.session.timeout.ms (6000 and 1800000 by default); until it does this worker gets no share of the work'
      );
    }
    return `work group ${groupId}: ${error.message}`;
  }

  private onRebalance(event: LibrdKafkaError, assignment: Assignment[]): void {
    const partitions = assignment.filter((each) => each.topic === this.options.topic).map((each) => each.partition);
    if (event.code === ASSIGN_PARTITIONS) {
      for (const partition of partitions) this.owned.add(partition);
      this.lastProblem = undefined;
    }
    else if (event.code === REVOKE_PARTITIONS) for (const partition of partitions) this.owned.delete(partition);
    else return this.options.warn(`work group ${this.options.groupId} rebalance: ${event.message}`);
    this.options.onChange(new Set(this.owned));
  }
}
