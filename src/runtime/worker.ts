import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, createTaggingClient, type DynamoDbConnection } from '../adapters/dynamodb/client.js';
import { dynamoDbTableCatalog } from '../adapters/dynamodb/tags.js';
import { fetchClusterId } from '../adapters/kafka/cluster-id.js';
import { createKafka, logLevel, type Admin } from '../adapters/kafka/client.js';
import { loadConnectorFile, type ConnectorFile } from '../config/connector-file.js';
import { ConfigError, keyProblem } from '../config/errors.js';
import { parseSourceConfig, topicFor, type SourceConfig } from '../config/source.js';
import { isSinkConnectorClass, parseSinkConfig, type SinkConfig } from '../config/sink.js';
import { SinkConnector, type SinkConnectorStatus } from './sink-connector.js';
import { includeListFinder, TagTableFinder, type TableFinder } from '../source/discovery.js';
import type { PipelineSettings } from '../source/settings.js';
import { dynamodbConnection, openSourceClients, sinkKafkaConnection, sourcePorts } from './connections.js';
import type { Logger } from './logger.js';
import { RestError } from '../rest/http.js';
import type { WorkerInfo } from '../rest/router.js';
import { buildCommit } from './build-info.js';
import { Health } from './health.js';
import { Metrics } from './metrics.js';
import type { AwsCallObserver } from '../adapters/dynamodb/client.js';
import type { TransactionObserver } from '../adapters/kafka/client.js';
import { sourceRecordFormat } from './record-formats.js';
import { SourceConnector, type ConnectorStatus } from './source-connector.js';
import { createS3Client } from '../adapters/s3/export-files.js';
import { awsTableExports } from '../adapters/s3/table-exports.js';

/** How long the REST API's root waits for a broker to say its cluster's id. */
const CLUSTER_ID_TIMEOUT_MS = 2_000;

interface RunningConnector {
  config: SourceConfig | SinkConfig;
  connector: SourceConnector | SinkConnector;
  admin: Admin;
  release: () => void;
}

async function stopRunning({ connector, admin, release }: RunningConnector): Promise<void> {
  await connector.stop();
  await admin.disconnect().catch(() => undefined);
  release();
}

function isSinkConfig(config: SourceConfig | SinkConfig): config is SinkConfig {
  return isSinkConnectorClass(config.connectorClass);
}

/** Runs the connectors of one process until stopped; connectors can be started and stopped while it runs. */
export class Worker {
  private readonly running: RunningConnector[] = [];
  /** Cluster ids learnt, by bootstrap servers: a cluster keeps its id. */
  private readonly clusterIds = new Map<string, string>();
  /** The process's metrics: its connectors' status, AWS calls and transactions (`GET /metrics`). */
  readonly metrics = new Metrics();
  /** Calls that hang or keep failing, per connector (`GET /health`). */
  readonly health = new Health();

  private constructor(
    private readonly configs: SourceConfig[],
    private readonly sinkConfigs: SinkConfig[],
    private readonly log: Logger,
  ) {
    this.metrics.watch(() => this.status());
  }

  /** A worker with no connector yet: they are started one by one (the cluster's config topic says which). */
  static empty(log: Logger): Worker {
    return new Worker([], [], log);
  }

  /**
   * Reads and validates every connector file first, so a bad one stops the start before anything runs.
   * `fillIn` may complete a file's settings first (the CLI points connectors without endpoints at the local stack).
   */
  static async fromFiles(files: string[], log: Logger, fillIn?: (file: ConnectorFile) => Promise<Record<string, string>>): Promise<Worker> {
    const configs: SourceConfig[] = [];
    const sinkConfigs: SinkConfig[] = [];
    for (const file of files) {
      const loaded = await loadConnectorFile(file);
      const raw = fillIn ? await fillIn(loaded) : loaded.config;
      if (isSinkConnectorClass(raw['connector.class'] ?? '')) sinkConfigs.push(withKafka(parseSinkConfig(loaded.name, raw)));
      else configs.push(withKafka(parseSourceConfig(loaded.name, raw)));
    }
    const names = [...configs, ...sinkConfigs].map((config) => config.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new ConfigError([{ message: `two connector files are both named "${duplicate}"` }]);
    return new Worker(configs, sinkConfigs, log);
  }

  async start(): Promise<void> {
    for (const config of this.sinkConfigs) await this.startConnector(config);
    for (const config of this.configs) await this.startConnector(config);
  }

  /**
   * Starts a connector (a parsed configuration); its name must be free. `ownedTasks`: the task indexes this
   * process runs (a worker of a cluster runs its share); unset, all of them.
   */
  async startConnector(config: SourceConfig | SinkConfig, ownedTasks?: ReadonlySet<number>): Promise<void> {
    if (this.running.some((entry) => entry.config.name === config.name)) {
      throw new ConfigError([{ message: `a connector named "${config.name}" is already running` }]);
    }
    this.running.push(isSinkConfig(config) ? await this.startSink(config, ownedTasks) : await this.startSource(config, ownedTasks));
  }

  /** Changes which of a running connector's tasks this process runs, leaving the others undisturbed. */
  async assignTasks(name: string, tasks: ReadonlySet<number>): Promise<void> {
    await this.running.find((entry) => entry.config.name === name)?.connector.assign(tasks);
  }

  /** Stops a connector, letting its open writes finish; false when none has that name. */
  async stopConnector(name: string): Promise<boolean> {
    const index = this.running.findIndex((entry) => entry.config.name === name);
    if (index < 0) return false;
    const [entry] = this.running.splice(index, 1);
    await stopRunning(entry!);
    this.health.forget(name);
    return true;
  }

  private async startSource(config: SourceConfig, ownedTasks: ReadonlySet<number> | undefined): Promise<RunningConnector> {
    const log = this.log.child(config.name);
    for (const warning of config.warnings) log.warn(warning);
    // First: a format that cannot be used is a configuration error, found before any client is opened.
    const format = await sourceRecordFormat(config.output);
    const { connection, kafka, admin, aws, dynamodb, streams } = await openSourceClients(config, config.kafka.bootstrapServers!, log, {
      aws: this.awsObserver(config.name),
      transactions: this.transactionObserver(config.name),
    });
    const { finder, release: releaseFinder } = tableFinder(config, aws, dynamodb, log);
    // The export's files are read from S3 with the connector's AWS credentials (dynamodb.snapshot.method=EXPORT).
    const s3 = config.snapshot.export ? createS3Client(aws, config.snapshot.export.endpoint) : undefined;
    const connector = new SourceConnector(
      {
        name: config.name,
        finder,
        settingsFor: (table) => pipelineSettings(config, table),
        format,
        exactlyOnce: config.exactlyOnce,
        offsetsTopic: config.offsetStorageTopic,
        topic: { partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor },
        tasks: config.tasksMax,
        maxMessageBytes: config.topics.maxMessageBytes,
        maxRecordsPerWrite: config.output.maxBatchSize,
        ...(ownedTasks ? { ownedTasks } : {}),
      },
      { ...sourcePorts({ kafka, connection, admin, dynamodb, streams }), ...(s3 ? { exports: awsTableExports(dynamodb, s3) } : {}) },
      log,
    );
    log.info(
      `source: tables ${finder.description}; mode ${config.syncMode}; ` +
        `${config.tasksMax} task(s); ${config.exactlyOnce ? 'exactly-once' : 'at-least-once'}; records ${format.description}; Kafka ${config.kafka.bootstrapServers}; ` +
        `DynamoDB ${config.aws.endpoint ?? `region ${config.aws.region}`}`,
    );
    connector.start();
    return {
      config,
      connector,
      admin,
      release: () => {
        releaseFinder();
        dynamodb.destroy();
        streams.destroy();
        s3?.destroy();
      },
    };
  }

  private async startSink(config: SinkConfig, ownedTasks: ReadonlySet<number> | undefined): Promise<RunningConnector> {
    const log = this.log.child(config.name);
    for (const warning of config.warnings) log.warn(warning);
    const kafkaConnection = sinkKafkaConnection(config, log);
    const kafka = createKafka(kafkaConnection, logLevel.ERROR);
    const admin = kafka.admin();
    await admin.connect();
    const dynamodb = createDynamoDbClient({ ...dynamodbConnection(config), observer: this.awsObserver(config.name) });
    const connector = new SinkConnector(config, { kafka, kafkaConnection, admin, dynamodb }, log, ownedTasks);
    const topics = config.topics.regex ? `topics matching /${config.topics.regex}/` : `topic(s) ${config.topics.names!.join(', ')}`;
    log.info(`sink: ${topics} → DynamoDB ${config.aws.endpoint ?? `region ${config.aws.region}`}; ${config.tasksMax} task(s)`);
    await connector.start();
    return { config, connector, admin, release: () => dynamodb.destroy() };
  }

  /** Stops reading, lets every pipeline finish (or abort) its open write, and closes the clients. */
  async stop(): Promise<void> {
    await Promise.all(this.running.splice(0).map(stopRunning));
  }

  /**
   * The id of the Kafka cluster the connectors use (the REST API's `kafka_cluster_id`); the ids joined with ','
   * when they use several clusters; '' while none is known (it is asked again next time).
   */
  async kafkaClusterId(): Promise<string> {
    const clusters = new Map(this.running.map(({ config }) => [config.kafka.bootstrapServers!, config.kafka.properties]));
    const ids = await Promise.all(
      [...clusters].map(async ([bootstrapServers, properties]) => {
        const id = this.clusterIds.get(bootstrapServers) ?? (await fetchClusterId({ bootstrapServers, properties }, CLUSTER_ID_TIMEOUT_MS));
        if (id) this.clusterIds.set(bootstrapServers, id);
        return id;
      }),
    );
    return [...new Set(ids.filter((id) => id !== undefined))].join(',');
  }

  /** A connector's AWS calls, seen by the metrics and the health watch. */
  private awsObserver(connector: string): AwsCallObserver {
    const [metrics, health] = [this.metrics.awsObserver(connector), this.health.watch(connector).aws];
    return {
      started: (operation) => {
        const [first, second] = [metrics.started(operation), health.started(operation)];
        return (call) => (first(call), second(call));
      },
    };
  }

  /** A connector's Kafka transactions, seen by the metrics and the health watch. */
  private transactionObserver(connector: string): TransactionObserver {
    const [metrics, health] = [this.metrics.transactionObserver(connector), this.health.watch(connector).transactions];
    return {
      began: () => {
        const [first, second] = [metrics.began(), health.began()];
        return (...ended) => (first(...ended), second(...ended));
      },
    };
  }

  status(): Array<ConnectorStatus | SinkConnectorStatus> {
    return this.running.map(({ connector }) => connector.status());
  }
}

/**
 * How a source connector finds its tables. TAG discovery asks the Resource Groups Tagging API: at
 * aws.resource.tagging.endpoint when set, at the region's public endpoint when DynamoDB's is too; with only a
 * custom DynamoDB endpoint (DynamoDB Local, moto, a VPC endpoint) it lists that endpoint's tables and their tags.
 */
function tableFinder(
  config: SourceConfig,
  aws: DynamoDbConnection,
  dynamodb: DynamoDBClient,
  log: Logger,
): { finder: TableFinder; release: () => void } {
  const discovery = config.discovery;
  if (discovery.mode === 'INCLUDELIST') return { finder: includeListFinder(discovery.tables), release: () => undefined };
  const useTaggingApi = discovery.taggingEndpoint !== undefined || aws.endpoint === undefined;
  const tagging = useTaggingApi
    ? createTaggingClient({ ...aws, ...(discovery.taggingEndpoint ? { endpoint: discovery.taggingEndpoint } : {}) })
    : undefined;
  if (!tagging) {
    log.info(
      `TAG discovery: no aws.resource.tagging.endpoint with a custom DynamoDB endpoint, so tables are found with ` +
        `ListTables + ListTagsOfResource at ${aws.endpoint}`,
    );
  }
  const finder = new TagTableFinder({
    filters: discovery.filters,
    rediscoveryPeriodMs: discovery.rediscoveryPeriodMs,
    catalog: dynamoDbTableCatalog(dynamodb, tagging),
    log,
  });
  return { finder, release: () => tagging?.destroy() };
}

export function pipelineSettings(config: SourceConfig, table: string): PipelineSettings {
  return {
    connector: config.name,
    syncMode: config.syncMode,
    topic: topicFor(config, table),
    maxBatchSize: config.output.maxBatchSize,
    records: {
      maxMessageBytes: config.topics.maxMessageBytes,
      policy: config.output.oversizedRecords,
      ...(config.output.deadLetterTopic ? { deadLetterTopic: config.output.deadLetterTopic } : {}),
    },
    snapshot: config.snapshot,
    cdc: config.cdc,
  };
}

/** A connector must name its Kafka cluster: no default could be right. */
function withKafka<Config extends { name: string; kafka: { bootstrapServers?: string | undefined } }>(config: Config): Config {
  if (config.kafka.bootstrapServers) return config;
  throw new ConfigError(
    [keyProblem('bootstrap.servers', 'required: the Kafka cluster to use (with no local stack running: `dynamodb-kafka stack up` starts one)')],
    `invalid configuration for connector "${config.name}"`,
  );
}

/**
 * What the REST API asks of a worker besides its connectors: the build, its Kafka cluster, metrics and health.
 * `worker` is undefined while a worker of a cluster is still joining it (its REST API starts first).
 */
export function restInfo(worker: () => Worker | undefined): WorkerInfo {
  return {
    commit: buildCommit(),
    kafkaClusterId: async () => (await worker()?.kafkaClusterId()) ?? '',
    metrics: async () => {
      const running = worker();
      if (!running) throw new RestError(503, 'the worker is still joining its cluster: try again in a moment');
      return running.metrics.exposition();
    },
    ready: () => worker() !== undefined,
    problems: () => worker()?.health.problems() ?? [],
  };
}
