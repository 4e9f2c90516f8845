import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { isSecretKey } from './secrets.js';
import { valueInfo, type ConnectType } from './values.js';

/**
 * What a connector's key schema (source-keys.ts, sink-keys.ts) says about each of its keys, in Kafka Connect's
 * terms: derived from the schema itself, so there is one list of keys. The schemas hold no documentation,
 * importance or group: `documentation` is the "expected …" text of the key's error message, when it has one.
 */
export interface KeyDefinition {
  name: string;
  /** PASSWORD for secrets (secrets.ts); else the value schema's type, STRING when it says none. */
  type: ConnectType | 'PASSWORD';
  /** The default as text; null when the key has none or its default depends on other keys (settled in source.ts / sink.ts). */
  defaultValue: string | null;
  documentation: string | null;
  /** The only values accepted, when they are a fixed list (Kafka Connect's recommended values). */
  choices: readonly string[];
}

/** Every key of a connector's key schema, in the schema's order. */
export function keyDefinitions(schema: z.ZodObject): KeyDefinition[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, keySchema]) => {
    const { inner, defaultValue } = unwrap(keySchema);
    const info = valueInfo.get(inner);
    return {
      name,
      type: isSecretKey(name) ? 'PASSWORD' : info?.type ?? 'STRING',
      defaultValue: defaultValue === undefined ? null : defaultText(defaultValue),
      documentation: info?.expected ?? null,
      choices: info?.choices ?? [],
    };
  });
}

/** The value schema inside `.optional()` / `.default()`, and the default's value. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; defaultValue?: unknown } {
  let inner = schema;
  let defaultValue: unknown;
  for (;;) {
    const def = inner.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default') defaultValue = def.defaultValue;
    else if (def.type !== 'optional') return { inner, defaultValue };
    inner = def.innerType!;
  }
}

/**
 * A default as the text a user would write. Defaults are parsed values: lists are joined, and the few parsed
 * objects (a key reference, a timestamp format) carry their text; anything else is written as JSON.
 */
function defaultText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) {
    for (const field of ['text', 'pattern']) {
      const text = (value as Record<string, unknown>)[field];
      if (typeof text === 'string') return text;
    }
  }
  return JSON.stringify(value);
}

/**
 * The keys a connector cannot do without: those its parser names when nothing is set (nothing set, nothing can be
 * wrong, so every problem is a missing key). `parse` is parseSourceConfig or parseSinkConfig.
 */
export function keysRequired(parse: (name: string, raw: Record<string, string>) => unknown): Set<string> {
  try {
    parse('', {});
    return new Set();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return new Set(error.problems.flatMap((problem) => (problem.key === undefined ? [] : [problem.key])));
  }
}
