// The grammar of Confluent's DynamoDB Sink key references (aws.dynamodb.pk.hash / aws.dynamodb.pk.sort): where a
// record's primary key attributes come from. The one parser of it: config checks and keeps what it returns, the
// sink resolves it against records (src/sink/key-mapping.ts).
//
//   partition | offset            the record's Kafka partition / offset (a number)
//   key                           the whole Kafka key (string → S, number → N, bytes → B)
//   key.<path> | value.<path>     a field of the key / value, nested fields separated by dots (a.b.c)
//   value                         the whole value (a STRING or BYTES value, or a JSON scalar)
//
// each optionally followed by `:<alias>`, the attribute's name in the table. Without an alias the attribute is
// named `partition`, `offset`, `key`, `value`, or after the path's last segment.

export type KeyReference =
  | { source: 'partition'; attribute: string; text: string }
  | { source: 'offset'; attribute: string; text: string }
  /** path [] is the whole key / value. */
  | { source: 'key' | 'value'; path: string[]; attribute: string; text: string };

/** DynamoDB's limit for the name of a key attribute, in UTF-8 bytes. */
const MAX_KEY_NAME_BYTES = 255;
export const KEY_REFERENCE_FORMS =
  'partition, offset, key, key.<field>, value or value.<field> (nested fields as a.b.c), optionally followed by :<alias>';

/** The reference the text spells, or what is wrong with it. */
export function parseKeyReference(text: string): KeyReference | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: `expected ${KEY_REFERENCE_FORMS}` };
  const colon = trimmed.indexOf(':');
  const sourceText = (colon === -1 ? trimmed : trimmed.slice(0, colon)).trim();
  const alias = colon === -1 ? undefined : trimmed.slice(colon + 1).trim();
  if (alias === '') return { error: 'the alias after ":" is empty' };

  let reference: KeyReference;
  if (sourceText === 'partition' || sourceText === 'offset') {
    reference = { source: sourceText, attribute: alias ?? sourceText, text: trimmed };
  } else {
    const dot = sourceText.indexOf('.');
    const root = dot === -1 ? sourceText : sourceText.slice(0, dot);
    if (root !== 'key' && root !== 'value') return { error: `expected ${KEY_REFERENCE_FORMS}` };
    const path = dot === -1 ? [] : sourceText.slice(dot + 1).split('.');
    if (path.some((segment) => segment === '')) return { error: `the field path has an empty segment: expected ${root}.<field>[.<field>…]` };
    reference = { source: root, path, attribute: alias ?? path.at(-1) ?? root, text: trimmed };
  }
  if (Buffer.byteLength(reference.attribute, 'utf8') > MAX_KEY_NAME_BYTES) {
    return { error: `the attribute name is longer than DynamoDB's ${MAX_KEY_NAME_BYTES} bytes for a key attribute; give a shorter :<alias>` };
  }
  return reference;
}
