import type { ConnectorControl } from '../rest/connector-control.js';
import type { ClusterWorker } from './cluster-worker.js';

/**
 * The REST API's changes for a worker of a cluster: written to the config topic, which every worker follows, so
 * any worker answers any request. `defaults` are the worker keys its connectors inherit.
 */
export function clusterControl(cluster: ClusterWorker, defaults: Record<string, string>): ConnectorControl {
  const topic = cluster.connectorConfigs;
  return {
    configured: () => topic.connectors.list(),
    refusal: (name) => cluster.refusal(name),
    defaults,
    put: (name, config, initial) => topic.putConnector(name, config, initial),
    setTargetState: (name, state) => topic.setTargetState(name, state),
    remove: (name) => topic.deleteConnector(name),
    requestRestart: (name, request) => topic.requestRestart(name, request),
  };
}
