import { fromDynamoDbJson, serializePlainJson } from '../../domain/attribute-codec.js';

/** One change event as a line a person can read: time, operation, key, and what changed. */
export function describeChange(key: string | null, value: string | null): string {
  if (value === null) return `          tombstone  ${key}`;
  const envelope = JSON.parse(value) as {
    op: string;
    ts_ms: number;
    source: { ttl_expired: boolean | null };
    before: { document: string } | null;
    after: { document: string } | null;
  };
  // When the connector produced the event (change times from DynamoDB Local are rounded to the minute).
  const time = new Date(envelope.ts_ms).toISOString().slice(11, 19);
  const before = envelope.before ? plainAttributes(envelope.before.document) : {};
  const after = envelope.after ? plainAttributes(envelope.after.document) : {};
  const label = { r: 'read  ', c: 'insert', u: 'update', d: 'delete' }[envelope.op] ?? envelope.op;
  let detail = '';
  if (envelope.op === 'u') {
    detail = Object.keys({ ...before, ...after })
      .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
      .map((name) => `${name}: ${plain(before[name])} → ${plain(after[name])}`)
      .join(', ');
  } else if (envelope.op === 'c' || envelope.op === 'r') {
    detail = Object.entries(after)
      .filter(([name]) => !key?.includes(`"${name}"`))
      .map(([name, attribute]) => `${name}=${plain(attribute)}`)
      .join(' ');
  } else if (envelope.source.ttl_expired) {
    detail = '(expired by TTL)';
  }
  return `${time}  ${envelope.op} ${label}  ${key}  ${detail}`.trimEnd();
}

/** Each attribute of a DynamoDB JSON document as compact plain JSON text. */
function plainAttributes(document: string): Record<string, string> {
  const item = fromDynamoDbJson(JSON.parse(document));
  return Object.fromEntries(Object.entries(item).map(([name, attribute]) => [name, serializePlainJson({ [name]: attribute }).slice(name.length + 4, -1)]));
}

/** An attribute shortened for display; strings without their quotes. */
function plain(text: string | undefined): string {
  if (text === undefined) return '∅';
  const shown = text.startsWith('"') ? (JSON.parse(text) as string) : text;
  return shown.length > 40 ? `${shown.slice(0, 37)}…` : shown;
}
