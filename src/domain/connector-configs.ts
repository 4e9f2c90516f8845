/**
 * The connectors of a cluster as its config topic records them, in Kafka Connect's distributed-mode layout
 * (so Connect's tools and people who know it read it): key `connector-<name>` with `{"properties": {...}}` (null
 * = deleted), key `target-state-<name>` with `{"state": ...}` (Connect 3.5+ also writes `state.v2`, which carries
 * STOPPED; older readers know only STARTED and PAUSED). A compacted topic of such records, read from its start,
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

export const configRecords = {
  connector: (name: string, config: Record<string, string>): ConfigRecord => ({
    key: `${CONNECTOR_PREFIX}${name}`,
    value: JSON.stringify({ properties: config }),
  }),
  deleted: (name: string): ConfigRecord[] => [
    { key: `${CONNECTOR_PREFIX}${name}`, value: null },
    { key: `${TARGET_STATE_PREFIX}${name}`, value: null },
  ],
  targetState: (name: string, state: TargetState): ConfigRecord => ({
    key: `${TARGET_STATE_PREFIX}${name}`,
    // Readers from before STOPPED existed take `state`; a stopped connector is paused to them.
    value: JSON.stringify({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state }),
  }),
};

/** The connectors the records read so far describe. Records of other kinds (tasks, commits) are passed over. */
export class ConnectorConfigs {
  private readonly configs = new Map<string, Record<string, string>>();
  private readonly targets = new Map<string, TargetState>();

  /** Applies a record; answers what is wrong with one that cannot be read (it changes nothing then). */
  apply(record: ConfigRecord): string | undefined {
    if (record.key.startsWith(TARGET_STATE_PREFIX)) {
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
