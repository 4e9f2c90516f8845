// Protobuf messages (decoded by protobufjs) → DynamoDB attributes, losslessly. Each message type is compiled once
// into a converter per field, so a record costs one walk of its message.
//
//   string, enum (its value's name; an unknown number as its digits) → S     bool → BOOL      bytes → B
//   int32, uint32, sint32, fixed32, sfixed32, int64, uint64, sint64, fixed64, sfixed64 → N, every digit
//   float, double → N (a float as its shortest exact text)                   message → M      map → M
//   repeated → L          a field that is not set (message, `optional`, oneof member) → left out of the item
//   repeated map-entry messages (a map as a descriptor spells it) → M, as map<K, V>
//   google.protobuf.*Value (wrappers) → the wrapped value                    confluent.type.Decimal → N, every digit
//   google.protobuf.Timestamp → N: milliseconds since the epoch, the sub-millisecond part as decimal fraction
//     digits (Connect's Timestamp, as the AVRO sink reads it, is milliseconds too)
//   google.protobuf.Struct, Value, ListValue (JSON in protobuf) → M, its kind's attribute (null → NULL), L
//   other messages (google.type.Date, Duration, Any, …) → M of their fields
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import protobuf from 'protobufjs';
import type { Item } from '../../domain/attribute-codec.js';
import { at, setOwn, type AttributePath } from '../../domain/attribute-path.js';
import { checkDynamoDbNumber, decimalText, doubleText, floatText } from '../../domain/number-text.js';

export type ProtoToAttribute = (value: unknown, path: AttributePath) => AttributeValue;

const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((name) => `.google.protobuf.${name}Value`));
const TIMESTAMP = '.google.protobuf.Timestamp';
const CONFLUENT_DECIMAL = '.confluent.type.Decimal';
const STRUCT = '.google.protobuf.Struct';
const VALUE = '.google.protobuf.Value';
const LIST_VALUE = '.google.protobuf.ListValue';
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** The converter of a message type's values, into M (or, for well-known types, what they stand for). */
export function compileMessage(type: protobuf.Type, compiled = new Map<protobuf.Type, ProtoToAttribute>()): ProtoToAttribute {
  const known = compiled.get(type);
  if (known !== undefined) return known;
  const special = wellKnown(type, compiled);
  if (special !== undefined) {
    compiled.set(type, special);
    return special;
  }
  const fields: Array<{ name: string; presence: boolean; convert: ProtoToAttribute }> = [];
  const convert: ProtoToAttribute = (value, path) => {
    const message = value as Record<string, unknown>;
    const map: Item = {};
    for (const field of fields) {
      if (field.presence ? !Object.hasOwn(message, field.name) || message[field.name] == null : false) continue;
      setOwn(map, field.name, field.convert(message[field.name], at(path, field.name)));
    }
    return { M: map };
  };
  compiled.set(type, convert); // before its fields: a recursive message refers to itself
  for (const field of type.fieldsArray) {
    const presence = !field.repeated && !field.map && (field.partOf !== null || field.resolvedType instanceof protobuf.Type || field.options?.proto3_optional === true);
    fields.push({ name: field.name, presence, convert: compileField(field, compiled) });
  }
  return convert;
}

function compileField(field: protobuf.Field, compiled: Map<protobuf.Type, ProtoToAttribute>): ProtoToAttribute {
  field.resolve();
  const single = compileSingle(field.type, field.resolvedType, compiled);
  if (field instanceof protobuf.MapField) {
    const keyText = mapKeyText(field.keyType);
    return (value, path) => {
      const map: Item = {};
      for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
        const name = keyText(key);
        setOwn(map, name, single(member, at(path, name)));
      }
      return { M: map };
    };
  }
  if (field.repeated && field.resolvedType instanceof protobuf.Type && isMapEntry(field.resolvedType)) return compileMapEntries(field.resolvedType, compiled);
  if (field.repeated) return (value, path) => ({ L: (value as unknown[]).map((element, i) => single(element, at(path, i))) });
  return single;
}

/** A message standing for a map field's entry, as a .proto rendered from a descriptor spells it. */
export function isMapEntry(type: protobuf.Type): boolean {
  return type.options?.map_entry === true;
}

/**
 * A map spelled as its entries (`repeated XEntry` with `option map_entry = true`, as a .proto rendered from a
 * descriptor has it): M, as `map<K, V>`, not L of entries. An entry without its value holds the value's default.
 */
function compileMapEntries(entry: protobuf.Type, compiled: Map<protobuf.Type, ProtoToAttribute>): ProtoToAttribute {
  const [keyField, valueField] = [entry.fieldsById[1], entry.fieldsById[2]];
  if (keyField === undefined || valueField === undefined) throw new Error(`map entry ${entry.fullName} lacks its key (1) or value (2) field`);
  keyField.resolve();
  valueField.resolve();
  const key = compileSingle(keyField.type, keyField.resolvedType, compiled);
  const value = compileSingle(valueField.type, valueField.resolvedType, compiled);
  const valueType = valueField.resolvedType instanceof protobuf.Type ? valueField.resolvedType : undefined;
  return (entries, path) => {
    const map: Item = {};
    for (const member of entries as Array<{ key: unknown; value: unknown }>) {
      const name = mapKeyName(key(member.key, path));
      setOwn(map, name, value(member.value ?? valueType?.create(), at(path, name)));
    }
    return { M: map };
  };
}

/** A map key's attribute as the name of its member: a string, a number's digits, true or false. */
function mapKeyName(key: AttributeValue): string {
  return key.S ?? key.N ?? String(key.BOOL);
}

function compileSingle(type: string, resolved: protobuf.Type | protobuf.Enum | null, compiled: Map<protobuf.Type, ProtoToAttribute>): ProtoToAttribute {
  if (resolved instanceof protobuf.Type) return compileMessage(resolved, compiled);
  if (resolved instanceof protobuf.Enum) {
    const names = resolved.valuesById;
    return (value) => ({ S: names[value as number] ?? String(value) });
  }
  if (LONG_TYPES.has(type)) {
    const unsigned = type === 'uint64' || type === 'fixed64';
    return (value) => ({ N: longText(value, unsigned) });
  }
  switch (type) {
    case 'string':
      return (value) => ({ S: value as string });
    case 'bool':
      return (value) => ({ BOOL: value as boolean });
    case 'bytes':
      return (value) => ({ B: new Uint8Array(value as Uint8Array) }); // a copy: protobufjs's is a view of the record
    case 'float':
      return (value, path) => ({ N: checkDynamoDbNumber(floatText(value as number, path), path) });
    case 'double':
      return (value, path) => ({ N: checkDynamoDbNumber(doubleText(value as number, path), path) });
    default: // the 32-bit integers: exact as JS numbers
      return (value) => ({ N: String(value) });
  }
}

/** The converters of the well-known messages that stand for a single value; undefined for any other message. */
function wellKnown(type: protobuf.Type, compiled: Map<protobuf.Type, ProtoToAttribute>): ProtoToAttribute | undefined {
  const name = type.fullName;
  if (WRAPPERS.has(name)) {
    const field = type.fields.value!;
    const inner = compileSingle(field.type, field.resolvedType, compiled);
    return (value, path) => inner((value as Record<string, unknown>).value, path);
  }
  if (name === TIMESTAMP) {
    return (value) => {
      const message = value as { seconds: unknown; nanos: number };
      return { N: timestampMillisText(BigInt(longText(message.seconds, false)), message.nanos) };
    };
  }
  if (name === CONFLUENT_DECIMAL) {
    return (value, path) => {
      const message = value as { value: Uint8Array; scale: number };
      return { N: checkDynamoDbNumber(decimalText(message.value, message.scale), path) };
    };
  }
  if (name === STRUCT || name === VALUE || name === LIST_VALUE) return (value, path) => jsonValue(name, value, path);
  return undefined;
}

/**
 * Protobuf's JSON types as the attributes JSON becomes: a Struct's fields M, a Value its kind, a ListValue L.
 * Their definitions are protobufjs's (camelCase names); only the kind that is set is an own property.
 */
function jsonValue(name: string, value: unknown, path: AttributePath): AttributeValue {
  const message = value as Record<string, unknown>;
  const has = (kind: string) => Object.hasOwn(message, kind) && message[kind] != null;
  if (name === STRUCT) {
    const map: Item = {};
    for (const [key, member] of Object.entries((message.fields ?? {}) as Record<string, unknown>)) setOwn(map, key, jsonValue(VALUE, member, at(path, key)));
    return { M: map };
  }
  if (name === LIST_VALUE) return { L: ((message.values ?? []) as unknown[]).map((member, i) => jsonValue(VALUE, member, at(path, i))) };
  if (has('numberValue')) return { N: checkDynamoDbNumber(doubleText(message.numberValue as number, path), path) };
  if (has('stringValue')) return { S: message.stringValue as string };
  if (has('boolValue')) return { BOOL: message.boolValue as boolean };
  if (has('structValue')) return jsonValue(STRUCT, message.structValue, path);
  if (has('listValue')) return jsonValue(LIST_VALUE, message.listValue, path);
  return { NULL: true }; // nullValue, or no kind set
}

/** seconds + nanos as milliseconds since the epoch, exactly: 1.5 ms is "1.5", a whole millisecond has no fraction. */
export function timestampMillisText(seconds: bigint, nanos: number): string {
  const totalNanos = seconds * 1_000_000_000n + BigInt(nanos);
  const negative = totalNanos < 0n;
  const magnitude = negative ? -totalNanos : totalNanos;
  const fraction = (magnitude % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  const text = `${magnitude / 1_000_000n}${fraction === '' ? '' : `.${fraction}`}`;
  return negative ? `-${text}` : text;
}

/** A 64-bit integer as protobufjs gives it (a Long, or a number when it fits) as its exact digits. */
export function longText(value: unknown, unsigned: boolean): string {
  if (typeof value === 'number') return String(value);
  const { low, high } = value as { low: number; high: number };
  const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return String(unsigned ? bits : BigInt.asIntN(64, bits));
}

/** Map keys as protobufjs keeps them: 64-bit keys as 8-byte "hash" strings, others as their text. */
function mapKeyText(keyType: string): (key: string) => string {
  if (!LONG_TYPES.has(keyType)) return (key) => key;
  const unsigned = keyType === 'uint64' || keyType === 'fixed64';
  return (key) => {
    const bits = protobuf.util.LongBits.fromHash(key);
    return longText({ low: bits.lo, high: bits.hi }, unsigned);
  };
}
