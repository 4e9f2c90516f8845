import { z } from 'zod';
import { keyProblem, throwIfProblems, type ConfigProblem } from './errors.js';
import { kafkaClientProperties } from './kafka-properties.js';
import { isSinkConnectorClass } from './sink.js';
import { listenAddress, parseRestSecurity, restSecurityKeysSchema, type RestSecurity } from './rest-security.js';
import { parseKnownKeys, sortKeys, type KeyCatalog } from './source.js';
import { replicationFactor } from './source-keys.js';
import { brokerList, integer, list, text, topicName } from './values.js';

/**
 * A worker of a cluster, configured with Kafka Connect's distributed worker keys where they apply
 * (connect-distributed.properties): its Kafka cluster, its group, and the topics that hold the cluster's state.
 */
export interface WorkerConfig {
  bootstrapServers: string;
  groupId: string;
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
  /** The topic whose partitions the group shares out: a worker runs the tasks of the partitions it owns. */
  workTopic: string;
  workPartitions: number;
  /** How long the group waits for a silent worker before its tasks move (session.timeout.ms). */
  sessionTimeoutMs: number;
  /** Replication factor of the topics the worker creates; -1 = the broker's default. */
  replicationFactor: number;
  /** Where the REST API listens, as `http://host:port` or `https://host:port` URLs. */
  listeners: string[];
  /** Basic auth and TLS of the REST API. */
  restSecurity: RestSecurity;
  /** Kafka client settings (security.protocol, sasl.*, ssl.*) for the worker, and the default of its connectors. */
  kafkaProperties: Record<string, string>;
  /** The keys the worker passes to each connector that does not set them itself. */
  connectorDefaults: Record<string, string>;
  warnings: string[];
}

/**
 * The work topic's partitions by default. Tasks hash to partitions and the group shares the partitions out, so
 * there must be many more partitions than workers for the share to be even; 60 divides evenly among 1 to 6, 10,
 * 12, 15, 20 or 30 workers, and costs the broker next to nothing (the topic holds no records).
 */
export const DEFAULT_WORK_PARTITIONS = 60;

const workerKeysSchema = z.object({
  'bootstrap.servers': brokerList().optional(),
  'group.id': text().optional(),
  'config.storage.topic': topicName().optional(),
  'offset.storage.topic': topicName().optional(),
  'status.storage.topic': topicName().optional(),
  'config.storage.replication.factor': replicationFactor.optional(),
  'offset.storage.replication.factor': replicationFactor.optional(),
  'status.storage.replication.factor': replicationFactor.optional(),
  'work.storage.topic': topicName().optional(),
  'work.storage.partitions': integer({ min: 1, max: 10_000 }).default(DEFAULT_WORK_PARTITIONS),
  // Kafka Connect's default: a dead worker's tasks move after 10 s without a heartbeat.
  'session.timeout.ms': integer({ min: 1_000, max: 3_600_000 }).default(10_000),
  listeners: list().default(['http://127.0.0.1:8083']),
  ...restSecurityKeysSchema.shape,
});

/** Connect worker keys a copied file carries that mean nothing here: accepted, with the reason. */
const IGNORED_WORKER_KEYS: Record<string, string> = {
  'key.converter': 'records are written in the connector’s own output.data.format',
  'value.converter': 'records are written in the connector’s own output.data.format',
  'key.converter.schemas.enable': 'records are written in the connector’s own output.data.format',
  'value.converter.schemas.enable': 'records are written in the connector’s own output.data.format',
  'plugin.path': 'the connectors are built in',
  'offset.flush.interval.ms': 'offsets are committed with every transaction',
  'offset.storage.partitions': 'the offsets topic is created with 5 partitions',
  'status.storage.partitions': 'the status topic is created with 5 partitions',
  'exactly.once.source.support': 'source connectors are exactly-once unless a connector sets exactly.once.support=disabled',
};

const WORKER_KEY_CATALOG: KeyCatalog = {
  known: new Set(Object.keys(workerKeysSchema.shape)),
  suggestible: [...Object.keys(workerKeysSchema.shape), ...Object.keys(IGNORED_WORKER_KEYS)],
  ignoredReason: (key) => IGNORED_WORKER_KEYS[key],
};

/** Reads a worker's properties; throws one ConfigError naming every problem (secrets are never quoted). */
export function parseWorkerConfig(raw: Record<string, string>): WorkerConfig {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const { known, clientKeys } = sortKeys(raw, WORKER_KEY_CATALOG, problems, warnings);
  const { keys } = parseKnownKeys(workerKeysSchema, known, problems);
  for (const key of ['bootstrap.servers', 'group.id', 'config.storage.topic', 'offset.storage.topic', 'status.storage.topic'] as const) {
    if (keys[key] === undefined && !problems.some((problem) => problem.key === key)) problems.push(keyProblem(key, 'required for a worker of a cluster'));
  }
  for (const listener of keys.listeners) {
    if (!listenAddress(listener)) problems.push(keyProblem('listeners', `expected http://host:port or https://host:port, got "${listener}"`));
  }
  const restSecurity = parseRestSecurity(keys, keys.listeners, problems);
  const kafka = kafkaClientProperties(clientKeys, {});
  problems.push(...kafka.problems);
  warnings.push(...kafka.warnings);
  throwIfProblems(problems, 'invalid worker configuration');
  return {
    bootstrapServers: keys['bootstrap.servers']!,
    groupId: keys['group.id']!,
    configTopic: keys['config.storage.topic']!,
    offsetTopic: keys['offset.storage.topic']!,
    statusTopic: keys['status.storage.topic']!,
    workTopic: keys['work.storage.topic'] ?? `${keys['group.id']!}-work`,
    workPartitions: keys['work.storage.partitions'],
    sessionTimeoutMs: keys['session.timeout.ms'],
    replicationFactor: keys['config.storage.replication.factor'] ?? -1,
    listeners: keys.listeners,
    restSecurity,
    kafkaProperties: kafka.properties,
    connectorDefaults: { 'bootstrap.servers': keys['bootstrap.servers']!, 'offset.storage.topic': keys['offset.storage.topic']!, ...clientKeys },
    warnings,
  };
}

/**
 * The configuration a connector of the cluster runs with: its own keys over the worker's defaults. A sink keeps
 * its offsets in its consumer group, so it is not given the worker's offsets topic (its parser refuses the key).
 */
export function connectorConfig(worker: Pick<WorkerConfig, 'connectorDefaults'>, config: Record<string, string>): Record<string, string> {
  const { 'offset.storage.topic': offsetsTopic, ...defaults } = worker.connectorDefaults;
  const sink = isSinkConnectorClass(config['connector.class'] ?? '');
  return { ...defaults, ...(sink || offsetsTopic === undefined ? {} : { 'offset.storage.topic': offsetsTopic }), ...config };
}
