import type { ConnectorEntry, TargetState } from '../domain/connector-configs.js';
import { RestError } from './http.js';

/**
 * What the REST API's write endpoints ask of the process that serves them. A worker of a cluster writes to its
 * config topic (so any worker answers any request); `run`, whose connectors come from files, refuses.
 */
export interface ConnectorControl {
  /** The configured connectors, configs in clear (answers redact them); undefined when they come from files. */
  configured(): ConnectorEntry[] | undefined;
  /** Why a connector that should run does not: its configuration was refused, for this reason. */
  refusal(name: string): string | undefined;
  /** Keys every connector gets unless it sets them: a config is validated as the connector will be given it. */
  readonly defaults: Record<string, string>;
  /** Creates or replaces a connector's configuration; a new one starts in `initial` (STARTED unless told). */
  put(name: string, config: Record<string, string>, initial?: TargetState): Promise<void>;
  setTargetState(name: string, state: TargetState): Promise<void>;
  remove(name: string): Promise<void>;
  /** Asks whoever runs the connector to restart it (and its tasks, which run inside it). */
  requestRestart(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): Promise<void>;
}

/** Why `run` answers 405 to every change. */
export const FILE_CONFIGURED = 'connectors are configured by files (dynamodb-kafka run)';

const refuse = () => Promise.reject(new RestError(405, `connectors cannot be changed here: ${FILE_CONFIGURED}`));

/** `run`'s answer to every change: its connectors are its files. */
export const fileConfiguredConnectors: ConnectorControl = {
  configured: () => undefined,
  refusal: () => undefined,
  defaults: {},
  put: refuse,
  setTargetState: refuse,
  remove: refuse,
  requestRestart: refuse,
};
