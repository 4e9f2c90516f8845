import { connectorConfig, type WorkerConfig } from '../config/worker.js';
import type { ConnectorControl } from '../rest/connector-control.js';
import type { ClusterWorker } from './cluster-worker.js';
import { readConnectorOffsets, resetConnectorOffsets } from './connector-offsets.js';
import type { Logger } from './logger.js';

/**
 * The REST API's changes for a worker of a cluster: written to the config topic, which every worker follows, so
 * any worker answers any request. Connectors inherit the worker's Kafka keys.
 */
export function clusterControl(cluster: ClusterWorker, worker: WorkerConfig, log: Logger): ConnectorControl {
  const topic = cluster.connectorConfigs;
  /** The configuration the worker starts the connector with (it exists: the routes checked). */
  const startedWith = (name: string) => connectorConfig(worker, topic.connectors.get(name)!.config);
  return {
    configured: () => topic.connectors.list(),
    refusal: (name) => cluster.refusal(name),
    withDefaults: (config) => connectorConfig(worker, config),
    put: (name, config, initial) => topic.putConnector(name, config, initial),
    setTargetState: (name, state) => topic.setTargetState(name, state),
    remove: (name) => topic.deleteConnector(name),
    requestRestart: (name, request) => topic.requestRestart(name, request),
    offsets: (name) => readConnectorOffsets(name, startedWith(name), log.child(name)),
    resetOffsets: (name) => resetConnectorOffsets(name, startedWith(name), log.child(name)),
  };
}
