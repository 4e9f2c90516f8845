import { setTimeout as delay } from 'node:timers/promises';
import { ConfigTopic } from '../adapters/kafka/config-topic.js';
import { createKafka, logLevel, type Admin } from '../adapters/kafka/client.js';
import { ConfigError } from '../config/errors.js';
import { isSinkConnectorClass, parseSinkConfig } from '../config/sink.js';
import { parseSourceConfig } from '../config/source.js';
import { connectorConfig, type WorkerConfig } from '../config/worker.js';
import type { ConnectorEntry, RestartRequest } from '../domain/connector-configs.js';
import { connectStatus } from './connect-status.js';
import type { Logger } from './logger.js';
import { Worker } from './worker.js';

/** How often the config topic is read again for what other workers (or tools) wrote. */
const CONFIG_REFRESH_MS = 2_000;

/**
 * A worker whose connectors are those of the cluster's config topic: it runs each connector whose target state
 * is STARTED and stops one that is paused, stopped or deleted, as the topic changes. The connectors take the
 * worker's Kafka settings and offsets topic unless they set their own.
 *
 * This worker runs every connector itself; spreading them over the workers of a group is the next step.
 */
export class ClusterWorker {
  private readonly running = new Map<string, string>();
  /** Connectors whose configuration was refused, with the text it was refused for: reported once each. */
  private readonly refused = new Map<string, string>();
  /** The offset of the last restart request acted on (or passed over at start), by connector. */
  private readonly restartsSeen = new Map<string, number>();
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  private constructor(
    private readonly config: WorkerConfig,
    private readonly configs: ConfigTopic,
    private readonly admin: Admin,
    readonly worker: Worker,
    private readonly log: Logger,
  ) {}

  static async start(config: WorkerConfig, log: Logger): Promise<ClusterWorker> {
    const connection = { bootstrapServers: config.bootstrapServers, clientId: `dynamodb-kafka-worker-${config.groupId}`, properties: config.kafkaProperties };
    const kafka = createKafka(connection, logLevel.ERROR);
    const admin = kafka.admin();
    await admin.connect();
    const configs = await ConfigTopic.open(
      { kafka, connection, admin },
      { topic: config.configTopic, replicationFactor: config.replicationFactor, warn: (line) => log.warn(line) },
    );
    const worker = new ClusterWorker(config, configs, admin, Worker.empty(log), log);
    // As Kafka Connect does, restart requests written before this worker started are not acted on: starting is one.
    for (const request of configs.connectors.restartRequests()) worker.restartsSeen.set(request.name, request.offset);
    await worker.reconcile();
    worker.loop = worker.follow();
    return worker;
  }

  get connectorConfigs(): ConfigTopic {
    return this.configs;
  }

  /** Why a connector whose target is STARTED is not running: its configuration was refused, for this reason. */
  refusal(name: string): string | undefined {
    return this.refused.get(name);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.worker.stop();
    await this.configs.close().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private async follow(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await delay(CONFIG_REFRESH_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        await this.configs.refresh();
        await this.reconcile();
      } catch (error) {
        this.log.error(`cannot read the config topic ${this.config.configTopic} (retrying): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Starts, restarts (changed configuration) and stops connectors to match the config topic. */
  private async reconcile(): Promise<void> {
    await this.actOnRestartRequests();
    const wanted = new Map(
      this.configs.connectors
        .list()
        .filter((entry) => entry.target === 'STARTED')
        .map((entry) => [entry.name, entry] as const),
    );
    for (const name of [...this.running.keys()]) {
      const entry = wanted.get(name);
      if (entry && JSON.stringify(entry.config) === this.running.get(name)) continue;
      this.log.info(entry ? `connector ${name} was reconfigured: restarting it` : `connector ${name} was paused, stopped or deleted: stopping it`);
      await this.worker.stopConnector(name);
      this.running.delete(name);
    }
    for (const [name, entry] of wanted) {
      if (!this.running.has(name)) await this.startConnector(entry);
    }
  }

  /**
   * Stops each connector with a new restart request (when `onlyFailed`, only one that failed or has a failed
   * task): the loop that follows starts it again. Its tasks run inside it, so they restart with it.
   */
  private async actOnRestartRequests(): Promise<void> {
    for (const request of this.configs.connectors.restartRequests()) {
      if (request.offset <= (this.restartsSeen.get(request.name) ?? -1)) continue;
      this.restartsSeen.set(request.name, request.offset);
      if (!this.running.has(request.name)) continue;
      if (request.onlyFailed && !this.hasFailed(request)) continue;
      this.log.info(`connector ${request.name}: restarting it, as requested`);
      await this.worker.stopConnector(request.name);
      this.running.delete(request.name);
    }
  }

  private hasFailed(request: RestartRequest): boolean {
    const status = this.worker.status().find((each) => each.name === request.name);
    if (!status) return false;
    const connect = connectStatus(status, '');
    return connect.connector.state === 'FAILED' || (request.includeTasks && connect.tasks.some((task) => task.state === 'FAILED'));
  }

  private async startConnector(entry: ConnectorEntry): Promise<void> {
    const text = JSON.stringify(entry.config);
    const raw = connectorConfig(this.config, entry.config);
    try {
      const parsed = isSinkConnectorClass(raw['connector.class'] ?? '') ? parseSinkConfig(entry.name, raw) : parseSourceConfig(entry.name, raw);
      await this.worker.startConnector(parsed);
      this.running.set(entry.name, text);
      this.refused.delete(entry.name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (this.refused.get(entry.name) !== text) this.log.error(`connector ${entry.name} not started: ${error.message}`);
      this.refused.set(entry.name, text);
    }
  }
}
