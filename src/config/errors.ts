import { isSecretKey } from './secrets.js';

/** One thing wrong with a configuration, as a complete line a person can act on. */
export interface ConfigProblem {
  /** The configuration key at fault, when there is one. */
  readonly key?: string;
  readonly message: string;
}

/**
 * A configuration that cannot be used. It lists every problem found (one per line), so a person fixes them all in
 * one go instead of one per restart. Messages never contain the value of a secret key.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The key at fault when every problem concerns the same key. */
  readonly key?: string;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem | readonly ConfigProblem[], heading?: string) {
    const list = Array.isArray(problems) ? [...(problems as readonly ConfigProblem[])] : [problems as ConfigProblem];
    if (list.length === 0) throw new TypeError('ConfigError needs at least one problem');
    super(formatProblems(list, heading));
    this.problems = list;
    const keys = new Set(list.map((problem) => problem.key));
    const [onlyKey] = keys;
    if (keys.size === 1 && onlyKey !== undefined) this.key = onlyKey;
  }
}

function formatProblems(problems: readonly ConfigProblem[], heading?: string): string {
  if (problems.length === 1) return heading ? `${heading}: ${problems[0]!.message}` : problems[0]!.message;
  const title = heading ?? `${problems.length} configuration problems`;
  return [`${title}:`, ...problems.map((problem) => `  - ${problem.message}`)].join('\n');
}

/** `key: text` — a problem with a key that is not about one bad value (missing, contradicting another key…). */
export function keyProblem(key: string, text: string): ConfigProblem {
  return { key, message: `${key}: ${text}` };
}

const MAX_ECHOED_LENGTH = 120;

/**
 * `key: expected …, got "value"`. The value is left out for secret keys: a mistyped password is still a password.
 */
export function invalidValue(key: string, expected: string, value: string): ConfigProblem {
  if (isSecretKey(key)) return { key, message: `${key}: ${expected} (value hidden: it is a secret)` };
  const shown = value.length > MAX_ECHOED_LENGTH ? `${value.slice(0, MAX_ECHOED_LENGTH)}…` : value;
  return { key, message: `${key}: ${expected}, got ${JSON.stringify(shown)}` };
}

export function unknownKey(key: string, suggestion?: string): ConfigProblem {
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return { key, message: `unknown key "${key}"${hint}` };
}

/** Throws one ConfigError listing every problem, if there is any. */
export function throwIfProblems(problems: readonly ConfigProblem[], heading?: string): void {
  if (problems.length > 0) throw new ConfigError(problems, heading);
}
