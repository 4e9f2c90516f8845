// JSON → DynamoDB AttributeValue, lossless: numbers keep their exact source text (parsed with lossless-json, never
// through a double). Plain JSON maps one to one (string → S, number → N, boolean → BOOL, null → NULL,
// object → M, array → L; never a set). Kafka Connect's JSON with schemas ({"schema": …, "payload": …}) is
// converted by its schema, which tells bytes (base64 text → B) and decimals apart from strings.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isLosslessNumber } from 'lossless-json';
import { BASE64, type Item } from '../domain/attribute-codec.js';
import { at, pathText, setOwn, type AttributePath } from '../domain/attribute-path.js';
import { ConversionError } from '../domain/conversion-error.js';
import { parseJsonLosslessly } from './lossless-parse.js';
import { checkDynamoDbNumber, decimalText } from '../domain/number-text.js';

// Standard base64 (what Kafka Connect's JsonConverter writes), padding optional.
const INTEGER = /^-?\d+$/;
const DECIMAL_LOGICAL_TYPE = 'org.apache.kafka.connect.data.Decimal';

// ---------------------------------------------------------------------------------------------- parsing

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of record bytes; ConversionError when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ConversionError(`${what} is not valid UTF-8 text`);
  }
}

/** JSON text → JS values, every number kept as a LosslessNumber (its exact text). Duplicate keys are refused. */
export function parseLosslessJson(text: string, what: string): unknown {
  try {
    return parseJsonLosslessly(text);
  } catch (error) {
    throw new ConversionError(`${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------- plain JSON

/**
 * One parsed JSON value as an attribute. Accepts what parseLosslessJson returns; plain JS numbers and bigints
 * (from JSON.parse or code) are accepted too, as their shortest text.
 */
export function jsonToAttribute(json: unknown, path: AttributePath = 'value'): AttributeValue {
  if (json === null) return { NULL: true };
  if (typeof json === 'string') return { S: json };
  if (typeof json === 'boolean') return { BOOL: json };
  if (isLosslessNumber(json)) return { N: checkDynamoDbNumber(json.value, path) };
  if (typeof json === 'bigint') return { N: checkDynamoDbNumber(json.toString(), path) };
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new ConversionError(`${pathText(path)}: ${json} is not a number DynamoDB can store`);
    return { N: checkDynamoDbNumber(String(json), path) };
  }
  if (Array.isArray(json)) return { L: json.map((element, i) => jsonToAttribute(element, at(path, i))) };
  if (typeof json === 'object') {
    const map: Item = {};
    const object = json as Record<string, unknown>;
    for (const name of Object.keys(object)) setOwn(map, name, jsonToAttribute(object[name], at(path, name)));
    return { M: map };
  }
  throw new ConversionError(`${pathText(path)}: ${typeof json} is not a JSON value`);
}

/** A top-level JSON object as an item; anything else is a ConversionError. */
export function jsonToItem(json: unknown, what = 'value'): Item {
  const attribute = isConnectJson(json) ? connectToAttribute(json.schema, json.payload, what) : jsonToAttribute(json, what);
  if (attribute.M === undefined) throw new ConversionError(`${what} must be a JSON object to become an item, got ${describeAttribute(attribute)}`);
  return attribute.M;
}

/** Plain or Kafka Connect JSON (unwrapped by its schema) as one attribute. */
export function anyJsonToAttribute(json: unknown, path: AttributePath = 'value'): AttributeValue {
  return isConnectJson(json) ? connectToAttribute(json.schema, json.payload, path) : jsonToAttribute(json, path);
}

// ---------------------------------------------------------------------------------------------- Kafka Connect JSON

export interface ConnectJson {
  schema: ConnectSchema | null;
  payload: unknown;
}

/** The parts of a Kafka Connect schema (as JsonConverter writes it) that conversion uses. */
export interface ConnectSchema {
  type: string;
  optional?: boolean;
  name?: string;
  parameters?: Record<string, unknown>;
  default?: unknown;
  fields?: Array<ConnectSchema & { field: string }>;
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

/** JsonConverter's envelope (schemas.enable=true): exactly the members "schema" and "payload". */
export function isConnectJson(json: unknown): json is ConnectJson {
  if (!isPlainObject(json)) return false;
  const names = Object.keys(json);
  if (names.length !== 2 || !('schema' in json) || !('payload' in json)) return false;
  const schema = (json as { schema: unknown }).schema;
  return schema === null || (isPlainObject(schema) && typeof schema.type === 'string');
}

/** A payload converted by its Connect schema; a null schema means schemaless (plain JSON). */
export function connectToAttribute(schema: ConnectSchema | null, payload: unknown, path: AttributePath = 'value'): AttributeValue {
  if (schema === null) return jsonToAttribute(payload, path);
  if (!isPlainObject(schema) || typeof schema.type !== 'string') throw new ConversionError(`${pathText(path)}: Connect schema has no type`);
  if (payload === null || payload === undefined) {
    if (schema.default !== undefined && schema.default !== null) return connectToAttribute(schema, schema.default, path);
    return { NULL: true };
  }
  const mismatch = (expected: string) =>
    new ConversionError(`${pathText(path)}: Connect schema type ${schema.type} expects ${expected}, got ${describeJson(payload)}`);

  if (schema.name === DECIMAL_LOGICAL_TYPE) return { N: checkDynamoDbNumber(connectDecimalText(schema, payload, path), path) };
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const text = numberTextOf(payload);
      if (text === undefined || !INTEGER.test(text)) throw mismatch('an integer');
      return { N: checkDynamoDbNumber(text, path) };
    }
    case 'float32':
    case 'float64': {
      const text = numberTextOf(payload);
      if (text === undefined) throw mismatch('a number');
      return { N: checkDynamoDbNumber(text, path) };
    }
    case 'boolean':
      if (typeof payload !== 'boolean') throw mismatch('a boolean');
      return { BOOL: payload };
    case 'string':
      if (typeof payload !== 'string') throw mismatch('a string');
      return { S: payload };
    case 'bytes':
      return { B: base64Bytes(payload, path) };
    case 'array': {
      if (!Array.isArray(payload)) throw mismatch('an array');
      const items = schema.items ?? null;
      return { L: payload.map((element, i) => connectToAttribute(items, element, at(path, i))) };
    }
    case 'map':
      return { M: connectMap(schema, payload, path, mismatch) };
    case 'struct': {
      if (!isPlainObject(payload)) throw mismatch('an object');
      const map: Item = {};
      const fields = schema.fields ?? [];
      for (const field of fields) {
        const value = Object.hasOwn(payload, field.field) ? payload[field.field] : undefined;
        setOwn(map, field.field, connectToAttribute(field, value, at(path, field.field)));
      }
      // Members the schema does not declare are kept, as plain JSON, rather than dropped without a word.
      for (const [name, value] of Object.entries(payload)) {
        if (!fields.some((field) => field.field === name)) setOwn(map, name, jsonToAttribute(value, at(path, name)));
      }
      return { M: map };
    }
    default:
      throw new ConversionError(`${pathText(path)}: unknown Connect schema type ${JSON.stringify(schema.type)}`);
  }
}

/** JsonConverter writes a map with string keys as an object, any other map as an array of [key, value] pairs. */
function connectMap(schema: ConnectSchema, payload: unknown, path: AttributePath, mismatch: (expected: string) => ConversionError): Item {
  const values = schema.values ?? null;
  const map: Item = {};
  if (isPlainObject(payload)) {
    for (const [name, value] of Object.entries(payload)) setOwn(map, name, connectToAttribute(values, value, at(path, name)));
    return map;
  }
  if (!Array.isArray(payload)) throw mismatch('an object or an array of [key, value] pairs');
  payload.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new ConversionError(`${pathText(at(path, i))}: map entry must be a [key, value] pair`);
    const [key, value] = pair as [unknown, unknown];
    const name = typeof key === 'string' ? key : numberTextOf(key);
    if (name === undefined) throw new ConversionError(`${pathText(at(path, i))}: map key must be a string or a number to become an attribute name`);
    setOwn(map, name, connectToAttribute(values, value, at(path, name)));
  });
  return map;
}

/** Connect's Decimal: base64 of the unscaled value (big-endian two's complement), or a number (decimal.format=NUMERIC). */
function connectDecimalText(schema: ConnectSchema, payload: unknown, path: AttributePath): string {
  const asNumber = numberTextOf(payload);
  if (asNumber !== undefined) return asNumber;
  const scaleText = schema.parameters?.scale;
  const scale = typeof scaleText === 'string' || typeof scaleText === 'number' ? Number(scaleText) : 0;
  if (!Number.isInteger(scale)) throw new ConversionError(`${pathText(path)}: Decimal has an invalid scale ${JSON.stringify(scaleText)}`);
  const bytes = base64Bytes(payload, path);
  if (bytes.length === 0) throw new ConversionError(`${pathText(path)}: Decimal has no bytes`);
  return decimalText(bytes, scale);
}

/** The bytes of standard base64 text; undefined when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
}

function base64Bytes(payload: unknown, path: AttributePath): Uint8Array {
  if (typeof payload !== 'string' || !BASE64.test(payload)) {
    throw new ConversionError(`${pathText(path)}: Connect schema type bytes expects base64 text, got ${describeJson(payload)}`);
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

// ---------------------------------------------------------------------------------------------- helpers

function numberTextOf(json: unknown): string | undefined {
  if (isLosslessNumber(json)) return json.value;
  if (typeof json === 'bigint') return json.toString();
  if (typeof json === 'number' && Number.isFinite(json)) return String(json);
  return undefined;
}

export function isPlainObject(json: unknown): json is Record<string, unknown> {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && !isLosslessNumber(json);
}

export function describeAttribute(attribute: AttributeValue): string {
  const tag = Object.keys(attribute).find((name) => (attribute as unknown as Record<string, unknown>)[name] !== undefined) ?? 'nothing';
  const words: Record<string, string> = { S: 'a string', N: 'a number', B: 'binary', BOOL: 'a boolean', NULL: 'null', M: 'a map', L: 'a list' };
  return words[tag] ?? `a ${tag}`;
}

function describeJson(json: unknown): string {
  if (json === null || json === undefined) return 'null';
  if (isLosslessNumber(json) || typeof json === 'number' || typeof json === 'bigint') return 'a number';
  if (Array.isArray(json)) return 'an array';
  if (typeof json === 'object') return 'an object';
  return typeof json === 'string' ? 'a string' : `a ${typeof json}`;
}
