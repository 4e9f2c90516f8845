// JSON text → JS values with every number as a LosslessNumber and duplicate member names refused: exactly what
// lossless-json's parse returns. lossless-json builds each string a character at a time, which made it the sink's
// largest source of garbage; most record values hold no number a double could change and no duplicate name, and
// for those the engine's own JSON.parse gives the same tree at a fraction of the cost. Anything else, including
// every text that is not valid JSON (for lossless-json's error message), goes through lossless-json.
import { LosslessNumber, parse } from 'lossless-json';
import { setOwn } from '../domain/attribute-path.js';

// A number token that could lose digits or change its text in a double: a fraction or exponent (a digit followed by
// ".", "e" or "E"), 16 or more digits, or a negative zero. Matches inside strings too, which only costs speed.
const NUMBER_NOT_SAFE_AS_DOUBLE = /\d[.eE]|\d{16}|-0(?!\d)/;

export function parseJsonLosslessly(text: string): unknown {
  if (!NUMBER_NOT_SAFE_AS_DOUBLE.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return parse(text);
    }
    const counted = { members: 0 };
    const converted = withLosslessNumbers(value, counted);
    // JSON.parse keeps the last of duplicate names silently. Every member name is a string followed by ":", so
    // fewer members than such tokens means a duplicate (or a `":` inside a string): lossless-json decides.
    if (counted.members === memberNameTokens(text)) return converted;
  }
  return parse(text);
}

/** The tree with its numbers (safe integers here) as LosslessNumbers, counting object members on the way. */
function withLosslessNumbers(value: unknown, counted: { members: number }): unknown {
  if (typeof value === 'number') return new LosslessNumber(String(value));
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withLosslessNumbers(value[i], counted);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const name of Object.keys(object)) {
    counted.members++;
    const member = object[name];
    if (member !== null && (typeof member === 'number' || typeof member === 'object')) setOwn(object, name, withLosslessNumbers(member, counted));
  }
  return object;
}

/** Occurrences of `"` followed by optional JSON whitespace and `:`. */
function memberNameTokens(text: string): number {
  let count = 0;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let before = colon - 1;
    while (before >= 0 && isJsonWhitespace(text.charCodeAt(before))) before--;
    if (text.charCodeAt(before) === 0x22) count++;
  }
  return count;
}

const isJsonWhitespace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
