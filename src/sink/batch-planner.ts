// Write operations → BatchWriteItem requests. DynamoDB refuses a batch that touches one key twice, and the
// sink must leave each key as the last record wrote it, so per table only the last operation per key is kept
// (a put followed by a delete is a delete), then the survivors are cut into groups of at most 25 requests and
// 16 MB.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { serializeDynamoDbJson, type Item } from '../domain/attribute-codec.js';
import type { WriteOperation } from './record-converter.js';

/** BatchWriteItem's limits. */
export const MAX_BATCH_ITEMS = 25;
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

export type BatchRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

export interface PlannedBatch {
  table: string;
  requests: BatchRequest[];
}

/** Bytes a request adds around its item or key in the request body ({"PutRequest":{"Item":…}},). */
const REQUEST_OVERHEAD = 32;

/**
 * The batches that leave every key as the last operation on it left it. Operations are in offset order (array
 * order); skips are ignored. Tables come in the order they first appear, requests in the order of the operation
 * that won for their key. `maxItems` above 25 is capped at 25.
 */
export function planBatches(operations: WriteOperation[], maxItems = MAX_BATCH_ITEMS, maxBytes = MAX_BATCH_BYTES): PlannedBatch[] {
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError(`maxItems must be a whole number from 1, got ${maxItems}`);
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
  const itemsPerBatch = Math.min(maxItems, MAX_BATCH_ITEMS);

  // table → key identity → [array index of the winning operation, its request]
  const winners = new Map<string, Map<string, { index: number; request: BatchRequest }>>();
  operations.forEach((op, index) => {
    if (op.kind === 'skip') return;
    let byKey = winners.get(op.table);
    if (byKey === undefined) winners.set(op.table, (byKey = new Map()));
    const request: BatchRequest = op.kind === 'put' ? { PutRequest: { Item: op.item } } : { DeleteRequest: { Key: op.key } };
    byKey.set(keyIdentity(op.key), { index, request });
  });

  const batches: PlannedBatch[] = [];
  for (const [table, byKey] of winners) {
    const requests = [...byKey.values()].sort((a, b) => a.index - b.index).map((entry) => entry.request);
    let current: BatchRequest[] = [];
    // Sizes are upper bounds (cheap) until a batch nears maxBytes; from then on that batch is measured exactly
    // (its JSON written out), so batches are cut where exact sizes would cut them.
    let bytes = 0;
    let exact = false;
    for (const request of requests) {
      let size = exact ? requestSize(request) : requestSizeBound(request);
      if (!exact && current.length > 0 && bytes + size > maxBytes) {
        exact = true;
        bytes = current.reduce((sum, earlier) => sum + requestSize(earlier), 0);
        size = requestSize(request);
      }
      if (current.length > 0 && (current.length === itemsPerBatch || bytes + size > maxBytes)) {
        batches.push({ table, requests: current });
        current = [];
        bytes = 0;
        if (exact) {
          exact = false;
          size = requestSizeBound(request);
        }
      }
      current.push(request);
      bytes += size;
    }
    if (current.length > 0) batches.push({ table, requests: current });
  }
  return batches;
}

/** One text per key: attribute names in sorted order with type and value, so attribute order does not matter. */
export function keyIdentity(key: Item): string {
  // Runs once per record: no sorting or JSON for the usual one or two key attributes. Names and strings are
  // length-prefixed and numbers and base64 hold no comma, so distinct keys cannot give one identity.
  const names = Object.keys(key);
  if (names.length === 2 && names[1]! < names[0]!) names.reverse();
  else if (names.length > 2) names.sort();
  let identity = '';
  for (const name of names) identity += `${identity === '' ? '' : ','}${name.length}:${name}=${attributeIdentity(key[name]!)}`;
  return identity;
}

function attributeIdentity(attribute: AttributeValue): string {
  if (attribute.S !== undefined) return `S${attribute.S.length}:${attribute.S}`;
  if (attribute.N !== undefined) return `N${attribute.N}`;
  if (attribute.B !== undefined) return `B${Buffer.from(attribute.B.buffer, attribute.B.byteOffset, attribute.B.byteLength).toString('base64')}`;
  // Keys are S, N or B; anything else still gets a stable identity.
  return serializeDynamoDbJson({ v: attribute });
}

/** The request's share of the BatchWriteItem body: its DynamoDB JSON text, in bytes. */
export function requestSize(request: BatchRequest): number {
  return Buffer.byteLength(serializeDynamoDbJson(requestItem(request)), 'utf8') + REQUEST_OVERHEAD;
}

/** At least requestSize(request), without writing the JSON: every UTF-16 unit of text takes at most 6 bytes. */
export function requestSizeBound(request: BatchRequest): number {
  return mapBound(requestItem(request)) + REQUEST_OVERHEAD;
}

const requestItem = (request: BatchRequest): Item => ('PutRequest' in request ? request.PutRequest.Item : request.DeleteRequest.Key);

/** A JSON string: quotes, and each unit escaped (\u001f) or UTF-8 encoded in at most 6 bytes. */
const textBound = (text: string): number => 6 * text.length + 2;
const base64Bound = (bytes: Uint8Array): number => 4 * Math.ceil(bytes.byteLength / 3) + 2;

function mapBound(map: Record<string, AttributeValue>): number {
  let size = 2;
  for (const name of Object.keys(map)) size += textBound(name) + 2 + valueBound(map[name]!);
  return size;
}

/** {"TAG":…}: at most 9 bytes around the content. */
function valueBound(value: AttributeValue): number {
  let content = 5;
  if (value.S !== undefined) content = textBound(value.S);
  else if (value.N !== undefined) content = textBound(value.N);
  else if (value.B !== undefined) content = base64Bound(value.B);
  else if (value.SS !== undefined) content = value.SS.reduce((sum, text) => sum + textBound(text) + 1, 2);
  else if (value.NS !== undefined) content = value.NS.reduce((sum, text) => sum + textBound(text) + 1, 2);
  else if (value.BS !== undefined) content = value.BS.reduce((sum, bytes) => sum + base64Bound(bytes) + 1, 2);
  else if (value.M !== undefined) content = mapBound(value.M);
  else if (value.L !== undefined) content = value.L.reduce((sum, element) => sum + valueBound(element) + 1, 2);
  return content + 9;
}
