// Avro values → DynamoDB attributes, losslessly. Each schema is compiled once into a tree of small converters, so
// a record costs one walk of its value and no look-ups by type name.
//
//   string, enum → S          int, long (BigInt) → N, every digit      float, double → N (shortest exact text)
//   boolean → BOOL            null → NULL                              bytes, fixed → B
//   decimal (Avro's logical type, or Connect's org.apache.kafka.connect.data.Decimal) → N, every digit
//   record, map → M           array → L                                union → its branch's attribute
//   timestamp-*, local-timestamp-*, date, time-* → N: the number Avro carries, in its logical type's unit
//   (Connect's Timestamp, Date and Time are these logical types).
//   a string field of the top record marked "dynamodb.type": "N" (our source's keys) → N
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import avro from 'avsc';
import type { Item } from '../../domain/attribute-codec.js';
import { at, setOwn, type AttributePath } from '../../domain/attribute-path.js';
import { checkDynamoDbNumber, decimalText, doubleText, floatText } from '../../domain/number-text.js';
import { DYNAMODB_TYPE_ATTRIBUTE } from './confluent-avro.js';
import { EXACT_LONG } from './exact-long.js';

export type AvroToAttribute = (value: unknown, path: AttributePath) => AttributeValue;

const CONNECT_DECIMAL = 'org.apache.kafka.connect.data.Decimal';

/** A schema's text made ready to read: its avsc type and the converter of its values. */
export function compileSchema(schemaText: string): { type: avro.Type; toAttribute: AvroToAttribute } {
  const schema = JSON.parse(schemaText) as unknown;
  const type = readerType(schema);
  const toAttribute = compileAttributes(type);
  const numbers = numberTextFields(schema);
  if (numbers.length === 0) return { type, toAttribute };
  return {
    type,
    toAttribute: (value, path) => {
      const attribute = toAttribute(value, path);
      for (const name of numbers) {
        const text = attribute.M![name]?.S;
        if (text !== undefined) attribute.M![name] = { N: checkDynamoDbNumber(text, at(path, name)) };
      }
      return attribute;
    },
  };
}

/** The avsc type of a schema, read as the sink reads it: BigInt longs, decimals as exact digit text. */
function readerType(parsed: unknown): avro.Type {
  const schema = withConnectDecimals(parsed);
  return avro.Type.forSchema(schema as avro.Schema, {
    wrapUnions: true, // each union value names its branch: no guessing between, say, bytes and a decimal
    logicalTypes: { decimal: DecimalText },
    assertLogicalTypes: true, // a decimal with a bad scale is refused, never read as plain bytes
    typeHook: (node) => (node === 'long' || (isObject(node) && node.type === 'long') ? EXACT_LONG : undefined),
  });
}

/** The top record's string fields marked as DynamoDB numbers (src/formats/avro/confluent-avro.ts keySchema). */
function numberTextFields(schema: unknown): string[] {
  if (!isObject(schema) || schema.type !== 'record' || !Array.isArray(schema.fields)) return [];
  return (schema.fields as unknown[])
    .filter((field): field is Record<string, unknown> => isObject(field) && field[DYNAMODB_TYPE_ATTRIBUTE] === 'N' && field.type === 'string')
    .map((field) => field.name as string);
}

/** The converter for values of `type`. */
function compileAttributes(type: avro.Type): AvroToAttribute {
  return compile(type, new Map());
}

function compile(type: avro.Type, named: Map<avro.Type, AvroToAttribute>): AvroToAttribute {
  const known = named.get(type);
  if (known !== undefined) return known;
  if (type instanceof avro.types.LogicalType) {
    if (type instanceof DecimalText) return (value, path) => ({ N: checkDynamoDbNumber(value as string, path) });
    return compile(type.underlyingType, named); // an unknown logical type is its underlying type
  }
  switch (type.typeName) {
    case 'null':
      return () => ({ NULL: true });
    case 'boolean':
      return (value) => ({ BOOL: value as boolean });
    case 'string':
    case 'enum':
      return (value) => ({ S: value as string });
    case 'int':
    case 'abstract:long':
    case 'long':
      return (value) => ({ N: String(value) });
    case 'float':
      return (value, path) => ({ N: checkDynamoDbNumber(floatText(value as number, path), path) });
    case 'double':
      return (value, path) => ({ N: checkDynamoDbNumber(doubleText(value as number, path), path) });
    case 'bytes':
    case 'fixed':
      return (value) => ({ B: new Uint8Array(value as Buffer) }); // a copy: avsc's Buffer is a view of the record
    case 'array': {
      const items = compile((type as avro.types.ArrayType).itemsType, named);
      return (value, path) => ({ L: (value as unknown[]).map((element, i) => items(element, at(path, i))) });
    }
    case 'map': {
      const values = compile((type as avro.types.MapType).valuesType as avro.Type, named);
      return (value, path) => {
        const map: Item = {};
        for (const [name, member] of Object.entries(value as Record<string, unknown>)) setOwn(map, name, values(member, at(path, name)));
        return { M: map };
      };
    }
    case 'record':
    case 'error':
      return compileRecord(type as avro.types.RecordType, named);
    case 'union:wrapped':
      return compileUnion(type as avro.types.WrappedUnionType, named);
    default:
      throw new Error(`Avro type ${type.typeName} has no DynamoDB mapping`);
  }
}

function compileRecord(type: avro.types.RecordType, named: Map<avro.Type, AvroToAttribute>): AvroToAttribute {
  const fields: Array<{ name: string; convert: AvroToAttribute }> = [];
  const convert: AvroToAttribute = (value, path) => {
    const record = value as Record<string, unknown>;
    const map: Item = {};
    for (const field of fields) setOwn(map, field.name, field.convert(record[field.name], at(path, field.name)));
    return { M: map };
  };
  named.set(type, convert); // before its fields: a recursive record refers to itself
  for (const field of type.fields) fields.push({ name: field.name, convert: compile(field.type, named) });
  return convert;
}

function compileUnion(type: avro.types.WrappedUnionType, named: Map<avro.Type, AvroToAttribute>): AvroToAttribute {
  const branches = new Map<string, AvroToAttribute>();
  for (const branch of (type as unknown as { types: avro.Type[] }).types) {
    if (branch.branchName !== undefined) branches.set(branch.branchName, compile(branch, named));
  }
  return (value, path) => {
    if (value === null) return { NULL: true };
    const [name, member] = Object.entries(value as Record<string, unknown>)[0]!;
    return branches.get(name)!(member, path);
  };
}

// ---------------------------------------------------------------------------------------------- logical types

/** Avro's decimal (bytes or fixed: the unscaled value, big-endian two's complement) read as exact digit text. */
export class DecimalText extends avro.types.LogicalType {
  private readonly scale: number;

  constructor(schema: avro.Schema, options?: unknown) {
    super(schema, options);
    const scale = (schema as { scale?: unknown }).scale ?? 0;
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0) throw new Error(`decimal scale ${JSON.stringify(scale)} is not a non-negative integer`);
    this.scale = scale;
  }

  protected override _fromValue(bytes: Buffer): string {
    return decimalText(bytes, this.scale);
  }

  /** Digit text → bytes: lets tests (and any writer) encode through the same type. */
  protected override _toValue(text: string): Buffer {
    const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
    let unscaled = BigInt(whole + fraction.padEnd(this.scale, '0').slice(0, this.scale));
    if (text.startsWith('-')) unscaled = -unscaled;
    let hex = BigInt.asUintN(bitsFor(unscaled), unscaled).toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    return Buffer.from(hex, 'hex');
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    return type.typeName === this.underlyingType.typeName ? (value) => value : undefined;
  }
}

/** Bits, a multiple of 8, that hold `value` in two's complement. */
function bitsFor(value: bigint): number {
  let bits = 8;
  while (value >= 1n << BigInt(bits - 1) || value < -(1n << BigInt(bits - 1))) bits += 8;
  return bits;
}

/**
 * Connect's AvroConverter marks a Decimal with connect.name and its scale in connect.parameters; older writers
 * leave out Avro's logicalType. Such a bytes schema is given Avro's decimal, so both read the same way.
 */
function withConnectDecimals(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withConnectDecimals);
  if (!isObject(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(node)) copy[name] = withConnectDecimals(member);
  if (copy.type === 'bytes' && copy['connect.name'] === CONNECT_DECIMAL && copy.logicalType === undefined) {
    const scale = (copy['connect.parameters'] as Record<string, unknown> | undefined)?.scale;
    copy.logicalType = 'decimal';
    copy.scale = scale === undefined ? 0 : Number(scale);
  }
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
