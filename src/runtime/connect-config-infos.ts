import type { ConfigProblem } from '../config/errors.js';
import type { KeyDefinition } from '../config/key-definitions.js';
import { HIDDEN, isSecretKey } from '../config/secrets.js';

/** Kafka Connect's ConfigKeyInfo: what a key is. */
export interface ConnectConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  /** Our key schemas do not rank keys: always null. */
  importance: string | null;
  documentation: string | null;
  /** Our key schemas have no groups: always null (Kafka Connect's value for a key defined without one). */
  group: string | null;
  width: string;
  display_name: string;
  dependents: string[];
  order: number;
}

/** Kafka Connect's ConfigValueInfo: a key's value in the config validated, and what is wrong with it. */
export interface ConnectConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

/** The body of Kafka Connect's `PUT /connector-plugins/{plugin}/config/validate`. */
export interface ConnectConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: Array<{ definition: ConnectConfigKeyInfo; value: ConnectConfigValueInfo }>;
}

/**
 * Where a problem that names no key is shown: on connector.class, which every validated config carries and where
 * Kafka Connect itself puts what is wrong with the connector as a whole (a class it cannot load).
 */
export const KEYLESS_PROBLEMS_KEY = 'connector.class';

/**
 * A validation's result in Kafka Connect's shape: every defined key (with its value, or its default when unset),
 * then the config's other keys (Kafka client keys, keys accepted without effect, unknown keys), then keys a problem
 * names that the config does not hold; each problem on its key's `errors`. Secrets never appear in clear: their
 * values are "[hidden]", as Kafka Connect shows PASSWORD values, and no error message quotes them. The value of a
 * key that is neither defined nor accepted is not echoed either: it may be a misspelled secret.
 */
export function connectConfigInfos(
  connectorClass: string,
  definitions: readonly KeyDefinition[],
  required: ReadonlySet<string>,
  config: Record<string, string>,
  problems: readonly ConfigProblem[],
): ConnectConfigInfos {
  const hide = secretScrubber(config);
  const errors = new Map<string, string[]>();
  for (const problem of problems) {
    const key = problem.key ?? KEYLESS_PROBLEMS_KEY;
    errors.set(key, [...(errors.get(key) ?? []), hide(problem.message)]);
  }
  const defined = new Set(definitions.map((definition) => definition.name));
  const others = [...new Set([...Object.keys(config), ...errors.keys()])].filter((key) => !defined.has(key));
  const undefinedKey = (name: string): KeyDefinition => ({
    name,
    type: isSecretKey(name) ? 'PASSWORD' : 'STRING',
    defaultValue: null,
    documentation: null,
    choices: [],
  });
  const configs = [...definitions, ...others.map(undefinedKey)].map((definition) => {
    const keyErrors = errors.get(definition.name) ?? [];
    const given = config[definition.name];
    const rejected = !defined.has(definition.name) && keyErrors.length > 0;
    return {
      definition: keyInfo(definition, required.has(definition.name)),
      value: {
        name: definition.name,
        value: rejected ? null : shown(definition, given ?? definition.defaultValue),
        recommended_values: [...definition.choices],
        errors: keyErrors,
        visible: true,
      },
    };
  });
  return {
    name: connectorClass,
    error_count: configs.reduce((count, entry) => count + entry.value.errors.length, 0),
    groups: [],
    configs,
  };
}

function keyInfo(definition: KeyDefinition, required: boolean): ConnectConfigKeyInfo {
  return {
    name: definition.name,
    type: definition.type,
    required,
    default_value: shown(definition, definition.defaultValue),
    importance: null,
    documentation: definition.documentation,
    // Kafka Connect's values for a key defined without group, width, display name, dependents or order.
    group: null,
    width: 'NONE',
    display_name: definition.name,
    dependents: [],
    order: -1,
  };
}

function shown(definition: KeyDefinition, value: string | null): string | null {
  return value !== null && definition.type === 'PASSWORD' ? HIDDEN : value;
}

/**
 * Replaces the config's secret values wherever a message might quote them. Messages already leave secrets out
 * (errors.ts); this makes sure of it for the one place that sends them to whoever asks.
 */
function secretScrubber(config: Record<string, string>): (message: string) => string {
  const secrets = Object.entries(config)
    .filter(([key, value]) => isSecretKey(key) && value.trim() !== '')
    .map(([, value]) => value.trim())
    .sort((a, b) => b.length - a.length);
  return (message) => secrets.reduce((text, secret) => text.split(secret).join(HIDDEN), message);
}
