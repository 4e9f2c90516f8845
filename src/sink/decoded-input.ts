// Values and keys of the registry formats that decode to attributes (AVRO, PROTOBUF) in the forms the record
// converter already works with: an attribute for items and key references, and, for source change records and
// key objects, the lossless JSON form the JSON path parses to, so one reading of envelopes and keys serves every
// format.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LosslessNumber } from 'lossless-json';
import { setOwn } from '../domain/attribute-path.js';
import { originalName } from '../formats/avro/names.js';
import { schemaIdOf } from '../formats/registry/schema-cache.js';

/** A registry format's reader: one record's bytes as an attribute (ConversionError when they cannot be). */
export interface AttributeReader {
  read(bytes: Buffer, what: string): AttributeValue;
}

export interface DecodedValue {
  attribute: AttributeValue;
  /** The value as lossless JSON when it may be a change record (a record with `op` and `source`), else undefined. */
  json: unknown;
}

export function readDecodedValue(reader: AttributeReader, bytes: Buffer): DecodedValue {
  const attribute = reader.read(bytes, 'value');
  const members = attribute.M;
  const mayBeChange = members !== undefined && Object.hasOwn(members, 'op') && Object.hasOwn(members, 'source');
  return { attribute, json: mayBeChange ? attributeJson(attribute) : undefined };
}

/**
 * A wire-format key as the JSON object our source's JSON keys are: field names back to the attribute names they
 * were made from (src/formats/avro/names.ts), bytes as base64 text. Undefined for bytes not in the wire format.
 */
export function decodedKeyObject(reader: AttributeReader, bytes: Buffer): unknown {
  if (schemaIdOf(bytes) === undefined) return undefined;
  const json = attributeJson(reader.read(bytes, 'key'));
  if (json === null || typeof json !== 'object' || Array.isArray(json) || json instanceof LosslessNumber) return json;
  const named: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(json)) setOwn(named, originalName(name), member);
  return named;
}

/** An attribute as the JSON parseLosslessJson gives: numbers as LosslessNumbers, bytes as base64 text. */
function attributeJson(attribute: AttributeValue): unknown {
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.N !== undefined) return new LosslessNumber(attribute.N);
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.B !== undefined) return Buffer.from(attribute.B).toString('base64');
  if (attribute.L !== undefined) return attribute.L.map(attributeJson);
  if (attribute.M !== undefined) {
    const object: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(attribute.M)) setOwn(object, name, attributeJson(member));
    return object;
  }
  return null;
}
