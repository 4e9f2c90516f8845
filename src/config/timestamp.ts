/**
 * Reads `cdc.start.position.timestamp` with the java.time DateTimeFormatter pattern of
 * `cdc.start.position.timestamp.format`, so that Confluent's settings keep their meaning. Only the common pattern
 * letters are supported (see `FIELDS`); times without an offset are UTC, which also gives the default pattern's
 * quoted literal 'Z' its intended meaning.
 */

export const DEFAULT_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'";

/** Epoch milliseconds for a text in the pattern, or undefined when the text does not match it. */
export type TimestampParser = (text: string) => number | undefined;

interface Parts {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

interface Field {
  regex: string;
  apply: (parts: Parts, matched: string) => void;
}

const twoDigits = (digits: string): number => Number(digits);

/** The pattern letters understood, by letter, then by how many times the letter is repeated. */
const FIELDS: Record<string, (count: number) => Field | undefined> = {
  y: year,
  u: year,
  M: (count) => numeric(count, (parts, value) => (parts.month = value)),
  d: (count) => numeric(count, (parts, value) => (parts.day = value)),
  H: (count) => numeric(count, (parts, value) => (parts.hour = value)),
  m: (count) => numeric(count, (parts, value) => (parts.minute = value)),
  s: (count) => numeric(count, (parts, value) => (parts.second = value)),
  // Fraction of a second: as many digits as letters; only milliseconds are kept.
  S: (count) =>
    count > 9 ? undefined : { regex: `(\\d{${count}})`, apply: (parts, digits) => (parts.millisecond = Number(digits.padEnd(3, '0').slice(0, 3))) },
  X: (count) => offset(count, true),
  x: (count) => offset(count, false),
  Z: (count) => (count <= 3 ? offset(2, false) : count === 5 ? offset(3, true) : undefined),
};

function year(count: number): Field | undefined {
  // "yy" is the two-digit year of 2000–2099, as in java.time.
  if (count === 2) return { regex: '(\\d{2})', apply: (parts, digits) => (parts.year = 2000 + twoDigits(digits)) };
  if (count === 4) return { regex: '(\\d{4})', apply: (parts, digits) => (parts.year = Number(digits)) };
  return undefined;
}

function numeric(count: number, set: (parts: Parts, value: number) => void): Field | undefined {
  if (count > 2) return undefined;
  return { regex: count === 1 ? '(\\d{1,2})' : '(\\d{2})', apply: (parts, digits) => set(parts, Number(digits)) };
}

/** X/x: 1 = +HH[mm], 2 = +HHmm, 3 = +HH:mm; the upper-case forms also take "Z" for UTC. */
function offset(count: number, allowZ: boolean): Field | undefined {
  const forms = ['[+-]\\d{2}(?:\\d{2})?', '[+-]\\d{4}', '[+-]\\d{2}:\\d{2}'];
  const form = forms[count - 1];
  if (!form) return undefined;
  return {
    regex: allowZ ? `(Z|${form})` : `(${form})`,
    apply: (parts, text) => {
      if (text === 'Z') return;
      const digits = text.slice(1).replace(':', '');
      const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
      parts.offsetMinutes = text.startsWith('-') ? -minutes : minutes;
    },
  };
}

const escapeRegex = (literal: string): string => literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Compiles a DateTimeFormatter pattern, or explains which part of it is not supported. */
export function timestampParser(pattern: string): TimestampParser | { error: string } {
  let regex = '';
  const fields: Field[] = [];
  let hasYear = false;
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (char === "'") {
      // A quoted literal; '' stands for one quote, inside or outside quotes.
      if (pattern[i + 1] === "'") {
        regex += "'";
        i += 2;
        continue;
      }
      let literal = '';
      let j = i + 1;
      for (; j < pattern.length; j++) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j++;
          } else break;
        } else literal += pattern[j];
      }
      if (j >= pattern.length) return { error: 'an opening quote (\') has no closing quote' };
      regex += escapeRegex(literal);
      i = j + 1;
    } else if (/[A-Za-z]/.test(char)) {
      let count = 1;
      while (pattern[i + count] === char) count++;
      const field = FIELDS[char]?.(count);
      if (!field) return { error: `the pattern letters "${char.repeat(count)}" are not supported (supported: yyyy, yy, MM, dd, HH, mm, ss, S…, X, XX, XXX, x…, Z, 'literal')` };
      if (char === 'y' || char === 'u') hasYear = true;
      regex += field.regex;
      fields.push(field);
      i += count;
    } else if ('[]{}#'.includes(char)) {
      return { error: `optional sections and reserved characters ("${char}") are not supported` };
    } else {
      regex += escapeRegex(char);
      i++;
    }
  }
  if (!hasYear) return { error: 'the pattern has no year (yyyy)' };
  const compiled = new RegExp(`^${regex}$`);
  return (text) => {
    const match = compiled.exec(text);
    if (!match) return undefined;
    const parts: Parts = { month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, offsetMinutes: 0 };
    fields.forEach((field, index) => field.apply(parts, match[index + 1]!));
    return toEpochMs(parts);
  };
}

function toEpochMs(parts: Parts): number | undefined {
  const { year = 1970, month, day, hour, minute, second, millisecond, offsetMinutes } = parts;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || Math.abs(offsetMinutes) > 18 * 60) {
    return undefined;
  }
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
  // Date.UTC rolls 31 February over into March: a day the month does not have is an error, as in java.time.
  if (utc.getUTCDate() !== day) return undefined;
  // Years 0–99 are taken by Date.UTC as 1900–1999.
  if (year < 100) utc.setUTCFullYear(year);
  return utc.getTime() - offsetMinutes * 60_000;
}

/** The start timestamp in the pattern, or else all digits as epoch milliseconds. */
export function parseStartTimestamp(text: string, parser: TimestampParser): number | undefined {
  const parsed = parser(text);
  if (parsed !== undefined) return parsed;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
