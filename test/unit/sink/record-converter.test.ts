import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import type { Item, KeySchema } from '../../../src/domain/attribute-codec.js';
import { readStreamRecord } from '../../../src/domain/change.js';
import type { DocumentFormat } from '../../../src/formats/confluent-json.js';
import { trustpilotJsonEncoder } from '../../../src/formats/trustpilot-json.js';
import { snapshotPageRecords, streamRecords } from '../../support/envelopes.js';
import { itemSize, MAX_ITEM_BYTES } from '../../../src/sink/item-size.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { ConversionError, convertRecord, tableNameFor, type ConverterSettings } from '../../../src/sink/record-converter.js';
import type { SinkRecord } from '../../../src/sink/sink-record.js';

const settings = (overrides: Partial<ConverterSettings> & { hashText?: string; sortText?: string } = {}): ConverterSettings => {
  const { hashText, sortText, ...rest } = overrides;
  // Confluent's defaults: partition and offset; an empty sort: no sort key.
  const sort = sortText ?? 'offset';
  return {
    inputFormat: 'JSON',
    hash: parseKeyReference(hashText ?? 'partition', 'aws.dynamodb.pk.hash'),
    ...(sort === '' ? {} : { sort: parseKeyReference(sort, 'aws.dynamodb.pk.sort') }),
    tableNameFormat: '${topic}',
    nullValues: 'delete',
    ...rest,
  };
};

const sinkRecord = (value: string | Buffer | null, key: string | Buffer | null = null, offset = '17'): SinkRecord => ({
  topic: 'orders',
  partition: 2,
  offset,
  key: typeof key === 'string' ? Buffer.from(key) : key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

function conversionError(run: () => unknown): ConversionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConversionError);
    return error as ConversionError;
  }
  throw new Error('expected a ConversionError');
}

const ORDER = '{"ordertime":1511538140542,"orderid":3243,"itemid":"Item_117","orderunits":1.135368875862714,"address":{"city":"City_43","state":"State_53"}}';

describe('JSON values', () => {
  it("adds partition and offset (Confluent's defaults) to the value's attributes, numbers exact", () => {
    const op = convertRecord(sinkRecord(ORDER), settings());
    expect(op).toEqual({
      kind: 'put',
      table: 'orders',
      key: { partition: { N: '2' }, offset: { N: '17' } },
      keySchema: { hashKey: 'partition', rangeKey: 'offset', types: { partition: 'N', offset: 'N' } },
      item: {
        partition: { N: '2' },
        offset: { N: '17' },
        ordertime: { N: '1511538140542' },
        orderid: { N: '3243' },
        itemid: { S: 'Item_117' },
        orderunits: { N: '1.135368875862714' },
        address: { M: { city: { S: 'City_43' }, state: { S: 'State_53' } } },
      },
    });
  });

  it('takes keys from value fields (hash only, then hash and sort)', () => {
    const hashOnly = convertRecord(sinkRecord(ORDER), settings({ hashText: 'value.orderid', sortText: '' }));
    expect(hashOnly).toMatchObject({ kind: 'put', key: { orderid: { N: '3243' } }, keySchema: { hashKey: 'orderid', types: { orderid: 'N' } } });
    expect(hashOnly.kind === 'put' && hashOnly.keySchema.rangeKey).toBeUndefined();

    const both = convertRecord(sinkRecord(ORDER), settings({ hashText: 'value.orderid', sortText: 'value.address.city:city' }));
    expect(both).toMatchObject({ key: { orderid: { N: '3243' }, city: { S: 'City_43' } } });
    expect(both.kind === 'put' && Object.keys(both.item)).toEqual(['orderid', 'city', 'ordertime', 'itemid', 'orderunits', 'address']);
  });

  it('keeps 38-digit and exponent numbers as written, and refuses out-of-range ones', () => {
    const op = convertRecord(sinkRecord('{"id":"a","big":12345678901234567890123456789012345678,"e":-1.5E-130,"p":1.50}'), settings({ hashText: 'value.id', sortText: '' }));
    expect(op.kind === 'put' && op.item).toMatchObject({
      big: { N: '12345678901234567890123456789012345678' },
      e: { N: '-1.5E-130' },
      p: { N: '1.50' },
    });
    const error = conversionError(() => convertRecord(sinkRecord('{"id":"a","x":1e126}'), settings({ hashText: 'value.id', sortText: '' })));
    expect(error.message).toMatch(/^topic orders partition 2 offset 17: value\.x: number 1e126 out of DynamoDB's range/);
  });

  it('refuses a value that is not a JSON object, naming topic, partition and offset', () => {
    for (const value of ['[1,2]', '"text"', '12', 'null']) {
      const error = conversionError(() => convertRecord(sinkRecord(value), settings()));
      expect(error.message).toMatch(/^topic orders partition 2 offset 17: value must be a JSON object/);
      expect(error.reason).toMatch(/^value must be a JSON object/);
      expect(error.position).toEqual({ topic: 'orders', partition: 2, offset: '17' });
      expect(error.name).toBe('ConversionError');
    }
    expect(conversionError(() => convertRecord(sinkRecord('{oops'), settings())).reason).toMatch(/value is not valid JSON/);
    expect(conversionError(() => convertRecord(sinkRecord(Buffer.from([0xff, 0xfe])), settings())).reason).toBe('value is not valid UTF-8 text');
  });

  it('converts Kafka Connect JSON by its schema (bytes → B)', () => {
    const value = JSON.stringify({
      schema: { type: 'struct', fields: [{ field: 'id', type: 'string' }, { field: 'blob', type: 'bytes' }, { field: 'n', type: 'int64' }] },
      payload: { id: 'x', blob: Buffer.from([1, 2, 3]).toString('base64'), n: 5 },
    });
    const op = convertRecord(sinkRecord(value), settings({ hashText: 'value.id', sortText: '' }));
    expect(op).toMatchObject({ kind: 'put', key: { id: { S: 'x' } }, item: { id: { S: 'x' }, blob: { B: Uint8Array.of(1, 2, 3) }, n: { N: '5' } } });
  });

  it('reads the Kafka key as JSON when it parses, as text otherwise', () => {
    const withKey = (key: string, hashText = 'key') => convertRecord(sinkRecord('{"a":1}', key), settings({ hashText, sortText: '' }));
    expect(withKey('"abc"')).toMatchObject({ key: { key: { S: 'abc' } } });
    expect(withKey('42')).toMatchObject({ key: { key: { N: '42' } } });
    expect(withKey('plain-text')).toMatchObject({ key: { key: { S: 'plain-text' } } });
    expect(withKey('{"user":{"id":"u1"}}', 'key.user.id:uid')).toMatchObject({ key: { uid: { S: 'u1' } }, item: { uid: { S: 'u1' }, a: { N: '1' } } });
    expect(conversionError(() => withKey('{"id":"u1"}')).reason).toMatch(/key attribute "key" must be a string, number or binary; key is a map/);
    expect(conversionError(() => withKey('not json', 'key.id')).reason).toMatch(/the record key is not JSON, so key\.id cannot be read from it/);
    expect(conversionError(() => convertRecord(sinkRecord('{"a":1}'), settings({ hashText: 'key', sortText: '' }))).reason).toMatch(/the record has no key/);
  });

  it('lets the key attributes win over value attributes of the same name', () => {
    const op = convertRecord(sinkRecord('{"partition":"mine","x":1}'), settings());
    expect(op.kind === 'put' && op.item.partition).toEqual({ N: '2' });
  });
});

describe('STRING and BYTES values', () => {
  it('stores a STRING value in the S attribute "value"', () => {
    const op = convertRecord(sinkRecord('héllo', 'k1'), settings({ inputFormat: 'STRING', hashText: 'key', sortText: '' }));
    expect(op).toEqual({
      kind: 'put',
      table: 'orders',
      key: { key: { S: 'k1' } },
      keySchema: { hashKey: 'key', types: { key: 'S' } },
      item: { key: { S: 'k1' }, value: { S: 'héllo' } },
    });
    // A STRING key stays a string, even when it looks like a number.
    expect(convertRecord(sinkRecord('v', '42'), settings({ inputFormat: 'STRING', hashText: 'key', sortText: '' }))).toMatchObject({ key: { key: { S: '42' } } });
    expect(convertRecord(sinkRecord('{"not":"parsed"}'), settings({ inputFormat: 'STRING' }))).toMatchObject({
      item: { partition: { N: '2' }, offset: { N: '17' }, value: { S: '{"not":"parsed"}' } },
    });
    expect(conversionError(() => convertRecord(sinkRecord(Buffer.from([0xc3])), settings({ inputFormat: 'STRING' }))).reason).toMatch(/not valid UTF-8/);
  });

  it('stores a BYTES value in the B attribute "value", a BYTES key as B', () => {
    const op = convertRecord(sinkRecord(Buffer.from([0, 255]), Buffer.from([7, 8])), settings({ inputFormat: 'BYTES', hashText: 'key:k', sortText: 'offset' }));
    expect(op).toEqual({
      kind: 'put',
      table: 'orders',
      key: { k: { B: Uint8Array.of(7, 8) }, offset: { N: '17' } },
      keySchema: { hashKey: 'k', rangeKey: 'offset', types: { k: 'B', offset: 'N' } },
      item: { k: { B: Uint8Array.of(7, 8) }, offset: { N: '17' }, value: { B: Uint8Array.of(0, 255) } },
    });
  });

  it('can use the whole value as the key', () => {
    expect(convertRecord(sinkRecord('v1'), settings({ inputFormat: 'STRING', hashText: 'value:id', sortText: '' }))).toMatchObject({
      key: { id: { S: 'v1' } },
      item: { id: { S: 'v1' }, value: { S: 'v1' } },
    });
  });
});

// ------------------------------------------------------------------------------------------------ source envelopes

const COMPOSITE: KeySchema = { hashKey: 'pk', rangeKey: 'sk' };
const composite: Item = {
  pk: { S: 'user#1' },
  sk: { N: '12' },
  big: { N: '12345678901234567890123456789012345678' },
  tags: { SS: ['a', 'b'] },
  blob: { B: Uint8Array.of(0, 1, 2) },
  nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }] } } },
};
const CHANGED_AT = 1_719_830_940_000;

function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { OldImage?: Item; NewImage?: Item }, keys: Item): _Record {
  return {
    eventName,
    dynamodb: { ApproximateCreationDateTime: new Date(CHANGED_AT), Keys: keys, SequenceNumber: '000000000000000000247', ...images },
  } as _Record;
}

function fromSource(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { OldImage?: Item; NewImage?: Item }, keys: Item, keySchema = COMPOSITE, format?: DocumentFormat) {
  const records = streamRecords(streamRecord(eventName, images, keys), {
    tableName: 'Source',
    keySchema,
    shardId: 'shardId-1',
    tombstones: true,
    nowMs: CHANGED_AT + 5,
    ...(format ? { format } : {}),
  });
  return records.map((record, i) => sinkRecord(record.value, record.key, String(100 + i)));
}

describe('source change envelopes', () => {
  // The key settings are deliberately the defaults (partition/offset): envelopes need none.
  const envelopeSettings = settings({ tableNameFormat: 'replica-${topic}' });
  const keys = { pk: composite.pk!, sk: composite.sk! };

  it('puts the after document of op c, u and r as it is, keyed by the source key (DynamoDB JSON)', () => {
    const expected = {
      kind: 'put',
      table: 'replica-orders',
      item: composite,
      key: keys,
      keySchema: { hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } },
    };
    const [created] = fromSource('INSERT', { NewImage: composite }, keys);
    expect(convertRecord(created!, envelopeSettings)).toEqual(expected);
    const [updated] = fromSource('MODIFY', { OldImage: { ...composite, big: { N: '1' } }, NewImage: composite }, keys);
    expect(convertRecord(updated!, envelopeSettings)).toEqual(expected);
    const [read] = snapshotPageRecords([composite], {
      tableName: 'Source',
      keySchema: COMPOSITE,
      snapshotStartTime: 1,
      snapshotCount: 1,
      segment: 0,
      totalSegments: 1,
      readAtMs: 2,
      nowMs: 3,
    }).map((record) => sinkRecord(record.value, record.key));
    expect(convertRecord(read!, envelopeSettings)).toEqual(expected);
  });

  it('puts plain JSON documents, digits intact', () => {
    const [created] = fromSource('INSERT', { NewImage: composite }, keys, COMPOSITE, 'json');
    expect(convertRecord(created!, envelopeSettings)).toEqual({
      kind: 'put',
      table: 'replica-orders',
      item: {
        pk: { S: 'user#1' },
        sk: { N: '12' },
        big: { N: '12345678901234567890123456789012345678' },
        tags: { L: [{ S: 'a' }, { S: 'b' }] },
        blob: { S: 'AAEC' },
        nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }] } } },
      },
      key: keys,
      keySchema: { hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } },
    });
  });

  it('deletes on op d with the key of the before document, then again on its tombstone', () => {
    for (const format of ['dynamodb-json', 'json'] as const) {
      const records = fromSource('REMOVE', { OldImage: composite }, keys, COMPOSITE, format);
      expect(records).toHaveLength(2);
      const expected = { kind: 'delete', table: 'replica-orders', key: keys, keySchema: { hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } } };
      expect(convertRecord(records[0]!, envelopeSettings)).toEqual(expected);
      expect(records[1]!.value).toBeNull();
      expect(convertRecord(records[1]!, envelopeSettings)).toEqual(expected);
    }
  });

  it('keeps binary and single-attribute keys of DynamoDB JSON documents', () => {
    const item: Item = { id: { B: Uint8Array.of(9, 9) }, v: { S: 'x' } };
    const [created] = fromSource('INSERT', { NewImage: item }, { id: item.id! }, { hashKey: 'id' });
    expect(convertRecord(created!, envelopeSettings)).toEqual({
      kind: 'put',
      table: 'replica-orders',
      item,
      key: { id: { B: Uint8Array.of(9, 9) } },
      keySchema: { hashKey: 'id', types: { id: 'B' } },
    });
    // Its tombstone carries the key as base64 text: decoded back when the table is known to store B.
    const [, tombstone] = fromSource('REMOVE', { OldImage: item }, { id: item.id! }, { hashKey: 'id' });
    expect(convertRecord(tombstone!, { ...envelopeSettings, keySchemaOf: () => ({ hashKey: 'id', types: { id: 'B' } }) })).toMatchObject({
      kind: 'delete',
      key: { id: { B: Uint8Array.of(9, 9) } },
    });
  });

  it('deletes by the Kafka key when op d has no before document', () => {
    const value = JSON.stringify({ op: 'd', source: { tableName: 'Source' }, before: null, after: null });
    expect(convertRecord(sinkRecord(value, '{"pk":"user#1","sk":12}'), envelopeSettings)).toMatchObject({ kind: 'delete', key: keys });
  });

  it("falls back to the existing table's key schema when the Kafka key is not a key object", () => {
    const [created] = fromSource('INSERT', { NewImage: composite }, keys);
    const keyless = { ...created!, key: null };
    expect(conversionError(() => convertRecord(keyless, envelopeSettings)).reason).toMatch(/its Kafka key is not the JSON object of the key attributes/);
    const known = convertRecord(keyless, { ...envelopeSettings, keySchemaOf: () => ({ hashKey: 'pk', rangeKey: 'sk' }) });
    expect(known).toMatchObject({ kind: 'put', key: keys });
  });

  it('refuses a document that lacks the key, an op c without after, a malformed document member', () => {
    const envelope = (fields: object) => JSON.stringify({ op: 'c', source: { tableName: 'Source' }, before: null, ...fields });
    const key = '{"pk":"a","sk":1}';
    expect(conversionError(() => convertRecord(sinkRecord(envelope({ after: { document: '{"pk":{"S":"a"}}' } }), key), envelopeSettings)).reason).toMatch(
      /source change record: after: Item lacks its range key attribute "sk"/,
    );
    expect(conversionError(() => convertRecord(sinkRecord(envelope({ after: null }), key), envelopeSettings)).reason).toMatch(/op "c" has no after document/);
    expect(conversionError(() => convertRecord(sinkRecord(envelope({ after: { doc: 1 } }), key), envelopeSettings)).reason).toMatch(
      /after must be null or \{"document"/,
    );
    expect(conversionError(() => convertRecord(sinkRecord(envelope({ after: { document: '{"pk":{"S":""},"sk":{"N":"1"}}' } }), key), envelopeSettings)).reason).toMatch(
      /key attribute "pk" is empty/,
    );
  });

  it('treats look-alikes that are not envelopes as ordinary values', () => {
    const op = convertRecord(sinkRecord('{"op":"x","source":{"tableName":"T"},"after":null}'), settings());
    expect(op).toMatchObject({ kind: 'put', item: { op: { S: 'x' }, after: { NULL: true } } });
  });
});

describe("trustpilot's record shape", () => {
  const envelopeSettings = settings({ tableNameFormat: 'replica-${topic}' });
  const keys = { pk: composite.pk!, sk: composite.sk! };
  const keySchema = { hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } };

  function fromTrustpilot(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', newImage: Item | undefined) {
    const change = readStreamRecord(streamRecord(eventName, newImage ? { NewImage: newImage } : {}, keys), {
      tableName: 'Source',
      keySchema: COMPOSITE,
      shardId: 'shardId-1',
      nowMs: CHANGED_AT + 5,
    });
    return trustpilotJsonEncoder(COMPOSITE)
      .streamChange(change)
      .map((record, i) => sinkRecord(record.value as string | null, record.key as string, String(100 + i)));
  }

  it('puts the document of op r, c and u, its lower-case types read back exactly', () => {
    const expected = { kind: 'put', table: 'replica-orders', item: composite, key: keys, keySchema };
    for (const eventName of ['INSERT', 'MODIFY'] as const) expect(convertRecord(fromTrustpilot(eventName, composite)[0]!, envelopeSettings)).toEqual(expected);
    const page = { tableName: 'Source', keySchema: COMPOSITE, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: 2, nowMs: 3 };
    const [read] = trustpilotJsonEncoder(COMPOSITE).snapshotPage([composite], page);
    expect(convertRecord(sinkRecord(read!.value as string, read!.key as string), envelopeSettings)).toEqual(expected);
    // Whatever the documents setting says: trustpilot's document has one form.
    expect(convertRecord(fromTrustpilot('INSERT', composite)[0]!, { ...envelopeSettings, envelopeDocuments: 'json' })).toEqual(expected);
  });

  it('deletes on op d by the keys in its document, then on its tombstone by the string key, typed as the table stores it', () => {
    const [deleted, tombstone] = fromTrustpilot('REMOVE', undefined);
    expect(tombstone!.value).toBeNull();
    expect(tombstone!.key!.toString()).toBe('{"pk":"user#1","sk":"12"}');
    const expected = { kind: 'delete', table: 'replica-orders', key: keys, keySchema };
    expect(convertRecord(deleted!, envelopeSettings)).toEqual(expected);
    const known = { ...envelopeSettings, keySchemaOf: () => ({ hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } as const }) };
    expect(convertRecord(tombstone!, known)).toEqual(expected);
    // Text that is no number stays text, and is refused as such.
    expect(conversionError(() => convertRecord(sinkRecord(null, '{"pk":"user#1","sk":"twelve"}'), known)).reason).toBe(
      'key attribute "sk" is of type S, but table replica-orders stores it as N',
    );
  });

  it('deletes by the Kafka key when the document is empty, as trustpilot\'s docs describe it', () => {
    const value = JSON.stringify({ version: '1.0', document: '', source: { version: '1.0', table_name: 'Source' }, op: 'd', ts_ms: 1 });
    const known = { ...envelopeSettings, keySchemaOf: () => ({ hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } as const }) };
    expect(convertRecord(sinkRecord(value, '{"pk":"user#1","sk":"12"}'), known)).toMatchObject({ kind: 'delete', key: keys });
  });

  it('reads a record in Kafka Connect JSON (schemas.enable=true), and refuses a document that is not text or not lower-case', () => {
    const payload = { version: '1.0', document: '{"pk":{"s":"a"},"sk":{"n":"1"}}', source: { version: '1.0', table_name: 'Source', init_sync: true }, op: 'r', ts_ms: 1 };
    const wrapped = JSON.stringify({ schema: { type: 'struct', fields: [] }, payload });
    expect(convertRecord(sinkRecord(wrapped, '{"pk":"a","sk":"1"}'), envelopeSettings)).toMatchObject({ kind: 'put', item: { pk: { S: 'a' }, sk: { N: '1' } } });
    const value = (document: unknown) => JSON.stringify({ ...payload, document });
    expect(conversionError(() => convertRecord(sinkRecord(value({ pk: 1 }), '{"pk":"a","sk":"1"}'), envelopeSettings)).reason).toMatch(/document must be a string/);
    expect(conversionError(() => convertRecord(sinkRecord(value('{"pk":{"S":"a"},"sk":{"N":"1"}}'), '{"pk":"a","sk":"1"}'), envelopeSettings)).reason).toMatch(
      /after document: Attribute pk: unknown type tag "S"/,
    );
  });
});

// ------------------------------------------------------------------------------------------------ tombstones

describe('tombstones', () => {
  it('ignore → skip, fail → ConversionError', () => {
    expect(convertRecord(sinkRecord(null, 'k'), settings({ nullValues: 'ignore' }))).toEqual({
      kind: 'skip',
      reason: 'null value (tombstone) ignored: null values are set to ignore',
    });
    const error = conversionError(() => convertRecord(sinkRecord(null, 'k'), settings({ nullValues: 'fail' })));
    expect(error.message).toBe('topic orders partition 2 offset 17: the record value is null (a tombstone) and null values are set to fail');
  });

  it('delete → by the key object of a source record', () => {
    expect(convertRecord(sinkRecord(null, '{"id":"a"}'), settings())).toEqual({
      kind: 'delete',
      table: 'orders',
      key: { id: { S: 'a' } },
      keySchema: { hashKey: 'id', types: { id: 'S' } },
    });
  });

  it('delete → by the key mapping when it names key fields, or when the key is no key object', () => {
    expect(convertRecord(sinkRecord(null, '{"user":{"id":"u"},"x":1}'), settings({ hashText: 'key.user.id:uid', sortText: '' }))).toMatchObject({
      kind: 'delete',
      key: { uid: { S: 'u' } },
    });
    expect(convertRecord(sinkRecord(null, 'plain'), settings({ hashText: 'key', sortText: '' }))).toMatchObject({ kind: 'delete', key: { key: { S: 'plain' } } });
    expect(convertRecord(sinkRecord(null, 'plain'), settings({ inputFormat: 'STRING', hashText: 'key:k', sortText: 'partition' }))).toMatchObject({
      kind: 'delete',
      key: { k: { S: 'plain' }, partition: { N: '2' } },
    });
  });

  it('delete → refuses a mapping that needs the value, or a missing key', () => {
    expect(conversionError(() => convertRecord(sinkRecord(null, 'plain'), settings({ hashText: 'value.id', sortText: '' }))).reason).toMatch(
      /a tombstone has no value to take the key attribute "id" from \(value\.id\)/,
    );
    expect(conversionError(() => convertRecord(sinkRecord(null, null), settings({ hashText: 'key', sortText: '' }))).reason).toMatch(/the record has no key/);
  });

  it("delete → uses the key mapping when the key object does not match the table's key", () => {
    const op = convertRecord(sinkRecord(null, '{"id":"a"}'), settings({ keySchemaOf: () => ({ hashKey: 'partition', rangeKey: 'offset' }) }));
    expect(op).toMatchObject({ kind: 'delete', key: { partition: { N: '2' }, offset: { N: '17' } } });
  });
});

// ------------------------------------------------------------------------------------------------ checks

describe('checks', () => {
  const stringSettings = settings({ inputFormat: 'STRING', hashText: 'key', sortText: '' });
  // {key: "k", value: <text>}: 3 + 1 + 5 + text bytes.
  const overhead = 'key'.length + 'k'.length + 'value'.length;

  it("accepts an item of exactly 400 KB and refuses one byte more", () => {
    const fits = convertRecord(sinkRecord('x'.repeat(MAX_ITEM_BYTES - overhead), 'k'), stringSettings);
    expect(fits.kind === 'put' && itemSize(fits.item)).toBe(409_600);
    const error = conversionError(() => convertRecord(sinkRecord('x'.repeat(MAX_ITEM_BYTES - overhead + 1), 'k'), stringSettings));
    expect(error.reason).toBe("item is 409601 bytes, over DynamoDB's 400 KB limit (409600 bytes)");
    // Multi-byte characters count in UTF-8 bytes.
    expect(() => convertRecord(sinkRecord('é'.repeat((MAX_ITEM_BYTES - overhead) / 2 + 1), 'k'), stringSettings)).toThrow(/item is 409601 bytes/);
  });

  it('refuses an empty string or empty binary as a key value', () => {
    expect(conversionError(() => convertRecord(sinkRecord('{"id":""}'), settings({ hashText: 'value.id', sortText: '' }))).reason).toBe(
      'key attribute "id" is empty; DynamoDB refuses empty strings as key values',
    );
    expect(conversionError(() => convertRecord(sinkRecord('v', ''), stringSettings)).reason).toMatch(/key attribute "key" is empty/);
    expect(conversionError(() => convertRecord(sinkRecord('v', Buffer.alloc(0)), settings({ inputFormat: 'BYTES', hashText: 'key', sortText: '' }))).reason).toMatch(
      /empty binary/,
    );
  });

  it("refuses key values over DynamoDB's key size limits", () => {
    expect(conversionError(() => convertRecord(sinkRecord('v', 'k'.repeat(2049)), stringSettings)).reason).toMatch(/hash key attribute "key" is 2049 bytes, over DynamoDB's 2048-byte limit/);
    expect(convertRecord(sinkRecord('v', 'k'.repeat(2048)), stringSettings).kind).toBe('put');
    const sorted = settings({ inputFormat: 'STRING', hashText: 'partition', sortText: 'key' });
    expect(conversionError(() => convertRecord(sinkRecord('v', 'k'.repeat(1025)), sorted)).reason).toMatch(/sort key attribute "key" is 1025 bytes/);
  });

  it("refuses a key that does not fit an existing table's key schema", () => {
    const existing = settings({ hashText: 'value.id', sortText: '', keySchemaOf: (table) => (table === 'orders' ? { hashKey: 'id', types: { id: 'S' } } : undefined) });
    expect(convertRecord(sinkRecord('{"id":"a"}'), existing).kind).toBe('put');
    expect(conversionError(() => convertRecord(sinkRecord('{"id":5}'), existing)).reason).toBe('key attribute "id" is of type N, but table orders stores it as S');
    const other = settings({ keySchemaOf: () => ({ hashKey: 'id' }) });
    expect(conversionError(() => convertRecord(sinkRecord('{"id":"a"}'), other)).reason).toBe("table orders has the key (id), but the record's key is (partition, offset)");
  });

  it('names tables from the topic, and refuses names DynamoDB would', () => {
    expect(tableNameFor('kafka_${topic}_${topic}', 'a.b')).toBe('kafka_a.b_a.b');
    expect(convertRecord(sinkRecord('{}'), settings({ tableNameFormat: 'dst-${topic}' }))).toMatchObject({ table: 'dst-orders' });
    expect(conversionError(() => convertRecord({ ...sinkRecord('{}'), topic: 'ab' }, settings())).reason).toMatch(/table name "ab" .* is not a valid DynamoDB table name/);
  });
});

describe('itemSize', () => {
  it("follows AWS's rules for every type", () => {
    expect(itemSize({ s: { S: 'héllo' } })).toBe(1 + 6);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 3 + 1);
    expect(itemSize({ n: { N: '0.00100' } })).toBe(1 + 1 + 1);
    expect(itemSize({ n: { N: '12345678901234567890123456789012345678' } })).toBe(1 + 19 + 1);
    expect(itemSize({ b: { B: new Uint8Array(10) } })).toBe(1 + 10);
    expect(itemSize({ t: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemSize({ ss: { SS: ['ab', 'c'] }, ns: { NS: ['1', '22'] }, bs: { BS: [new Uint8Array(4)] } })).toBe(2 + 3 + 2 + (2 + 2) + 2 + 4);
    expect(itemSize({ m: { M: {} }, l: { L: [] } })).toBe(1 + 3 + 1 + 3);
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + (1 + 2 + 1));
    expect(itemSize({ l: { L: [{ S: 'xy' }, { N: '1' }] } })).toBe(1 + 3 + (2 + 1) + (2 + 1));
  });
});
