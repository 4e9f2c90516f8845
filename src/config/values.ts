import { z } from 'zod';

/*
 * Zod schemas for configuration values. Every value arrives as text (Kafka Connect configs are string maps); each
 * schema turns it into its type or fails with the "expected …" half of an error message. The key and the bad value
 * are added by the caller, which knows whether the value may be shown.
 */

/** A schema reading one configuration value from text. */
export type ValueSchema<T> = z.ZodType<T, string>;

/** Kafka Connect's ConfigDef types (PASSWORD is decided by the key: secrets.ts). */
export type ConnectType = 'BOOLEAN' | 'INT' | 'LONG' | 'DOUBLE' | 'STRING' | 'LIST';

/** What a value schema tells about itself, for Kafka Connect's config definitions (key-definitions.ts). */
export interface ValueInfo {
  type: ConnectType;
  /** The "expected …" text of its error message. */
  expected?: string;
  /** The only values it accepts, when they are a fixed list. */
  choices?: readonly string[];
}

/** The value schemas built here, with what they accept; a schema not in it is read as a STRING. */
export const valueInfo = z.registry<ValueInfo>();

/** Builds a value schema from a parse function that returns undefined for text it does not accept. */
export function valueFrom<T>(
  expected: string,
  parse: (text: string) => T | undefined,
  info: Omit<ValueInfo, 'expected'> = { type: 'STRING' },
): ValueSchema<T> {
  const schema = z.string().transform((text, ctx) => {
    const value = parse(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return value;
  });
  return schema.register(valueInfo, { ...info, expected });
}

export const text = (): ValueSchema<string> => z.string();

export const boolean = (): ValueSchema<boolean> =>
  valueFrom('expected true or false', (value) => {
    const lower = value.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : undefined;
  }, { type: 'BOOLEAN' });

function rangeText(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** Java's Integer.MAX_VALUE: above it, Kafka Connect's type is LONG. */
const INT_MAX = 2_147_483_647;

export function integer(range: { min?: number; max?: number } = {}): ValueSchema<number> {
  const { min, max } = range;
  return valueFrom(`expected an integer${rangeText(min, max)}`, (value) => {
    if (!/^[+-]?\d+$/.test(value)) return undefined;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) return undefined;
    if ((min !== undefined && number < min) || (max !== undefined && number > max)) return undefined;
    return number;
  }, { type: max !== undefined && max <= INT_MAX ? 'INT' : 'LONG' });
}

export const positiveNumber = (): ValueSchema<number> =>
  valueFrom('expected a number > 0', (value) => {
    if (!/^\+?(\d+\.?\d*|\.\d+)$/.test(value)) return undefined;
    const number = Number(value);
    return Number.isFinite(number) && number > 0 ? number : undefined;
  }, { type: 'DOUBLE' });

/** One of fixed words, matched case-insensitively (Confluent documents upper case, people type either). */
export function oneOf<const Choice extends string>(choices: readonly Choice[]): ValueSchema<Choice> {
  return valueFrom(
    `expected one of ${choices.join(', ')}`,
    (value) => choices.find((choice) => choice.toLowerCase() === value.toLowerCase()),
    { type: 'STRING', choices },
  );
}

/** Words that all mean the same setting, e.g. Kafka Connect's "required" and our "enabled". */
export function synonyms<const Meaning extends string>(expected: string, table: Record<string, Meaning>): ValueSchema<Meaning> {
  return valueFrom(expected, (value) => table[value.toLowerCase()], { type: 'STRING', choices: Object.keys(table) });
}

/** A comma-separated list, entries trimmed, empty entries dropped (so "a, b," is [a, b]). */
export const list = (): ValueSchema<string[]> =>
  z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
    .register(valueInfo, { type: 'LIST' });

export const httpUrl = (): ValueSchema<string> =>
  valueFrom('expected an http:// or https:// URL', (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
    } catch {
      return undefined;
    }
  });

/** Kafka's rule for topic names: at most 249 of [a-zA-Z0-9._-]. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

export const topicName = (): ValueSchema<string> =>
  valueFrom('expected a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)', (value) =>
    TOPIC_NAME_PATTERN.test(value) ? value : undefined,
  );

/** A piece of a topic name (prefix, suffix); may be empty. */
export const topicNamePart = (): ValueSchema<string> =>
  valueFrom('expected only letters, digits, ".", "_" or "-" (the characters Kafka allows in topic names)', (value) =>
    /^[a-zA-Z0-9._-]*$/.test(value) ? value : undefined,
  );

/** `host:port[,host:port…]`, as Kafka clients take it; `[v6]:port` and a `SCHEME://` prefix are allowed. */
export const brokerList = (): ValueSchema<string> =>
  valueFrom('expected host:port[,host:port…]', (value) => {
    const brokers = value.split(',').map((broker) => broker.trim()).filter((broker) => broker !== '');
    const valid = brokers.length > 0 && brokers.every((broker) => /^([A-Za-z_]+:\/\/)?(\[[0-9A-Fa-f:.]+\]|[^:\s/[\]]+):\d{1,5}$/.test(broker));
    return valid ? brokers.join(',') : undefined;
  });
