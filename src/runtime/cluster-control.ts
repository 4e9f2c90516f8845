import { connectorConfig, type WorkerConfig } from '../config/worker.js';
import type { ConnectorControl } from '../rest/connector-control.js';
import { RestError } from '../rest/http.js';
import type { ClusterWorker } from './cluster-worker.js';
import { alterConnectorOffsets, readConnectorOffsets, resetConnectorOffsets } from './connector-offsets.js';
import type { Logger } from './logger.js';

/**
 * The REST API's changes for a worker of a cluster: written to the config topic, which every worker follows, so
 * any worker answers any request. Connectors inherit the worker's Kafka keys.
 */
export function clusterControl(current: () => ClusterWorker | undefined, worker: WorkerConfig, log: Logger): ConnectorControl {
  const cluster = () => {
    const joined = current();
    if (!joined) throw new RestError(503, 'the worker is still joining its cluster: try again in a moment');
    return joined;
  };
  const topic = () => cluster().connectorConfigs;
  /** The configuration the worker starts the connector with (it exists: the routes checked). */
  const startedWith = (name: string) => connectorConfig(worker, topic().connectors.get(name)!.config);
  return {
    configured: () => topic().connectors.list(),
    refusal: (name) => cluster().refusal(name),
    clusterStatus: () => cluster().clusterStatus(),
    withDefaults: (config) => connectorConfig(worker, config),
    put: (name, config, initial) => topic().putConnector(name, config, initial),
    setTargetState: (name, state) => topic().setTargetState(name, state),
    remove: (name) => topic().deleteConnector(name),
    requestRestart: (name, request) => topic().requestRestart(name, request),
    offsets: (name) => readConnectorOffsets(name, startedWith(name), log.child(name)),
    resetOffsets: (name) => resetConnectorOffsets(name, startedWith(name), log.child(name)),
    alterOffsets: (name, changes) => alterConnectorOffsets(name, startedWith(name), changes, log.child(name)),
  };
}
