/**
 * The connectors of a cluster as its config topic records them, in Kafka Connect's distributed-mode layout
 * (so Connect's tools and people who know it read it): key `connector-<name>` with `{"properties": {...}}` (null
 * = deleted), key `target-state-<name>` with `{"state": ...}` (Connect 3.5+ also writes `state.v2`, which carries
 * STOPPED; older readers know only STARTED and PAUSED), key `restart-connector-<name>` with
 * `{"include-tasks": bool, "only-failed": bool}` (a request to restart, acted on by whoever runs it). A compacted topic of such records, read from its start,
 * gives every worker the same connectors.
 */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

const TARGET_STATES: readonly TargetState[] = ['STARTED', 'PAUSED', 'STOPPED'];

export interface ConnectorEntry {
  name: string;
  config: Record<string, string>;
  target: TargetState;
}

export interface ConfigRecord {
  key: string;
  /** null = tombstone. */
  value: string | null;
}

const CONNECTOR_PREFIX = 'connector-';
const TARGET_STATE_PREFIX = 'target-state-';
const RESTART_PREFIX = 'restart-connector-';

/** A request to restart a connector (Kafka Connect's KIP-745), and where it sits in the config topic. */
export interface RestartRequest {
  name: string;
  includeTasks: boolean;
  onlyFailed: boolean;
  /** The record's offset: a request is new to a reader that has not seen this offset. */
  offset: number;
}

export const configRecords = {
  connector: (name: string, config: Record<string, string>): ConfigRecord => ({
    key: `${CONNECTOR_PREFIX}${name}`,
    value: JSON.stringify({ properties: config }),
  }),
  deleted: (name: string): ConfigRecord[] => [
    { key: `${CONNECTOR_PREFIX}${name}`, value: null },
    { key: `${TARGET_STATE_PREFIX}${name}`, value: null },
    { key: `${RESTART_PREFIX}${name}`, value: null },
  ],
  targetState: (name: string, state: TargetState): ConfigRecord => ({
    key: `${TARGET_STATE_PREFIX}${name}`,
    // Readers from before STOPPED existed take `state`; a stopped connector is paused to them.
    value: JSON.stringify({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state }),
  }),
  restart: (name: string, request: { includeTasks: boolean; onlyFailed: boolean }): ConfigRecord => ({
    key: `${RESTART_PREFIX}${name}`,
    value: JSON.stringify({ 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed }),
  }),
};

/** The connectors the records read so far describe. Records of other kinds (tasks, commits) are passed over. */
export class ConnectorConfigs {
  private readonly configs = new Map<string, Record<string, string>>();
  private readonly targets = new Map<string, TargetState>();
  private readonly restarts = new Map<string, RestartRequest>();

  /**
   * Applies a record read at `offset`; answers what is wrong with one that cannot be read (it changes nothing
   * then).
   */
  apply(record: ConfigRecord, offset = -1): string | undefined {
    if (record.key.startsWith(RESTART_PREFIX)) {
      const name = record.key.slice(RESTART_PREFIX.length);
      if (record.value === null) return void this.restarts.delete(name);
      const parsed = parseObject(record.value);
      if (!parsed) return `restart request of connector ${name} is not a JSON object`;
      this.restarts.set(name, { name, includeTasks: parsed['include-tasks'] === true, onlyFailed: parsed['only-failed'] === true, offset });
    } else if (record.key.startsWith(TARGET_STATE_PREFIX)) {
      const name = record.key.slice(TARGET_STATE_PREFIX.length);
      if (record.value === null) return void this.targets.delete(name);
      const state = readTargetState(record.value);
      if (!state) return `target state of connector ${name} is not one of ${TARGET_STATES.join(', ')}: ${record.value}`;
      this.targets.set(name, state);
    } else if (record.key.startsWith(CONNECTOR_PREFIX)) {
      const name = record.key.slice(CONNECTOR_PREFIX.length);
      if (record.value === null) return void this.configs.delete(name);
      const config = readProperties(record.value);
      if (!config) return `configuration of connector ${name} is not {"properties": {...}}`;
      this.configs.set(name, config);
    }
    return undefined;
  }

  get(name: string): ConnectorEntry | undefined {
    const config = this.configs.get(name);
    return config ? { name, config, target: this.targets.get(name) ?? 'STARTED' } : undefined;
  }

  /** Every connector, by name. */
  list(): ConnectorEntry[] {
    return [...this.configs.keys()].sort().map((name) => this.get(name)!);
  }

  /** The latest restart request of each connector that has one. */
  restartRequests(): RestartRequest[] {
    return [...this.restarts.values()];
  }
}

function readProperties(value: string): Record<string, string> | undefined {
  const parsed = parseObject(value);
  const properties = parsed?.properties;
  if (!properties || typeof properties !== 'object' || Array.isArray(properties)) return undefined;
  return Object.fromEntries(Object.entries(properties).map(([key, each]) => [key, String(each)]));
}

function readTargetState(value: string): TargetState | undefined {
  const parsed = parseObject(value);
  const state = parsed?.['state.v2'] ?? parsed?.state;
  return TARGET_STATES.find((known) => known === state);
}

function parseObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
