import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigTopic } from '../adapters/kafka/config-topic.js';
import { createKafka, logLevel, type Admin } from '../adapters/kafka/client.js';
import { StatusTopic } from '../adapters/kafka/status-topic.js';
import { WorkMembership } from '../adapters/kafka/work-membership.js';
import { ConfigError } from '../config/errors.js';
import { isSinkConnectorClass, parseSinkConfig, type SinkConfig } from '../config/sink.js';
import { parseSourceConfig, type SourceConfig } from '../config/source.js';
import { connectorConfig, type WorkerConfig } from '../config/worker.js';
import type { ConnectorEntry, RestartRequest } from '../domain/connector-configs.js';
import { statusKeys } from '../domain/task-status.js';
import { ownedTasks, taskKey } from '../domain/work-partition.js';
import { clusterConnectorStatus, ownedStatusRecords, type ClusterConnectorStatus } from './cluster-status.js';
import { connectStatus } from './connect-status.js';
import type { Logger } from './logger.js';
import { Worker } from './worker.js';

/** How often the config topic is read again for what other workers (or tools) wrote, and statuses written. */
const CONFIG_REFRESH_MS = 2_000;

interface RunningShare {
  /** The configuration it runs with, as text: another one restarts it. */
  text: string;
  tasks: ReadonlySet<number>;
}

/**
 * A worker of a cluster: the connectors are those of the config topic, and the work is shared with the other
 * workers of the group. Every worker joins the group on the work topic; a task (connector, index) belongs to
 * the partition its key hashes to, and a worker runs exactly the tasks of the partitions Kafka assigned it, for
 * each connector whose target state is STARTED. When partitions move (a worker joins, leaves or dies), revoked
 * tasks stop at once and assigned ones start; a task's new owner opens its producer with the same transactional
 * id, which fences the old owner. Each worker writes its tasks' statuses to the status topic; any worker reads
 * them all (`clusterStatus`). The connectors take the worker's Kafka settings and offsets topic unless they set
 * their own.
 */
export class ClusterWorker {
  private readonly running = new Map<string, RunningShare>();
  /** Connectors whose configuration was refused: the text refused and why (reported once each). */
  private readonly refused = new Map<string, { text: string; reason: string }>();
  /** The offset of the last restart request acted on (or passed over at start), by connector. */
  private readonly restartsSeen = new Map<string, number>();
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private membership?: WorkMembership;
  private ownedPartitions: ReadonlySet<number> = new Set();
  /** When this worker was given each task it runs (by task key): the generation of its status records. */
  private readonly assignedAt = new Map<string, number>();
  /** What was last written for each status key, to write only changes. */
  private readonly published = new Map<string, string>();
  /** Reconciliations and status writes, one after another. */
  private changes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly config: WorkerConfig,
    private readonly configs: ConfigTopic,
    private readonly statuses: StatusTopic,
    private readonly admin: Admin,
    readonly worker: Worker,
    private readonly log: Logger,
    private readonly workerId: string,
  ) {}

  /** `workerId`: how statuses name this worker (Connect uses its REST address); by default host:pid. */
  static async start(config: WorkerConfig, log: Logger, workerId = `${hostname()}:${process.pid}`): Promise<ClusterWorker> {
    const connection = { bootstrapServers: config.bootstrapServers, clientId: `dynamodb-kafka-worker-${config.groupId}`, properties: config.kafkaProperties };
    const kafka = createKafka(connection, logLevel.ERROR);
    const admin = kafka.admin();
    await admin.connect();
    const clients = { kafka, connection, admin };
    const configs = await ConfigTopic.open(clients, { topic: config.configTopic, replicationFactor: config.replicationFactor, warn: (line) => log.warn(line) });
    const statuses = await StatusTopic.open(clients, { topic: config.statusTopic, replicationFactor: config.replicationFactor, warn: (line) => log.warn(line) });
    const worker = new ClusterWorker(config, configs, statuses, admin, Worker.empty(log), log, workerId);
    // As Kafka Connect does, restart requests written before this worker started are not acted on: starting is one.
    for (const request of configs.connectors.restartRequests()) worker.restartsSeen.set(request.name, request.offset);
    worker.membership = await WorkMembership.join(admin, {
      connection,
      groupId: config.groupId,
      topic: config.workTopic,
      partitions: config.workPartitions,
      replicationFactor: config.replicationFactor,
      sessionTimeoutMs: config.sessionTimeoutMs,
      onChange: (owned) => worker.onPartitionsChanged(owned),
      warn: (line) => log.warn(line),
    });
    worker.loop = worker.follow();
    return worker;
  }

  get connectorConfigs(): ConfigTopic {
    return this.configs;
  }

  /** Why a connector whose target is STARTED is not running: its configuration was refused, for this reason. */
  refusal(name: string): string | undefined {
    return this.refused.get(name)?.reason;
  }

  /**
   * Every connector of the config topic with every task's state and the worker running it, as the tasks' owners
   * wrote them to the status topic: the same answer from any worker, from what this worker has read of both
   * topics (it follows them), as Kafka Connect answers: no request to Kafka per REST call.
   */
  async clusterStatus(): Promise<ClusterConnectorStatus[]> {
    const records = this.statuses.current();
    return this.configs.connectors.list().map((entry) => {
      const parsed = this.parse(entry);
      const type = isSinkConnectorClass(entry.config['connector.class'] ?? '') ? 'sink' : 'source';
      const status = clusterConnectorStatus({ name: entry.name, type, tasksMax: parsed?.tasksMax ?? 0, target: entry.target }, records);
      const refusal = parsed ? undefined : this.refused.get(entry.name)?.reason;
      return refusal ? { ...status, connector: { state: 'FAILED', worker_id: this.workerId, trace: refusal } } : status;
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.changes;
    // Tasks finish their open writes before the group hands them to other workers.
    await this.worker.stop();
    await this.membership?.leave().catch(() => undefined);
    await this.statuses.close().catch(() => undefined);
    await this.configs.close().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private onPartitionsChanged(owned: ReadonlySet<number>): void {
    if (this.stopping.signal.aborted) return;
    this.ownedPartitions = owned;
    this.log.info(`this worker owns ${owned.size} of the ${this.config.workPartitions} work partitions`);
    void this.serialized(() => this.reconcile());
  }

  private async follow(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.configs.refresh();
      } catch (error) {
        this.log.error(`cannot read the config topic ${this.config.configTopic} (retrying): ${error instanceof Error ? error.message : String(error)}`);
      }
      // A failure is logged by serialized(); the next round tries again.
      await this.serialized(() => this.reconcile()).catch(() => undefined);
      await delay(CONFIG_REFRESH_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * Starts, restarts (changed configuration), reshapes (other tasks owned) and stops connectors to match the
   * config topic and this worker's share of the work, then writes the statuses of its tasks that changed.
   */
  private async reconcile(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const wanted = new Map<string, { config: SourceConfig | SinkConfig; text: string; tasks: Set<number> }>();
    for (const entry of this.configs.connectors.list()) {
      if (entry.target !== 'STARTED') continue;
      const config = this.parse(entry);
      if (!config) continue;
      const tasks = ownedTasks(entry.name, config.tasksMax, this.config.workPartitions, this.ownedPartitions);
      if (tasks.size > 0) wanted.set(entry.name, { config, text: JSON.stringify(entry.config), tasks });
    }
    for (const [name, share] of [...this.running]) {
      const next = wanted.get(name);
      if (next && next.text === share.text) {
        if (sameSet(next.tasks, share.tasks)) continue;
        this.log.info(`connector ${name}: this worker runs task(s) ${describeTasks(next.tasks)} now`);
        this.noteAssigned(name, next.tasks, share.tasks);
        await this.worker.assignTasks(name, next.tasks);
        this.running.set(name, { ...share, tasks: next.tasks });
        continue;
      }
      const entry = this.configs.connectors.get(name);
      this.log.info(
        !entry || entry.target !== 'STARTED'
          ? `connector ${name} was paused, stopped or deleted: stopping it`
          : next
            ? `connector ${name} was reconfigured: restarting it`
            : `connector ${name}: its tasks run on other workers now: stopping it here`,
      );
      await this.worker.stopConnector(name);
      this.running.delete(name);
      this.noteAssigned(name, new Set(), share.tasks);
    }
    for (const [name, { config, text, tasks }] of wanted) {
      if (this.running.has(name)) continue;
      this.log.info(`connector ${name}: this worker runs task(s) ${describeTasks(tasks)}`);
      this.noteAssigned(name, tasks, new Set());
      await this.worker.startConnector(config, tasks);
      this.running.set(name, { text, tasks });
    }
    // After the starts: a connector started in this round (resumed, say) is restarted if asked; the next round
    // starts again what a restart stopped.
    await this.actOnRestartRequests();
    await this.publishStatuses();
  }

  /**
   * Stops this worker's share of each connector with a new restart request (when `onlyFailed`, only one that
   * failed or has a failed task here): reconciling starts it again. Its tasks run inside it, so they restart too.
   */
  private async actOnRestartRequests(): Promise<void> {
    for (const request of this.configs.connectors.restartRequests()) {
      if (request.offset <= (this.restartsSeen.get(request.name) ?? -1)) continue;
      this.restartsSeen.set(request.name, request.offset);
      const share = this.running.get(request.name);
      if (!share) continue;
      if (request.onlyFailed && !this.hasFailed(request)) continue;
      this.log.info(`connector ${request.name}: restarting it, as requested`);
      await this.worker.stopConnector(request.name);
      this.running.delete(request.name);
      this.noteAssigned(request.name, new Set(), share.tasks);
    }
  }

  private hasFailed(request: RestartRequest): boolean {
    const status = this.worker.status().find((each) => each.name === request.name);
    if (!status) return false;
    const connect = connectStatus(status, '');
    return connect.connector.state === 'FAILED' || (request.includeTasks && connect.tasks.some((task) => task.state === 'FAILED'));
  }

  /** The connector's parsed configuration; undefined (reported once per text) when it is refused. */
  private parse(entry: ConnectorEntry): SourceConfig | SinkConfig | undefined {
    const text = JSON.stringify(entry.config);
    const raw = connectorConfig(this.config, entry.config);
    try {
      const parsed = isSinkConnectorClass(raw['connector.class'] ?? '') ? parseSinkConfig(entry.name, raw) : parseSourceConfig(entry.name, raw);
      this.refused.delete(entry.name);
      return parsed;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (this.refused.get(entry.name)?.text !== text) this.log.error(`connector ${entry.name} not started: ${error.message}`);
      this.refused.set(entry.name, { text, reason: error.message });
      return undefined;
    }
  }

  /** Records when tasks were given to this worker, and forgets what was published for those it gave up. */
  private noteAssigned(connector: string, now: ReadonlySet<number>, before: ReadonlySet<number>): void {
    const at = Date.now();
    for (const task of now) if (!before.has(task)) this.assignedAt.set(taskKey(connector, task), at);
    for (const task of before) {
      if (now.has(task)) continue;
      this.assignedAt.delete(taskKey(connector, task));
      this.published.delete(statusKeys.task(connector, task));
      if (task === 0) this.published.delete(statusKeys.connector(connector));
    }
  }

  /** Writes the statuses of this worker's tasks that changed since last written. */
  private async publishStatuses(): Promise<void> {
    const locals = new Map(this.worker.status().map((status) => [status.name, connectStatus(status, this.workerId)]));
    const changed = [...this.running].flatMap(([name, share]) =>
      ownedStatusRecords({ name, tasks: share.tasks, local: locals.get(name) }, this.workerId, (task) => this.assignedAt.get(taskKey(name, task)) ?? 0),
    ).filter((record) => this.published.get(record.key) !== JSON.stringify(record.value));
    if (changed.length === 0) return;
    try {
      await this.statuses.write(changed);
      for (const record of changed) this.published.set(record.key, JSON.stringify(record.value));
    } catch (error) {
      this.log.error(`cannot write to the status topic ${this.config.statusTopic} (retrying): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private serialized(change: () => Promise<void>): Promise<void> {
    const next = this.changes.then(change);
    this.changes = next.catch((error: unknown) => this.log.error(`reconciling the worker's connectors: ${error instanceof Error ? error.message : String(error)}`));
    return next;
  }
}

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function describeTasks(tasks: ReadonlySet<number>): string {
  return [...tasks].sort((a, b) => a - b).join(', ');
}
