// DynamoDB AttributeValue ⇄ JSON, lossless.
//
// Numbers are never turned into JS numbers: DynamoDB keeps 38 significant digits, a double keeps ~17. Every
// JSON text that contains a DynamoDB number is therefore written by hand from the stored digits.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { at, pathText, setOwn, type AttributePath } from './attribute-path.js';

export type Item = Record<string, AttributeValue>;

/** One attribute in AWS "DynamoDB JSON" (what the CLI and the Confluent envelope use). Binary is base64. */
export type DynamoDbJsonValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: DynamoDbJsonItem }
  | { L: DynamoDbJsonValue[] }
  | { NULL: true }
  | { BOOL: boolean };

export type DynamoDbJsonItem = { [attributeName: string]: DynamoDbJsonValue };

export interface KeySchema {
  hashKey: string;
  rangeKey?: string;
}

const TYPE_TAGS = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'] as const;
type TypeTag = (typeof TYPE_TAGS)[number];
const isTypeTag = (tag: string): tag is TypeTag => (TYPE_TAGS as readonly string[]).includes(tag);

/**
 * How DynamoDB JSON spells its type tags: AWS's ("S", "NULL"), or lower-case ("s", "null") as Jackson writes the
 * AWS SDK for Java v1's AttributeValue — the document of trustpilot's kafka-connect-dynamodb.
 */
export type TagSpelling = 'aws' | 'lower-case';
const TAG_NAMES: Readonly<Record<TagSpelling, Readonly<Record<TypeTag, string>>>> = {
  aws: { S: 'S', N: 'N', B: 'B', SS: 'SS', NS: 'NS', BS: 'BS', M: 'M', L: 'L', NULL: 'NULL', BOOL: 'BOOL' },
  'lower-case': { S: 's', N: 'n', B: 'b', SS: 'ss', NS: 'ns', BS: 'bs', M: 'm', L: 'l', NULL: 'null', BOOL: 'bool' },
};

/**
 * True when every member of a parsed JSON object is one DynamoDB JSON value ({"S": …}, {"N": …}, …): how a
 * document in DynamoDB JSON is told from plain JSON.
 */
export function looksLikeDynamoDbJson(json: Record<string, unknown>): boolean {
  return Object.values(json).every((member) => {
    if (typeof member !== 'object' || member === null || Array.isArray(member)) return false;
    const tags = Object.keys(member);
    return tags.length === 1 && isTypeTag(tags[0]!);
  });
}

// Every form DynamoDB accepts as number text ("1.50", ".5", "1.", "+3", "-1.5E-130"): sign, integer digits,
// fraction digits, exponent with its letter.
export const DYNAMODB_NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+)?$/;
// The JSON grammar for numbers (RFC 8259); most DynamoDB numbers already match it.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// Standard base64, padding optional (hand-written DynamoDB JSON often omits it).
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

// ---------------------------------------------------------------------------------------------- paths & errors

function fail(path: AttributePath, problem: string): never {
  throw new Error(`Attribute ${pathText(path)}: ${problem}`);
}

/** The single type tag of a value; DynamoDB allows exactly one per attribute. */
function soleTag(value: unknown, path: AttributePath, spelling: TagSpelling = 'aws'): TypeTag {
  const names = TAG_NAMES[spelling];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(path, `expected an object with one type tag (${Object.values(names).join(', ')}), got ${describe(value)}`);
  }
  const tags = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (tags.length !== 1) fail(path, `expected exactly one type tag, got ${tags.length === 0 ? 'none' : tags.join(', ')}`);
  const text = tags[0]!;
  const tag = spelling === 'aws' ? text : text.toUpperCase();
  if (!isTypeTag(tag) || names[tag] !== text) {
    // The SDK reports types it does not know as { $unknown: [name, value] }.
    const unknownName = text === '$unknown' ? (value as { $unknown?: [string, unknown] }).$unknown?.[0] : text;
    fail(path, `unknown type tag ${JSON.stringify(unknownName ?? text)}`);
  }
  return tag;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value;
}

// ---------------------------------------------------------------------------------------------- numbers & bytes

function assertNumberText(text: string, path: AttributePath): RegExpExecArray {
  const parts = DYNAMODB_NUMBER.exec(text);
  if (parts === null || (parts[2] === '' && (parts[3] ?? '') === '')) fail(path, `invalid number text ${JSON.stringify(text)}`);
  return parts;
}

/**
 * The number as a JSON number token with the same digits: only syntax JSON forbids is rewritten ("+1" → "1",
 * "007" → "7", ".5" → "0.5", "1." → "1"); significant digits and exponent are untouched.
 */
function jsonNumberToken(text: string, where: AttributePath): string {
  if (JSON_NUMBER.test(text)) return text;
  const [, sign, integer = '', fraction = '', exponent = ''] = assertNumberText(text, where);
  const integerDigits = integer.replace(/^0+(?=\d)/, '') || '0';
  return `${sign === '-' ? '-' : ''}${integerDigits}${fraction === '' ? '' : `.${fraction}`}${exponent}`;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromBase64(text: unknown, path: AttributePath): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text)) fail(path, `expected base64 text, got ${describe(text)}`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

// ---------------------------------------------------------------------------------------------- AttributeValue → DynamoDB JSON

export function toDynamoDbJson(item: Item): DynamoDbJsonItem {
  return mapToDynamoDbJson(item, '');
}

function mapToDynamoDbJson(map: Record<string, AttributeValue>, path: AttributePath): DynamoDbJsonItem {
  const out: DynamoDbJsonItem = {};
  for (const [name, value] of Object.entries(map)) setOwn(out, name, valueToDynamoDbJson(value, at(path, name)));
  return out;
}

function valueToDynamoDbJson(value: AttributeValue, path: AttributePath): DynamoDbJsonValue {
  const tag = soleTag(value, path);
  const v = value as Record<TypeTag, unknown>;
  switch (tag) {
    case 'S':
      return { S: v.S as string };
    case 'N':
      return { N: v.N as string };
    case 'B':
      return { B: toBase64(v.B as Uint8Array) };
    case 'SS':
      return { SS: [...(v.SS as string[])] };
    case 'NS':
      return { NS: [...(v.NS as string[])] };
    case 'BS':
      return { BS: (v.BS as Uint8Array[]).map(toBase64) };
    case 'M':
      return { M: mapToDynamoDbJson(v.M as Record<string, AttributeValue>, path) };
    case 'L':
      return { L: (v.L as AttributeValue[]).map((element, i) => valueToDynamoDbJson(element, at(path, i))) };
    case 'NULL':
      if (v.NULL !== true) fail(path, 'NULL must be true');
      return { NULL: true };
    case 'BOOL':
      return { BOOL: v.BOOL as boolean };
  }
}

// ---------------------------------------------------------------------------------------------- DynamoDB JSON → AttributeValue

/** Parses DynamoDB JSON (already JSON.parse'd) into an item; throws naming the attribute path on bad input. */
export function fromDynamoDbJson(json: unknown, spelling: TagSpelling = 'aws'): Item {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`DynamoDB JSON item must be an object, got ${describe(json)}`);
  }
  return mapFromDynamoDbJson(json as Record<string, unknown>, '', spelling);
}

function mapFromDynamoDbJson(map: Record<string, unknown>, path: AttributePath, spelling: TagSpelling): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(map)) setOwn(out, name, valueFromDynamoDbJson(value, at(path, name), spelling));
  return out;
}

function valueFromDynamoDbJson(json: unknown, path: AttributePath, spelling: TagSpelling): AttributeValue {
  const tag = soleTag(json, path, spelling);
  const raw = (json as Record<string, unknown>)[TAG_NAMES[spelling][tag]];
  switch (tag) {
    case 'S':
      if (typeof raw !== 'string') fail(path, `S must be a string, got ${describe(raw)}`);
      return { S: raw };
    case 'N':
      return { N: numberText(raw, path) };
    case 'B':
      return { B: fromBase64(raw, path) };
    case 'SS':
      return {
        SS: arrayOf(raw, 'SS', path).map((element, i) => {
          if (typeof element !== 'string') fail(at(path, i), `SS element must be a string, got ${describe(element)}`);
          return element;
        }),
      };
    case 'NS':
      return { NS: arrayOf(raw, 'NS', path).map((element, i) => numberText(element, at(path, i))) };
    case 'BS':
      return { BS: arrayOf(raw, 'BS', path).map((element, i) => fromBase64(element, at(path, i))) };
    case 'M':
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(path, `M must be an object, got ${describe(raw)}`);
      return { M: mapFromDynamoDbJson(raw as Record<string, unknown>, path, spelling) };
    case 'L':
      return { L: arrayOf(raw, 'L', path).map((element, i) => valueFromDynamoDbJson(element, at(path, i), spelling)) };
    case 'NULL':
      if (raw !== true) fail(path, `NULL must be true, got ${describe(raw)}`);
      return { NULL: true };
    case 'BOOL':
      if (typeof raw !== 'boolean') fail(path, `BOOL must be a boolean, got ${describe(raw)}`);
      return { BOOL: raw };
  }
}

function numberText(raw: unknown, path: AttributePath): string {
  // A JSON number here would already have lost digits in JSON.parse, so DynamoDB JSON requires a string.
  if (typeof raw !== 'string') fail(path, `N must be a string of digits, got ${describe(raw)}`);
  assertNumberText(raw, path);
  return raw;
}

function arrayOf(raw: unknown, tag: string, path: AttributePath): unknown[] {
  if (!Array.isArray(raw)) fail(path, `${tag} must be an array, got ${describe(raw)}`);
  return raw;
}

// ---------------------------------------------------------------------------------------------- serializers

const TYPE_TAG_SET: ReadonlySet<string> = new Set(TYPE_TAGS);

/** The value's type tag, checked as soleTag does but without allocating; a bad value gets soleTag's error. */
function tagAt(value: AttributeValue, where: AttributePath): TypeTag {
  let tag: string | undefined;
  let count = 0;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key in value) {
      if ((value as unknown as Record<string, unknown>)[key] !== undefined) {
        tag = key;
        count++;
      }
    }
  }
  if (count === 1 && TYPE_TAG_SET.has(tag!)) return tag as TypeTag;
  return soleTag(value, where);
}

/** JSON text of toDynamoDbJson(item), written directly (no intermediate objects on the hot path). */
export function serializeDynamoDbJson(item: Item, spelling: TagSpelling = 'aws'): string {
  // An item without bytes is, in AWS's spelling, its own DynamoDB JSON: V8's native JSON.stringify writes the
  // same text as the writer below at about half its cost (the snapshot's hot path, issue 18). The check walks
  // the item once without building anything, and sends anything it does not know (bytes, a malformed value) on
  // to the writer, which converts or names the fault.
  if (spelling === 'aws' && isPlainDynamoDbJson(item)) return JSON.stringify(item);
  return writeDynamoDbJsonMap(item, '', TAG_NAMES[spelling]);
}

/** True when every value of the map holds exactly one type tag, of a type JSON.stringify writes as DynamoDB JSON. */
function isPlainDynamoDbJson(map: Record<string, AttributeValue>): boolean {
  for (const name in map) {
    if (!isPlainValue(map[name])) return false;
  }
  return true;
}

function isPlainValue(value: AttributeValue | undefined): boolean {
  if (value === null || typeof value !== 'object') return false;
  let tag: string | undefined;
  for (const key in value) {
    if (tag !== undefined) return false; // a second tag (or an undefined member): the writer decides
    tag = key;
  }
  const v = value as unknown as Record<string, unknown>;
  switch (tag) {
    case 'S':
    case 'N':
      return typeof v[tag] === 'string';
    case 'BOOL':
      return typeof v.BOOL === 'boolean';
    case 'NULL':
      return v.NULL === true;
    case 'SS':
    case 'NS':
      return Array.isArray(v[tag]) && (v[tag] as unknown[]).every((element) => typeof element === 'string');
    case 'M':
      return typeof v.M === 'object' && v.M !== null && !Array.isArray(v.M) && isPlainDynamoDbJson(v.M as Record<string, AttributeValue>);
    case 'L':
      return Array.isArray(v.L) && (v.L as AttributeValue[]).every(isPlainValue);
    default:
      return false; // B, BS (bytes, written as base64) and anything unknown
  }
}

/** A JSON object of the map's attributes, each written by `writeValue` (which is handed `context`). */
function writeMap<Context>(
  map: Record<string, AttributeValue>,
  where: AttributePath,
  writeValue: (value: AttributeValue, where: AttributePath, context: Context) => string,
  context: Context,
): string {
  let text = '{';
  for (const name of Object.keys(map)) {
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(name)}:${writeValue(map[name]!, at(where, name), context)}`;
  }
  return `${text}}`;
}

type TagNames = Readonly<Record<TypeTag, string>>;

function writeDynamoDbJsonMap(map: Record<string, AttributeValue>, where: AttributePath, names: TagNames): string {
  return writeMap(map, where, writeDynamoDbJsonValue, names);
}

function writeDynamoDbJsonValue(value: AttributeValue, where: AttributePath, names: TagNames): string {
  const tag = tagAt(value, where);
  const v = value as Record<TypeTag, unknown>;
  switch (tag) {
    case 'S':
    case 'N':
    case 'SS':
    case 'NS':
      return `{"${names[tag]}":${JSON.stringify(v[tag])}}`;
    case 'B':
      return `{"${names.B}":"${toBase64(v.B as Uint8Array)}"}`;
    case 'BS':
      return `{"${names.BS}":[${(v.BS as Uint8Array[]).map((bytes) => `"${toBase64(bytes)}"`).join(',')}]}`;
    case 'M':
      return `{"${names.M}":${writeDynamoDbJsonMap(v.M as Record<string, AttributeValue>, where, names)}}`;
    case 'L':
      return `{"${names.L}":[${(v.L as AttributeValue[]).map((element, i) => writeDynamoDbJsonValue(element, at(where, i), names)).join(',')}]}`;
    case 'NULL':
      if (v.NULL !== true) fail(where, 'NULL must be true');
      return `{"${names.NULL}":true}`;
    case 'BOOL':
      return `{"${names.BOOL}":${v.BOOL === true}}`;
  }
}

/**
 * "Plain JSON": S → string, N → JSON number with the stored digits, BOOL → boolean, NULL → null, M → object,
 * L and sets → arrays, binary → base64 strings. Lossy about types (a set becomes a list), never about digits.
 */
export function serializePlainJson(item: Item): string {
  return writePlainJsonMap(item, '');
}

function writePlainJsonMap(map: Record<string, AttributeValue>, where: AttributePath): string {
  return writeMap(map, where, writePlainJsonValue, undefined);
}

function writePlainJsonValue(value: AttributeValue, where: AttributePath): string {
  const tag = tagAt(value, where);
  const v = value as Record<TypeTag, unknown>;
  switch (tag) {
    case 'S':
      return JSON.stringify(v.S);
    case 'N':
      return jsonNumberToken(v.N as string, where);
    case 'B':
      return `"${toBase64(v.B as Uint8Array)}"`;
    case 'SS':
      return JSON.stringify(v.SS);
    case 'NS':
      return `[${(v.NS as string[]).map((text, i) => jsonNumberToken(text, at(where, i))).join(',')}]`;
    case 'BS':
      return `[${(v.BS as Uint8Array[]).map((bytes) => `"${toBase64(bytes)}"`).join(',')}]`;
    case 'M':
      return writePlainJsonMap(v.M as Record<string, AttributeValue>, where);
    case 'L':
      return `[${(v.L as AttributeValue[]).map((element, i) => writePlainJsonValue(element, at(where, i))).join(',')}]`;
    case 'NULL':
      if (v.NULL !== true) fail(where, 'NULL must be true');
      return 'null';
    case 'BOOL':
      return String(v.BOOL === true);
  }
}

// ---------------------------------------------------------------------------------------------- keys

/** The item's primary key attributes only, hash key first, then range key. */
export function keyOf(item: Item, keySchema: KeySchema): Item {
  const key: Item = {};
  for (const name of keyAttributeNames(keySchema)) {
    const value = Object.hasOwn(item, name) ? item[name] : undefined;
    if (value === undefined) {
      const role = name === keySchema.hashKey ? 'hash' : 'range';
      throw new Error(
        `Item lacks its ${role} key attribute ${JSON.stringify(name)} (has: ${Object.keys(item).map((n) => JSON.stringify(n)).join(', ') || 'nothing'})`,
      );
    }
    setOwn(key, name, value);
  }
  return key;
}

/**
 * The Kafka record key: a plain JSON object of the key attributes in schema order, e.g. {"id":"a","sk":12}.
 * Built from the schema, not from the item's attribute order, so one item always gets the same bytes (and
 * therefore the same partition) whether it came from a Scan, a NewImage or a stream record's Keys.
 */
export function serializeKey(item: Item, keySchema: KeySchema): string {
  const key = keyOf(item, keySchema);
  for (const name of Object.keys(key)) {
    const where = at('', name);
    const tag = tagAt(key[name]!, where);
    if (tag !== 'S' && tag !== 'N' && tag !== 'B') fail(where, `key attributes must be S, N or B, got ${tag}`);
  }
  return writePlainJsonMap(key, '');
}

function keyAttributeNames(keySchema: KeySchema): string[] {
  return keySchema.rangeKey === undefined ? [keySchema.hashKey] : [keySchema.hashKey, keySchema.rangeKey];
}
