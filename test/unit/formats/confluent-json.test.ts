import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { fromDynamoDbJson } from '../../../src/domain/attribute-codec.js';
import { CONNECTOR_VERSION } from '../../../src/domain/version.js';
import { EnvelopeError, readEnvelope } from '../../../src/formats/confluent-json.js';
import { snapshotPageRecords, streamRecords } from '../../support/envelopes.js';

const ENVELOPE_FIELDS = ['op', 'ts_ms', 'ts_us', 'ts_ns', 'source', 'before', 'after'];
const SOURCE_FIELDS = [
  'version',
  'tableName',
  'sync_mode',
  'ts_ms',
  'ts_us',
  'ts_ns',
  'snapshotStartTime',
  'snapshotCount',
  'segment',
  'totalSegments',
  'shard_Id',
  'seq_No',
  'ttl_expired',
];

const NOW = 1_719_830_976_204;
const CHANGED_AT = 1_719_830_940_000;
const SHARD = 'shardId-00000001719827428220-04b3c3e0';
const keySchema = { hashKey: 'id', rangeKey: 'sk' };

const streamCtx: Parameters<typeof streamRecords>[1] = { tableName: 'NumTable', keySchema, shardId: SHARD, tombstones: true, nowMs: NOW };

function record(eventName: string, images: { OldImage?: object; NewImage?: object }, extra: Partial<_Record> = {}): _Record {
  return {
    eventName: eventName as _Record['eventName'],
    dynamodb: {
      ApproximateCreationDateTime: new Date(CHANGED_AT),
      Keys: { sk: { N: '7' }, id: { S: 'a' } },
      SequenceNumber: '000000000000000000247',
      ...images,
    },
    ...extra,
  } as _Record;
}

const oldImage = { id: { S: 'a' }, sk: { N: '7' }, n: { N: '1' } };
const newImage = { id: { S: 'a' }, sk: { N: '7' }, n: { N: '2' } };

/** Parses an envelope and checks it has exactly the documented fields. */
function parseEnvelope(value: string | null) {
  expect(value).not.toBeNull();
  const envelope = JSON.parse(value!);
  expect(Object.keys(envelope)).toEqual(ENVELOPE_FIELDS);
  expect(Object.keys(envelope.source)).toEqual(SOURCE_FIELDS);
  for (const side of ['before', 'after']) {
    if (envelope[side] !== null) expect(Object.keys(envelope[side])).toEqual(['document']);
  }
  return envelope;
}

describe('snapshot records', () => {
  const ctx = {
    tableName: 'NumTable',
    keySchema,
    snapshotStartTime: 1_719_830_776_087,
    snapshotCount: 1,
    segment: 0,
    totalSegments: 5,
    readAtMs: 1_719_830_776_150,
    nowMs: NOW,
  };
  const item = { n: { N: '12345678901234567890123456789012345678' }, sk: { N: '7' }, id: { S: 'a' } };

  it('emits one "r" record with the snapshot fields set and no stream fields', () => {
    const records = snapshotPageRecords([item], ctx);
    expect(records).toHaveLength(1);
    const [only] = records;
    expect(only!.key).toBe('{"id":"a","sk":7}');
    expect(only!.timestampMs).toBe(ctx.readAtMs);
    const envelope = parseEnvelope(only!.value);
    expect(envelope.op).toBe('r');
    expect(envelope.ts_ms).toBe(NOW);
    expect(envelope.source).toMatchObject({
      version: CONNECTOR_VERSION,
      tableName: 'NumTable',
      sync_mode: 'SNAPSHOT',
      ts_ms: ctx.readAtMs,
      ts_us: ctx.readAtMs * 1000,
      snapshotStartTime: ctx.snapshotStartTime,
      snapshotCount: 1,
      segment: 0,
      totalSegments: 5,
      shard_Id: null,
      seq_No: null,
      ttl_expired: null,
    });
    expect(envelope.before).toBeNull();
    expect(envelope.after.document).toBe(
      '{"n":{"N":"12345678901234567890123456789012345678"},"sk":{"N":"7"},"id":{"S":"a"}}',
    );
  });

  it('writes ts_ns exactly, beyond 2^53', () => {
    const value = snapshotPageRecords([item], ctx)[0]!.value!;
    expect(value).toContain(`"ts_ms":${NOW},"ts_us":${NOW}000,"ts_ns":${NOW}000000,"source"`);
    expect(value).toContain(`"ts_ms":${ctx.readAtMs},"ts_us":${ctx.readAtMs}000,"ts_ns":${ctx.readAtMs}000000,`);
  });

  it('emits plain JSON documents on request, digits intact', () => {
    const envelope = parseEnvelope(snapshotPageRecords([item], { ...ctx, format: 'json' })[0]!.value);
    expect(envelope.after.document).toBe('{"n":12345678901234567890123456789012345678,"sk":7,"id":"a"}');
  });

  it('takes source.version as a parameter', () => {
    expect(parseEnvelope(snapshotPageRecords([item], { ...ctx, version: '9.9.9' })[0]!.value).source.version).toBe('9.9.9');
    expect(parseEnvelope(snapshotPageRecords([item], { ...ctx, version: null })[0]!.value).source.version).toBeNull();
  });

  it('refuses non-integer times', () => {
    expect(() => snapshotPageRecords([item], { ...ctx, nowMs: 1.5 })).toThrow(/ts_ms must be a whole number/);
    expect(() => snapshotPageRecords([item], { ...ctx, segment: Number.NaN })).toThrow(/segment must be an integer/);
  });
});

describe('stream records', () => {
  it('maps INSERT to "c" with only an after image', () => {
    const records = streamRecords(record('INSERT', { NewImage: newImage }), streamCtx);
    expect(records).toHaveLength(1);
    expect(records[0]!.key).toBe('{"id":"a","sk":7}');
    expect(records[0]!.timestampMs).toBe(CHANGED_AT);
    const envelope = parseEnvelope(records[0]!.value);
    expect(envelope.op).toBe('c');
    expect(envelope.ts_ms).toBe(NOW);
    expect(envelope.source).toEqual({
      version: CONNECTOR_VERSION,
      tableName: 'NumTable',
      sync_mode: 'CDC',
      ts_ms: CHANGED_AT,
      ts_us: CHANGED_AT * 1000,
      ts_ns: CHANGED_AT * 1_000_000,
      snapshotStartTime: null,
      snapshotCount: null,
      segment: null,
      totalSegments: null,
      shard_Id: SHARD,
      seq_No: '000000000000000000247',
      ttl_expired: false,
    });
    expect(envelope.before).toBeNull();
    expect(envelope.after.document).toBe('{"id":{"S":"a"},"sk":{"N":"7"},"n":{"N":"2"}}');
  });

  it('maps MODIFY to "u" with both images', () => {
    const [only] = streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: newImage }), streamCtx);
    const envelope = parseEnvelope(only!.value);
    expect(envelope.op).toBe('u');
    expect(envelope.before.document).toBe('{"id":{"S":"a"},"sk":{"N":"7"},"n":{"N":"1"}}');
    expect(envelope.after.document).toBe('{"id":{"S":"a"},"sk":{"N":"7"},"n":{"N":"2"}}');
  });

  it('leaves the old image out on request (a change too large with it), a delete keeping its keys', () => {
    const update = parseEnvelope(streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: newImage }), { ...streamCtx, omitBefore: true })[0]!.value);
    expect(update.before).toBeNull();
    expect(update.after.document).toBe('{"id":{"S":"a"},"sk":{"N":"7"},"n":{"N":"2"}}');
    const remove = parseEnvelope(streamRecords(record('REMOVE', { OldImage: oldImage }), { ...streamCtx, omitBefore: true })[0]!.value);
    expect(remove.before.document).toBe('{"sk":{"N":"7"},"id":{"S":"a"}}');
  });

  it('writes the source time as exact ts_ns digits', () => {
    const [only] = streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: newImage }), streamCtx);
    expect(only!.value).toContain(`"ts_ms":${CHANGED_AT},"ts_us":1719830940000000,"ts_ns":1719830940000000000,`);
    expect(only!.value).toContain(`{"op":"u","ts_ms":${NOW},"ts_us":1719830976204000,"ts_ns":1719830976204000000,`);
  });

  it('maps REMOVE to "d" with the old image, followed by a tombstone', () => {
    const records = streamRecords(record('REMOVE', { OldImage: oldImage }), streamCtx);
    expect(records).toHaveLength(2);
    const envelope = parseEnvelope(records[0]!.value);
    expect(envelope.op).toBe('d');
    expect(envelope.before.document).toBe('{"id":{"S":"a"},"sk":{"N":"7"},"n":{"N":"1"}}');
    expect(envelope.after).toBeNull();
    expect(records[1]).toEqual({ key: records[0]!.key, value: null, timestampMs: CHANGED_AT });
  });

  it('omits the tombstone when tombstones are off', () => {
    const records = streamRecords(record('REMOVE', { OldImage: oldImage }), { ...streamCtx, tombstones: false });
    expect(records).toHaveLength(1);
    expect(records[0]!.value).not.toBeNull();
  });

  it('never adds a tombstone to inserts or updates', () => {
    expect(streamRecords(record('INSERT', { NewImage: newImage }), streamCtx)).toHaveLength(1);
    expect(streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: newImage }), streamCtx)).toHaveLength(1);
  });

  it('uses the Keys as "before" of a delete on a NEW_IMAGE stream', () => {
    const [envelopeRecord] = streamRecords(record('REMOVE', {}), streamCtx);
    const envelope = parseEnvelope(envelopeRecord!.value);
    expect(envelope.before.document).toBe('{"sk":{"N":"7"},"id":{"S":"a"}}');
    expect(envelope.after).toBeNull();
  });

  it('leaves "before" null for a MODIFY on a NEW_IMAGE stream', () => {
    const envelope = parseEnvelope(streamRecords(record('MODIFY', { NewImage: newImage }), streamCtx)[0]!.value);
    expect(envelope.before).toBeNull();
    expect(envelope.after).not.toBeNull();
  });

  it('marks TTL expiries, and only those', () => {
    const ttl = record('REMOVE', { OldImage: oldImage }, {
      userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' },
    });
    expect(parseEnvelope(streamRecords(ttl, streamCtx)[0]!.value).source.ttl_expired).toBe(true);
    const user = record('REMOVE', { OldImage: oldImage }, { userIdentity: { PrincipalId: 'someone', Type: 'Service' } });
    expect(parseEnvelope(streamRecords(user, streamCtx)[0]!.value).source.ttl_expired).toBe(false);
    const otherType = record('REMOVE', { OldImage: oldImage }, {
      userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'User' },
    });
    expect(parseEnvelope(streamRecords(otherType, streamCtx)[0]!.value).source.ttl_expired).toBe(false);
  });

  it('emits plain JSON documents on request', () => {
    const [only] = streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: newImage }), { ...streamCtx, format: 'json' });
    const envelope = parseEnvelope(only!.value);
    expect(envelope.before.document).toBe('{"id":"a","sk":7,"n":1}');
    expect(envelope.after.document).toBe('{"id":"a","sk":7,"n":2}');
  });

  it('keys a record by its Keys in schema order, the same as the snapshot of that item', () => {
    const [change] = streamRecords(record('INSERT', { NewImage: newImage }), streamCtx);
    const [scanned] = snapshotPageRecords(
      [{ n: { N: '2' }, sk: { N: '7' }, id: { S: 'a' } }],
      { tableName: 'NumTable', keySchema, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: 1, nowMs: 1 },
    );
    expect(change!.key).toBe(scanned!.key);
  });

  it('refuses records without Keys or with an unknown eventName, naming table and sequence number', () => {
    const noKeys = record('INSERT', { NewImage: newImage });
    delete noKeys.dynamodb!.Keys;
    expect(() => streamRecords(noKeys, streamCtx)).toThrow(
      /no Keys \(table "NumTable", shard shardId-\S+, sequence number 000000000000000000247\)/,
    );
    expect(() => streamRecords(record('UPSERT', {}), streamCtx)).toThrow(
      /unknown eventName "UPSERT" \(table "NumTable".*sequence number 000000000000000000247\)/,
    );
    const noTime = record('INSERT', { NewImage: newImage });
    delete noTime.dynamodb!.ApproximateCreationDateTime;
    expect(() => streamRecords(noTime, streamCtx)).toThrow(/no valid ApproximateCreationDateTime/);
    const noSequence = record('INSERT', { NewImage: newImage });
    delete noSequence.dynamodb!.SequenceNumber;
    expect(() => streamRecords(noSequence, streamCtx)).toThrow(/no SequenceNumber \(.*sequence number \(none\)\)/);
  });
});

describe('reading the envelope back (the same module writes and reads it)', () => {
  const rich = {
    id: { S: 'a' },
    sk: { N: '7' },
    big: { N: '12345678901234567890123456789012345678' },
    blob: { B: Uint8Array.from([0, 255, 7]) },
    tags: { SS: ['x', 'y'] },
    nested: { M: { list: { L: [{ NULL: true }, { BOOL: false }, { NS: ['1', '2.5'] }] } } },
  };

  it('round-trips every op: what is written is read back with the same op, table and images', () => {
    const written = [
      ...snapshotPageRecords([rich], { tableName: 'T', keySchema, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: NOW, nowMs: NOW }),
      ...streamRecords(record('INSERT', { NewImage: rich }), streamCtx),
      ...streamRecords(record('MODIFY', { OldImage: oldImage, NewImage: rich }), streamCtx),
      ...streamRecords(record('REMOVE', { OldImage: rich }), { ...streamCtx, tombstones: false }),
    ];
    const read = written.map((written) => readEnvelope(JSON.parse(written.value!))!);
    expect(read.map((envelope) => envelope.op)).toEqual(['r', 'c', 'u', 'd']);
    expect(read.every((envelope) => envelope.tableName === (envelope.op === 'r' ? 'T' : 'NumTable'))).toBe(true);
    const image = (text: string | null) => fromDynamoDbJson(JSON.parse(text!));
    expect(image(read[0]!.after)).toEqual(rich);
    expect(image(read[1]!.after)).toEqual(rich);
    expect(image(read[2]!.before)).toEqual(oldImage);
    expect(image(read[2]!.after)).toEqual(rich);
    expect(image(read[3]!.before)).toEqual(rich);
    expect(read[3]!.after).toBeNull();
  });

  it('tells other values from envelopes, and names a malformed document member', () => {
    expect(readEnvelope({ op: 'c', id: 1 })).toBeUndefined();
    expect(readEnvelope({ op: 'x', source: { tableName: 'T' }, after: null })).toBeUndefined();
    expect(readEnvelope([1, 2])).toBeUndefined();
    expect(() => readEnvelope({ op: 'c', source: { tableName: 'T' }, after: { document: 5 } })).toThrow(EnvelopeError);
    expect(() => readEnvelope({ op: 'c', source: { tableName: 'T' }, after: 'text' })).toThrow(/after must be null or \{"document"/);
  });
});
