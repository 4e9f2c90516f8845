// Resolving Confluent's DynamoDB Sink key references (src/domain/key-reference.ts) against records: where a
// record's primary key attributes come from.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../domain/attribute-codec.js';
import { ConversionError } from '../domain/conversion-error.js';
import { setOwn } from '../domain/attribute-path.js';
import { describeAttribute } from './json-to-attributes.js';
import { parseKeyReference as parseReference, type KeyReference } from '../domain/key-reference.js';

export type { KeyReference } from '../domain/key-reference.js';
import type { SinkRecord } from './sink-record.js';

export type KeyAttributeType = 'S' | 'N' | 'B';

export interface KeyMapping {
  hash: KeyReference;
  sort?: KeyReference;
}

/** Parses one key reference; throws an Error naming `settingName` when the text is not one. */
export function parseKeyReference(text: string, settingName: string): KeyReference {
  const parsed = parseReference(text);
  if ('error' in parsed) throw new Error(`${settingName}=${JSON.stringify(text)}: ${parsed.error}`);
  return parsed;
}

/**
 * The key attributes of one record, hash key first. `value` and `key` are the record's value and key already
 * converted to attributes (undefined when the record has none).
 */
export function keyAttributes(
  record: Pick<SinkRecord, 'partition' | 'offset'>,
  value: AttributeValue | undefined,
  key: AttributeValue | undefined,
  hash: KeyReference,
  sort?: KeyReference,
): Item {
  const attributes: Item = {};
  for (const reference of sort === undefined ? [hash] : [hash, sort]) {
    setOwn(attributes, reference.attribute, resolve(reference, record, value, key));
  }
  return attributes;
}

/** The type tag of a key attribute value; ConversionError for anything but S, N or B. */
export function keyAttributeType(name: string, attribute: AttributeValue, from?: string): KeyAttributeType {
  if (attribute.S !== undefined) return 'S';
  if (attribute.N !== undefined) return 'N';
  if (attribute.B !== undefined) return 'B';
  throw new ConversionError(
    `key attribute ${JSON.stringify(name)} must be a string, number or binary; ${from ?? 'it'} is ${describeAttribute(attribute)}`,
  );
}

function resolve(
  reference: KeyReference,
  record: Pick<SinkRecord, 'partition' | 'offset'>,
  value: AttributeValue | undefined,
  key: AttributeValue | undefined,
): AttributeValue {
  if (reference.source === 'partition') return { N: String(record.partition) };
  if (reference.source === 'offset') return { N: record.offset };

  const root = reference.source === 'key' ? key : value;
  if (root === undefined) {
    throw new ConversionError(
      reference.source === 'key'
        ? `key attribute ${JSON.stringify(reference.attribute)} comes from ${reference.text}, but the record has no key`
        : `key attribute ${JSON.stringify(reference.attribute)} comes from ${reference.text}, but the record has no value`,
    );
  }
  let current = root;
  let walked: string = reference.source;
  for (const segment of reference.path) {
    if (current.M === undefined) {
      throw new ConversionError(`key attribute source ${reference.text} is missing: ${walked} is ${describeAttribute(current)}, not an object`);
    }
    const next = Object.hasOwn(current.M, segment) ? current.M[segment] : undefined;
    walked = `${walked}.${segment}`;
    if (next === undefined) throw new ConversionError(`key attribute source ${reference.text} is missing: the record has no ${walked}`);
    current = next;
  }
  keyAttributeType(reference.attribute, current, reference.text);
  return current;
}
