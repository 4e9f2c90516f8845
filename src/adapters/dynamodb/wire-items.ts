// A page's items (Scan) or stream records (GetRecords) read straight from DynamoDB's JSON answer, without the
// SDK's schema-driven deserializer: on a snapshot that deserializer was ~15% of the Node thread (cpu profile,
// issue 18), walking every attribute to rebuild what JSON.parse already gives. Everything else about the call stays the SDK's: signing, credentials,
// endpoint, retries, the call observer, and the parsing of errors (an answer that is not 2xx is left to it).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DeserializeMiddleware, HttpResponse, MiddlewareStack, StreamCollector } from '@smithy/types';

/** A list member of an answer, and how to make its JSON what the SDK would have made of it. */
export interface WireList<T> {
  member: string;
  revive: (element: T) => void;
}

/** Scan's items: binary as bytes. */
export const SCAN_ITEMS: WireList<Record<string, AttributeValue>> = { member: 'Items', revive: reviveMap };

/** GetRecords' records: the images' and keys' binary as bytes, ApproximateCreationDateTime (epoch seconds) as a Date. */
export const STREAM_RECORDS: WireList<StreamRecord> = { member: 'Records', revive: reviveStreamRecord };

/**
 * Installs, on one command, a step below the SDK's deserializer that takes `list.member` out of a successful
 * JSON answer and hands it to `take`, decoded as the SDK would decode it, and lets the SDK deserialize what is
 * left (keys, counts, consumed capacity, the next iterator): a few bytes.
 */
export function takeListFromWire<T>(stack: MiddlewareStack<any, any>, collect: StreamCollector, list: WireList<T>, take: (elements: T[]) => void): void {
  const middleware: DeserializeMiddleware<any, any> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as HttpResponse;
    if (response.statusCode < 200 || response.statusCode >= 300) return result;
    const body = await collect(response.body);
    const answer = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as Record<string, unknown>;
    const elements = (answer[list.member] ?? []) as T[];
    for (const element of elements) list.revive(element);
    take(elements);
    delete answer[list.member];
    response.body = Buffer.from(JSON.stringify(answer));
    return result;
  };
  stack.addRelativeTo(middleware, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'dynamodbKafkaWireItems' });
}

function reviveStreamRecord(record: StreamRecord): void {
  const change = record.dynamodb as (Record<string, unknown> & { ApproximateCreationDateTime?: unknown }) | undefined;
  if (!change) return;
  // As the SDK's parseEpochTimestamp: whole milliseconds, rounded.
  if (typeof change.ApproximateCreationDateTime === 'number') change.ApproximateCreationDateTime = new Date(Math.round(change.ApproximateCreationDateTime * 1000));
  if (change.Keys) reviveMap(change.Keys as Record<string, AttributeValue>);
  if (change.NewImage) reviveMap(change.NewImage as Record<string, AttributeValue>);
  if (change.OldImage) reviveMap(change.OldImage as Record<string, AttributeValue>);
}

/** Binary (B, BS) arrives as base64 text; the SDK hands it over as bytes, so do we. Other types are as JSON has them. */
function reviveMap(map: Record<string, AttributeValue>): void {
  for (const name in map) reviveValue(map[name]!);
}

function reviveValue(value: AttributeValue): void {
  const wire = value as unknown as Record<string, unknown>;
  if (typeof wire.B === 'string') wire.B = bytesOf(wire.B);
  else if (Array.isArray(wire.BS)) wire.BS = wire.BS.map((text) => bytesOf(text as string));
  else if (wire.M !== undefined) reviveMap(wire.M as Record<string, AttributeValue>);
  else if (Array.isArray(wire.L)) for (const element of wire.L) reviveValue(element as AttributeValue);
}

/** As the SDK's fromBase64: a Uint8Array over the decoded bytes. */
function bytesOf(base64: string): Uint8Array {
  const buffer = Buffer.from(base64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
