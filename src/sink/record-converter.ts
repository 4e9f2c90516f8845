// One Kafka record → one DynamoDB write (put, delete) or a deliberate skip. Pure: the caller supplies what it
// knows about existing tables through keySchemaOf.
//
// Value formats (inputFormat):
//   JSON    the value is parsed losslessly (numbers keep their digits) and must be a JSON object, plain or Kafka
//           Connect's {"schema", "payload"}; its members become the item's attributes, the key attributes
//           (aws.dynamodb.pk.hash / .sort) are added to them.
//   STRING  the value, as UTF-8 text, is stored in the S attribute `value`, next to the key attributes.
//   BYTES   the value's bytes are stored in the B attribute `value`, next to the key attributes.
//   AVRO    Confluent's wire format, its schema from the Schema Registry (src/formats/avro/avro-attributes.ts
//           maps each type): a record's fields become the item's attributes, as a JSON object's members do.
//   JSON_SR Confluent's wire format around JSON text: the header's schema id must be a JSON Schema in the Schema
//           Registry (src/formats/json-schema/json-sr-reader.ts), then the text is read as JSON is.
//   PROTOBUF Confluent's wire format, its .proto from the Schema Registry (src/formats/protobuf/protobuf-attributes.ts
//           maps each type): a message's fields become the item's attributes, as AVRO's record's do.
//
// Change envelopes written by this project's source connector (op r/c/u/d, source.tableName, before/after
// documents) are recognised in JSON values: the document is written as it is and its primary key is the one
// named by the record's Kafka key ({"id": …} or {"pk": …, "sk": …}, hash key first), so source → Kafka → sink
// replicates a table, deletes included, without any key settings. So are records of trustpilot's shape
// (output.envelope=trustpilot, or trustpilot's own connector): op, source.table_name and a document in DynamoDB
// JSON with lower-case tags, which is the new image, or for a delete the keys of the item deleted.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isLosslessNumber } from 'lossless-json';
import { DYNAMODB_NUMBER, fromDynamoDbJson, keyOf, looksLikeDynamoDbJson, type Item, type KeySchema, type TagSpelling } from '../domain/attribute-codec.js';
import { EnvelopeError, readEnvelope, type ReadEnvelope } from '../formats/confluent-json.js';
import { readTrustpilotRecord } from '../formats/trustpilot-json.js';
import { isTableName, TABLE_NAME_RULE } from '../domain/table-name.js';
import { at, setOwn } from '../domain/attribute-path.js';
import { ConversionError } from '../domain/conversion-error.js';
import { itemSize, MAX_ITEM_BYTES, valueSize } from './item-size.js';
import {
  anyJsonToAttribute,
  decodeBase64,
  decodeUtf8,
  describeAttribute,
  isConnectJson,
  isPlainObject,
  jsonToAttribute,
  jsonToItem,
  parseLosslessJson,
} from './json-to-attributes.js';
import { AvroReader } from './avro-input.js';
import { decodedKeyObject, readDecodedValue, type AttributeReader } from './decoded-input.js';
import type { ProtobufReader } from '../formats/protobuf/protobuf-reader.js';
import { JsonSchemaReader } from '../formats/json-schema/json-sr-reader.js';
import { keyAttributes, keyAttributeType, type KeyAttributeType, type KeyReference } from './key-mapping.js';
import { positionOf, type SinkRecord } from './sink-record.js';

export { ConversionError } from '../domain/conversion-error.js';

export type InputFormat = 'JSON' | 'STRING' | 'BYTES' | 'AVRO' | 'JSON_SR' | 'PROTOBUF';
export type NullValues = 'delete' | 'ignore' | 'fail';
/** Document format of source envelopes; 'auto' tells DynamoDB JSON by its type tags. */
export type EnvelopeDocumentFormat = 'auto' | 'dynamodb-json' | 'json';

/** An existing table's key: attribute names, and their types when known. */
export type TableKeySchema = KeySchema & { types?: Partial<Record<string, KeyAttributeType>> };
/** The key a write operation uses: names (hash first) and the type of each. */
export type DerivedKeySchema = KeySchema & { types: Record<string, KeyAttributeType> };

export interface ConverterSettings {
  inputFormat: InputFormat;
  hash: KeyReference;
  sort?: KeyReference;
  /** Table name; every `${topic}` is replaced by the record's topic. */
  tableNameFormat: string;
  /** What a tombstone (null value) does: delete the item with the record's key, be skipped, or fail. */
  nullValues: NullValues;
  /** An existing table's key schema (undefined when unknown or absent), to refuse mismatching keys early. */
  keySchemaOf?: (table: string) => TableKeySchema | undefined;
  envelopeDocuments?: EnvelopeDocumentFormat;
  /** How the Kafka key is read (input.key.format); default: as the value. */
  keyFormat?: InputFormat;
  /** Reads AVRO values and keys; the schemas of a batch are loaded (AvroReader.load) before it is converted. */
  avro?: AvroReader;
  /** Checks JSON_SR values' and keys' headers; the schemas of a batch are loaded before it is converted. */
  jsonSr?: JsonSchemaReader;
  /** Reads PROTOBUF values and keys; the schemas of a batch are loaded before it is converted. */
  protobuf?: ProtobufReader;
}

export type WriteOperation =
  | { kind: 'put'; table: string; item: Item; key: Item; keySchema: DerivedKeySchema }
  | { kind: 'delete'; table: string; key: Item; keySchema: DerivedKeySchema }
  | { kind: 'skip'; reason: string };

/** The attribute that holds a STRING or BYTES value. */
export const VALUE_ATTRIBUTE = 'value';
/** DynamoDB's limits on key attribute values, in bytes. */
export const MAX_HASH_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;


/** The write for one record; a ConversionError (naming topic, partition and offset) when there cannot be one. */
export function convertRecord(record: SinkRecord, settings: ConverterSettings): WriteOperation {
  try {
    return convert(record, settings);
  } catch (error) {
    if (error instanceof ConversionError) throw error.at(positionOf(record));
    throw error;
  }
}

/** The table a topic's records go to. */
export function tableNameFor(format: string, topic: string): string {
  const name = format.replaceAll('${topic}', topic);
  if (!isTableName(name)) {
    throw new ConversionError(
      `table name ${JSON.stringify(name)} (table.name.format ${JSON.stringify(format)}) is not a valid DynamoDB table name: ` +
        TABLE_NAME_RULE,
    );
  }
  return name;
}

/** Table names already worked out, per format and topic: every record asks, and there are few topics. */
const tableNames = new Map<string, Map<string, string>>();

function cachedTableName(format: string, topic: string): string {
  let byTopic = tableNames.get(format);
  if (byTopic === undefined) tableNames.set(format, (byTopic = new Map()));
  let name = byTopic.get(topic);
  if (name === undefined) byTopic.set(topic, (name = tableNameFor(format, topic)));
  return name;
}

function convert(record: SinkRecord, settings: ConverterSettings): WriteOperation {
  const table = cachedTableName(settings.tableNameFormat, record.topic);
  if (record.value === null) return tombstone(record, table, settings);

  let value: AttributeValue;
  let attributes: Item;
  switch (settings.inputFormat) {
    case 'JSON':
    case 'JSON_SR': {
      const json = parseLosslessJson(decodeUtf8(jsonBytes(record.value, settings.inputFormat, settings, 'value'), 'value'), 'value');
      const envelope = sourceEnvelope(isConnectJson(json) ? json.payload : json);
      if (envelope !== undefined) return envelopeOperation(envelope, record, table, settings);
      value = anyJsonToAttribute(json, 'value');
      if (value.M === undefined) throw new ConversionError(`value must be a JSON object to become an item, got ${describeAttribute(value)}`);
      attributes = value.M;
      break;
    }
    case 'AVRO':
    case 'PROTOBUF': {
      const decoded = readDecodedValue(attributeReader(settings.inputFormat, settings), record.value);
      const envelope = decoded.json === undefined ? undefined : sourceEnvelope(decoded.json);
      if (envelope !== undefined) return envelopeOperation(envelope, record, table, settings);
      value = decoded.attribute;
      const what = settings.inputFormat === 'AVRO' ? 'an Avro record or map' : 'a Protobuf message';
      if (value.M === undefined) throw new ConversionError(`value must be ${what} to become an item, got ${describeAttribute(value)}`);
      attributes = value.M;
      break;
    }
    case 'STRING':
      value = { S: decodeUtf8(record.value, 'value') };
      attributes = { [VALUE_ATTRIBUTE]: value };
      break;
    case 'BYTES':
      value = { B: bytesOf(record.value) };
      attributes = { [VALUE_ATTRIBUTE]: value };
      break;
  }

  const key = keyAttributes(record, value, recordKey(record.key, settings), settings.hash, settings.sort);
  const item: Item = { ...key };
  for (const name of Object.keys(attributes)) if (!Object.hasOwn(key, name)) setOwn(item, name, attributes[name]!);
  return putOperation(table, item, key, settings);
}

// ---------------------------------------------------------------------------------------------- tombstones

function tombstone(record: SinkRecord, table: string, settings: ConverterSettings): WriteOperation {
  if (settings.nullValues === 'ignore') return { kind: 'skip', reason: 'null value (tombstone) ignored: null values are set to ignore' };
  if (settings.nullValues === 'fail') throw new ConversionError('the record value is null (a tombstone) and null values are set to fail');

  const references = referencesOf(settings);
  // The key object of a source record ({"id": …}), unless the settings name fields of the key themselves.
  if (!references.some((reference) => reference.source === 'key' && reference.path.length > 0)) {
    const object = keyObject(record.key, settings);
    if (object !== undefined) {
      const existing = settings.keySchemaOf?.(table);
      const key = keyFromObject(object, existing);
      if (existing === undefined || sameNames(existing, key)) return deleteOperation(table, key, settings);
    }
  }
  const fromValue = references.find((reference) => reference.source === 'value');
  if (fromValue !== undefined) {
    throw new ConversionError(
      `a tombstone has no value to take the key attribute ${JSON.stringify(fromValue.attribute)} from (${fromValue.text}), ` +
        'and its Kafka key is not a JSON object of the key attributes',
    );
  }
  const key = keyAttributes(record, undefined, recordKey(record.key, settings), settings.hash, settings.sort);
  return deleteOperation(table, key, settings);
}

// ---------------------------------------------------------------------------------------------- source envelopes

/** A change record of either envelope: its op and documents; `tags` says how trustpilot's documents spell types. */
type SourceChange = Pick<ReadEnvelope, 'op' | 'before' | 'after'> & { tags?: TagSpelling };

/** The change, when the value is a change record of the confluent or trustpilot envelope; undefined otherwise. */
function sourceEnvelope(json: unknown): SourceChange | undefined {
  try {
    const envelope = readEnvelope(json);
    if (envelope !== undefined) return envelope;
    const trustpilot = readTrustpilotRecord(json);
    if (trustpilot === undefined) return undefined;
    const { op, document } = trustpilot;
    return op === 'd' ? { op, before: document, after: null, tags: 'lower-case' } : { op, before: null, after: document, tags: 'lower-case' };
  } catch (error) {
    if (error instanceof EnvelopeError) throw new ConversionError(error.message);
    throw error;
  }
}

function envelopeOperation(envelope: SourceChange, record: SinkRecord, table: string, settings: ConverterSettings): WriteOperation {
  const schema = envelopeKeySchema(record, table, settings);
  if (envelope.op === 'd') {
    if (envelope.before !== null) return deleteOperation(table, keyFrom(documentItem(envelope.before, 'before', settings, envelope.tags), schema, 'before'), settings);
    const object = keyObject(record.key, settings);
    if (object === undefined) throw new ConversionError('source delete record has neither a before document nor a JSON key object');
    return deleteOperation(table, keyFrom(keyFromObject(object, settings.keySchemaOf?.(table)), schema, 'key'), settings);
  }
  if (envelope.after === null) throw new ConversionError(`source change record with op "${envelope.op}" has no after document`);
  const item = documentItem(envelope.after, 'after', settings, envelope.tags);
  return putOperation(table, item, keyFrom(item, schema, 'after'), settings);
}

/**
 * The source's key: the names in its Kafka key object, hash key first. Without one, an existing table's key
 * schema will do.
 */
function envelopeKeySchema(record: SinkRecord, table: string, settings: ConverterSettings): KeySchema {
  const object = keyObject(record.key, settings);
  if (object !== undefined) {
    const [hashKey, rangeKey] = Object.keys(object) as [string, string | undefined];
    return rangeKey === undefined ? { hashKey } : { hashKey, rangeKey };
  }
  const existing = settings.keySchemaOf?.(table);
  if (existing !== undefined) return existing.rangeKey === undefined ? { hashKey: existing.hashKey } : { hashKey: existing.hashKey, rangeKey: existing.rangeKey };
  throw new ConversionError(
    `source change record: its Kafka key is not the JSON object of the key attributes ({"id": …}), and table ${table} ` +
      'is not known, so its key cannot be told',
  );
}

function keyFrom(item: Item, schema: KeySchema, what: string): Item {
  try {
    return keyOf(item, schema);
  } catch (error) {
    throw new ConversionError(`source change record: ${what}: ${(error as Error).message}`);
  }
}

/** A document's item; trustpilot's (`tags` lower-case) are always DynamoDB JSON, whatever envelopeDocuments says. */
function documentItem(text: string, what: string, settings: ConverterSettings, tags?: TagSpelling): Item {
  const json = parseLosslessJson(text, `${what} document`);
  if (!isPlainObject(json)) throw new ConversionError(`${what} document must be a JSON object`);
  const format = tags === 'lower-case' ? 'dynamodb-json' : (settings.envelopeDocuments ?? 'auto');
  if (format === 'dynamodb-json' || (format === 'auto' && looksLikeDynamoDbJson(json))) {
    try {
      return fromDynamoDbJson(json, tags);
    } catch (error) {
      throw new ConversionError(`${what} document: ${(error as Error).message}`);
    }
  }
  return jsonToItem(json, what);
}

// ---------------------------------------------------------------------------------------------- Kafka keys

/**
 * The Kafka key as an attribute, for the `key` references: JSON when the input format is JSON (or key fields
 * are referenced) and it parses; else the bytes (BYTES) or the UTF-8 text (JSON, STRING).
 */
function recordKey(bytes: Buffer | null, settings: ConverterSettings): AttributeValue | undefined {
  const references = referencesOf(settings).filter((reference) => reference.source === 'key');
  if (bytes === null || references.length === 0) return undefined;
  const format = settings.keyFormat ?? settings.inputFormat;
  if (format === 'AVRO' || format === 'PROTOBUF') return attributeReader(format, settings).read(bytes, 'key');
  if (format === 'JSON_SR') return anyJsonToAttribute(parseLosslessJson(decodeUtf8(jsonBytes(bytes, format, settings, 'key'), 'key'), 'key'), 'key');
  const fields = references.find((reference) => reference.source === 'key' && reference.path.length > 0);
  if (format === 'JSON' || fields !== undefined) {
    const json = tryParse(bytes);
    if (json !== undefined) return anyJsonToAttribute(json, 'key');
    if (fields !== undefined) throw new ConversionError(`the record key is not JSON, so ${fields.text} cannot be read from it`);
  }
  if (format === 'BYTES') return { B: bytesOf(bytes) };
  return { S: decodeUtf8(bytes, 'key') };
}

/** The key our source writes: a JSON object of one or two key attributes, strings or numbers. */
function keyObject(bytes: Buffer | null, settings: ConverterSettings): Record<string, unknown> | undefined {
  if (bytes === null) return undefined;
  const format = settings.keyFormat ?? settings.inputFormat;
  const decodedKey = format === 'AVRO' || format === 'PROTOBUF' ? decodedKeyObject(attributeReader(format, settings), bytes) : undefined;
  // A JSON_SR key without the header is read as plain JSON, as an AVRO key without one is.
  const jsonKey = format === 'JSON_SR' && JsonSchemaReader.isWireFormat(bytes) ? jsonBytes(bytes, format, settings, 'key') : bytes;
  let json = decodedKey ?? tryParse(jsonKey);
  if (isConnectJson(json)) json = json.payload;
  if (!isPlainObject(json)) return undefined;
  const members = Object.values(json);
  if (members.length < 1 || members.length > 2) return undefined;
  return members.every((member) => typeof member === 'string' || isLosslessNumber(member)) ? json : undefined;
}

/**
 * The key attributes of a key object. Our source writes a binary key attribute as base64 text, trustpilot's shape
 * every key attribute as text: where the table is known to store the attribute as B (or N), the text is read back
 * as its bytes (or number).
 */
function keyFromObject(object: Record<string, unknown>, table: TableKeySchema | undefined): Item {
  const key: Item = {};
  for (const [name, member] of Object.entries(object)) {
    setOwn(key, name, typedKeyAttribute(jsonToAttribute(member, at('key', name)), table?.types?.[name]));
  }
  return key;
}

function typedKeyAttribute(attribute: AttributeValue, stored: KeyAttributeType | undefined): AttributeValue {
  if (attribute.S === undefined || stored === undefined || stored === 'S') return attribute;
  if (stored === 'B') {
    const bytes = decodeBase64(attribute.S);
    return bytes === undefined ? attribute : { B: bytes };
  }
  return isNumberText(attribute.S) ? { N: attribute.S } : attribute;
}

function isNumberText(text: string): boolean {
  const parts = DYNAMODB_NUMBER.exec(text);
  return parts !== null && (parts[2] !== '' || (parts[3] ?? '') !== '');
}

/** The reader of a format that decodes to attributes (AVRO, PROTOBUF). */
function attributeReader(format: 'AVRO' | 'PROTOBUF', settings: ConverterSettings): AttributeReader {
  const reader = format === 'AVRO' ? settings.avro : settings.protobuf;
  if (reader === undefined) throw new Error(`${format} records need a Schema Registry reader (ConverterSettings.${format === 'AVRO' ? 'avro' : 'protobuf'})`);
  return reader;
}

/** The JSON text's bytes: after the header for JSON_SR (ConversionError when it is refused), else all of them. */
function jsonBytes(bytes: Buffer, format: InputFormat, settings: ConverterSettings, what: string): Buffer {
  if (format !== 'JSON_SR') return bytes;
  if (settings.jsonSr === undefined) throw new Error('JSON_SR records need a Schema Registry reader (ConverterSettings.jsonSr)');
  return settings.jsonSr.payload(bytes, what);
}

function tryParse(bytes: Buffer): unknown {
  try {
    return parseLosslessJson(decodeUtf8(bytes, 'key'), 'key');
  } catch (error) {
    if (error instanceof ConversionError) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------- checks

function putOperation(table: string, item: Item, key: Item, settings: ConverterSettings): WriteOperation {
  const keySchema = checkKey(table, key, settings);
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw new ConversionError(`item is ${size} bytes, over DynamoDB's 400 KB limit (${MAX_ITEM_BYTES} bytes)`);
  return { kind: 'put', table, item, key, keySchema };
}

function deleteOperation(table: string, key: Item, settings: ConverterSettings): WriteOperation {
  return { kind: 'delete', table, key, keySchema: checkKey(table, key, settings) };
}

/** The key's schema, after checking what DynamoDB would refuse: types, empty values, sizes, the table's own key. */
function checkKey(table: string, key: Item, settings: ConverterSettings): DerivedKeySchema {
  const names = Object.keys(key);
  const types: Record<string, KeyAttributeType> = {};
  names.forEach((name, i) => {
    const attribute = key[name]!;
    const type = keyAttributeType(name, attribute);
    if ((type === 'S' && attribute.S === '') || (type === 'B' && attribute.B!.byteLength === 0)) {
      throw new ConversionError(`key attribute ${JSON.stringify(name)} is empty; DynamoDB refuses empty ${type === 'S' ? 'strings' : 'binary'} as key values`);
    }
    const limit = i === 0 ? MAX_HASH_KEY_BYTES : MAX_SORT_KEY_BYTES;
    const size = valueSize(attribute);
    if (size > limit) {
      throw new ConversionError(`${i === 0 ? 'hash' : 'sort'} key attribute ${JSON.stringify(name)} is ${size} bytes, over DynamoDB's ${limit}-byte limit`);
    }
    setOwn(types, name, type);
  });
  const [hashKey, rangeKey] = names as [string, string | undefined];
  const derived: DerivedKeySchema = rangeKey === undefined ? { hashKey, types } : { hashKey, rangeKey, types };

  const existing = settings.keySchemaOf?.(table);
  if (existing !== undefined) {
    if (!sameNames(existing, key)) {
      throw new ConversionError(`table ${table} has the key ${describeSchema(existing)}, but the record's key is ${describeSchema(derived)}`);
    }
    for (const name of names) {
      const expected = existing.types?.[name];
      if (expected !== undefined && expected !== types[name]) {
        throw new ConversionError(`key attribute ${JSON.stringify(name)} is of type ${types[name]}, but table ${table} stores it as ${expected}`);
      }
    }
  }
  return derived;
}

function sameNames(schema: KeySchema, key: Item): boolean {
  const [hashKey, rangeKey] = Object.keys(key);
  return schema.hashKey === hashKey && schema.rangeKey === rangeKey;
}

function describeSchema(schema: KeySchema): string {
  return schema.rangeKey === undefined ? `(${schema.hashKey})` : `(${schema.hashKey}, ${schema.rangeKey})`;
}

function referencesOf(settings: ConverterSettings): KeyReference[] {
  return settings.sort === undefined ? [settings.hash] : [settings.hash, settings.sort];
}

function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
