import { setTimeout as delay } from 'node:timers/promises';
import { ConfigTopic } from '../adapters/kafka/config-topic.js';
import { createKafka, logLevel, type Admin } from '../adapters/kafka/client.js';
import { ConfigError } from '../config/errors.js';
import { isSinkConnectorClass, parseSinkConfig } from '../config/sink.js';
import { parseSourceConfig } from '../config/source.js';
import type { WorkerConfig } from '../config/worker.js';
import type { ConnectorEntry } from '../domain/connector-configs.js';
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
    await worker.reconcile();
    worker.loop = worker.follow();
    return worker;
  }

  get connectorConfigs(): ConfigTopic {
    return this.configs;
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

  private async startConnector(entry: ConnectorEntry): Promise<void> {
    const text = JSON.stringify(entry.config);
    const raw = { ...this.config.connectorDefaults, ...entry.config };
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
