import type { ConnectorEntry, TargetState } from '../domain/connector-configs.js';
import type { ClusterConnectorStatus } from '../runtime/cluster-status.js';
import type { ConnectOffsets, OffsetChanges } from '../runtime/connector-offsets.js';
import { RestError } from './http.js';

/**
 * What the REST API's write endpoints ask of the process that serves them. A worker of a cluster writes to its
 * config topic (so any worker answers any request); `run`, whose connectors come from files, refuses.
 */
export interface ConnectorControl {
  /** The configured connectors, configs in clear (answers redact them); undefined when they come from files. */
  configured(): ConnectorEntry[] | undefined;
  /** A cluster's status of every connector, from its status topic (where each task runs); undefined alone. */
  clusterStatus?(): Promise<ClusterConnectorStatus[]>;
  /** Why a connector that should run does not: its configuration was refused, for this reason. */
  refusal(name: string): string | undefined;
  /** A config as the connector will run with it (the worker's keys it inherits added): what is validated. */
  withDefaults(config: Record<string, string>): Record<string, string>;
  /** Creates or replaces a connector's configuration; a new one starts in `initial` (STARTED unless told). */
  put(name: string, config: Record<string, string>, initial?: TargetState): Promise<void>;
  setTargetState(name: string, state: TargetState): Promise<void>;
  remove(name: string): Promise<void>;
  /** Asks whoever runs the connector to restart it (and its tasks, which run inside it). */
  requestRestart(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): Promise<void>;
  /** The connector's offsets (KIP-875), read where they are kept. */
  offsets(name: string): Promise<ConnectOffsets>;
  /** Forgets the connector's offsets; the caller has checked that it is stopped. */
  resetOffsets(name: string): Promise<void>;
  /** Writes the given offsets (checked against the connector's shapes); the caller has checked that it is stopped. */
  alterOffsets(name: string, changes: OffsetChanges): Promise<void>;
}

/** Why `run` answers 405 to every change. */
export const FILE_CONFIGURED = 'connectors are configured by files (dynamodb-kafka run)';

const refuse = () => Promise.reject(new RestError(405, `connectors cannot be changed here: ${FILE_CONFIGURED}`));

/** `run`'s answer to every change: its connectors are its files. */
export const fileConfiguredConnectors: ConnectorControl = {
  configured: () => undefined,
  refusal: () => undefined,
  withDefaults: (config) => config,
  put: refuse,
  setTargetState: refuse,
  remove: refuse,
  requestRestart: refuse,
  offsets: refuse,
  resetOffsets: refuse,
  alterOffsets: refuse,
};
