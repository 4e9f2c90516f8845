import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { fromDynamoDbJson, type Item, type KeySchema } from '../../../src/domain/attribute-codec.js';
import { readStreamRecord, type SnapshotPage, type SnapshotSummary } from '../../../src/domain/change.js';
import { EnvelopeError } from '../../../src/formats/confluent-json.js';
import type { EncodedRecord } from '../../../src/formats/ports.js';
import {
  readTrustpilotRecord,
  trustpilotJsonEncoder,
  trustpilotName,
  withTrustpilotNames,
} from '../../../src/formats/trustpilot-json.js';

// trustpilot's Connect schema (RecordConverter, SourceInfo): the value's fields and source's, in order.
const VALUE_FIELDS = ['version', 'document', 'source', 'op', 'ts_ms'];
const SOURCE_FIELDS = ['version', 'table_name', 'init_sync', 'init_sync_state', 'init_sync_start', 'init_sync_end', 'init_sync_count'];

// The example of trustpilot's docs/data.md (a record read during INIT_SYNC), its union wrappers taken off.
const DOCS_EXAMPLE = {
  key: { id: '5028' },
  value: {
    document:
      '{"attribute-ns":{"ns":["3","1"]},"attribute-bool":{"bool":true},"attribute-ss":{"ss":["1aa","2aa"]},"attribute-1":{"s":"test185347"},' +
      '"attribute-m":{"m":{"key1":{"s":"MTYPE"}}},"id":{"s":"5028"},"attribute-null":{"null":true}}',
    source: { table_name: 'datalake-testdynamoconnector7-staging', init_sync_start: 1557387726273, init_sync_end: null },
    op: 'r',
    ts_ms: 1557387726273,
  },
};
const DOCS_ITEM: Item = {
  'attribute-ns': { NS: ['3', '1'] },
  'attribute-bool': { BOOL: true },
  'attribute-ss': { SS: ['1aa', '2aa'] },
  'attribute-1': { S: 'test185347' },
  'attribute-m': { M: { key1: { S: 'MTYPE' } } },
  id: { S: '5028' },
  'attribute-null': { NULL: true },
};

const TABLE = 'datalake-testdynamoconnector7-staging';
const SNAPSHOT_START = 1557387726273;
const page: SnapshotPage = {
  tableName: TABLE,
  keySchema: { hashKey: 'id' },
  snapshotStartTime: SNAPSHOT_START,
  snapshotCount: 1,
  segment: 2,
  totalSegments: 4,
  readAtMs: SNAPSHOT_START + 900,
  nowMs: SNAPSHOT_START + 950,
};
const snapshot: SnapshotSummary = { startedAtMs: SNAPSHOT_START, endedAtMs: SNAPSHOT_START + 60_000, items: 3 };
const CHANGED_AT = SNAPSHOT_START + 3_600_000;

/** Parses a value and checks it has exactly trustpilot's fields, in its order. */
function parseValue(record: EncodedRecord) {
  expect(typeof record.value).toBe('string');
  const value = JSON.parse(record.value as string);
  expect(Object.keys(value)).toEqual(VALUE_FIELDS);
  expect(Object.keys(value.source)).toEqual(SOURCE_FIELDS);
  return value;
}

/** A stream change as the shard reader makes it, from a DynamoDB Streams record of trustpilot's test shape. */
function change(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', keys: Item, newImage: Item | undefined, keySchema: KeySchema, summary: SnapshotSummary | null = snapshot) {
  const record = {
    eventName,
    dynamodb: { ApproximateCreationDateTime: new Date(CHANGED_AT), Keys: keys, SequenceNumber: '1000000001', ...(newImage ? { NewImage: newImage } : {}) },
  } as _Record;
  return readStreamRecord(record, { tableName: TABLE, keySchema, shardId: 'shardId-1', nowMs: CHANGED_AT + 5, snapshot: summary });
}

describe('snapshot records (op r) against the example of trustpilot\'s docs', () => {
  const [record] = trustpilotJsonEncoder(page.keySchema).snapshotPage([DOCS_ITEM], page);
  const value = parseValue(record!);

  it('keys the record by the key attributes, values as strings', () => {
    expect(JSON.parse(record!.key as string)).toEqual(DOCS_EXAMPLE.key);
    expect(record!.key).toBe('{"id":"5028"}');
  });

  it('writes the documented fields with their documented values', () => {
    expect(value.op).toBe(DOCS_EXAMPLE.value.op);
    expect(value.ts_ms).toBe(DOCS_EXAMPLE.value.ts_ms); // r records carry the snapshot's start, as trustpilot's do
    expect(value.source).toMatchObject(DOCS_EXAMPLE.value.source);
    expect(record!.timestampMs).toBe(page.readAtMs);
  });

  it("writes version 1.0, init_sync true and state RUNNING, as trustpilot's releases do", () => {
    expect(value.version).toBe('1.0');
    expect(value.source).toEqual({
      version: '1.0',
      table_name: TABLE,
      init_sync: true,
      init_sync_state: 'RUNNING',
      init_sync_start: SNAPSHOT_START,
      init_sync_end: null,
      init_sync_count: null,
    });
  });

  it('writes the document as the example does, names rewritten as trustpilot 0.12 does', () => {
    const documented = JSON.parse(DOCS_EXAMPLE.value.document) as Record<string, unknown>;
    const renamed = Object.fromEntries(Object.entries(documented).map(([name, attribute]) => [name.replaceAll('-', ''), attribute]));
    expect(JSON.parse(value.document)).toEqual(renamed);
    expect(value.document).toBe(
      '{"attributens":{"ns":["3","1"]},"attributebool":{"bool":true},"attributess":{"ss":["1aa","2aa"]},"attribute1":{"s":"test185347"},' +
        '"attributem":{"m":{"key1":{"s":"MTYPE"}}},"id":{"s":"5028"},"attributenull":{"null":true}}',
    );
  });

  it('writes one record per item, with the page\'s source member', () => {
    const items = [{ id: { S: 'a' } }, { id: { S: 'b' } }];
    const records = trustpilotJsonEncoder(page.keySchema).snapshotPage(items, page);
    expect(records.map((each) => each.key)).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(records.map((each) => parseValue(each).source)).toEqual([value.source, value.source]);
  });
});

describe('stream records (op c, u, d)', () => {
  // trustpilot's DynamoDBSourceTaskTests: a row of col1 (key), col2 and col3, then a REMOVE of key2.
  const keySchema = { hashKey: 'col1' };
  const row = { col1: { S: 'key1' }, col2: { S: 'val1' }, col3: { N: '1' } };
  const encoder = trustpilotJsonEncoder(keySchema);

  it('writes an insert and a modify with the new image, init_sync FINISHED with the snapshot\'s start, end and count', () => {
    for (const [eventName, op] of [['INSERT', 'c'], ['MODIFY', 'u']] as const) {
      const records = encoder.streamChange(change(eventName, { col1: row.col1 }, row, keySchema));
      expect(records).toHaveLength(1);
      expect(records[0]!.key).toBe('{"col1":"key1"}');
      expect(records[0]!.timestampMs).toBe(CHANGED_AT);
      const value = parseValue(records[0]!);
      expect(value).toMatchObject({ version: '1.0', op, ts_ms: CHANGED_AT });
      expect(JSON.parse(value.document)).toEqual({ col2: { s: 'val1' }, col3: { n: '1' }, col1: { s: 'key1' } });
      expect(value.source).toEqual({
        version: '1.0',
        table_name: TABLE,
        init_sync: false,
        init_sync_state: 'FINISHED',
        init_sync_start: SNAPSHOT_START,
        init_sync_end: SNAPSHOT_START + 60_000,
        init_sync_count: 3,
      });
    }
  });

  it('writes a delete as op d with the keys for document, then a tombstone of the same key', () => {
    const records = encoder.streamChange(change('REMOVE', { col1: { S: 'key2' } }, undefined, keySchema));
    expect(records).toHaveLength(2);
    const [deleted, tombstone] = records;
    expect(deleted!.key).toBe('{"col1":"key2"}');
    const value = parseValue(deleted!);
    expect(value.op).toBe('d');
    expect(value.document).toBe('{"col1":{"s":"key2"}}'); // trustpilot's own test expects exactly this
    expect(tombstone).toEqual({ key: deleted!.key, value: null, timestampMs: CHANGED_AT });
  });

  it('writes init_sync_end and init_sync_count null when an older release completed the snapshot', () => {
    const value = parseValue(encoder.streamChange(change('INSERT', { col1: row.col1 }, row, keySchema, { ...snapshot, endedAtMs: null, items: null }))[0]!);
    expect(value.source).toMatchObject({ init_sync: false, init_sync_state: 'FINISHED', init_sync_start: SNAPSHOT_START, init_sync_end: null, init_sync_count: null });
  });

  it('writes state UNDEFINED and null times when the stream is read without a snapshot', () => {
    const value = parseValue(encoder.streamChange(change('INSERT', { col1: row.col1 }, row, keySchema, null))[0]!);
    expect(value.source).toMatchObject({ init_sync: false, init_sync_state: 'UNDEFINED', init_sync_start: null, init_sync_end: null, init_sync_count: null });
  });

  it('follows a change of snapshot (a re-snapshot) in the source member', () => {
    const first = parseValue(encoder.streamChange(change('INSERT', { col1: row.col1 }, row, keySchema))[0]!);
    const later = { startedAtMs: CHANGED_AT, endedAtMs: CHANGED_AT + 1, items: 9 };
    const second = parseValue(encoder.streamChange(change('INSERT', { col1: row.col1 }, row, keySchema, later))[0]!);
    expect([first.source.init_sync_start, second.source.init_sync_start]).toEqual([SNAPSHOT_START, CHANGED_AT]);
    expect(second.source.init_sync_count).toBe(9);
  });
});

describe('keys', () => {
  it('writes hash then range key, numbers and binary as strings, whatever the item\'s order', () => {
    const keySchema = { hashKey: 'pk', rangeKey: 'sk' };
    const [record] = trustpilotJsonEncoder(keySchema).snapshotPage([{ v: { S: 'x' }, sk: { N: '12.50' }, pk: { S: 'a' } }], { ...page, keySchema });
    expect(record!.key).toBe('{"pk":"a","sk":"12.50"}');
    const [binary] = trustpilotJsonEncoder({ hashKey: 'b' }).snapshotPage([{ b: { B: Uint8Array.from([1, 2, 255]) } }], { ...page, keySchema: { hashKey: 'b' } });
    expect(binary!.key).toBe('{"b":"AQL/"}');
  });

  it('renames key attributes as the document does (trustpilot\'s RecordConverterTests)', () => {
    const keySchema = { hashKey: 'test-1234', rangeKey: '1-starts-with-number' };
    const item = {
      'test-1234': { S: 'testKV1Value' },
      '1-starts-with-number': { S: '2' },
      _starts_with_underscore: { N: '1' },
      'test!@£$%^': { S: 'testStringValue' },
    };
    const [record] = trustpilotJsonEncoder(keySchema).snapshotPage([item], { ...page, keySchema });
    expect(record!.key).toBe('{"test1234":"testKV1Value","startswithnumber":"2"}');
    expect(JSON.parse(parseValue(record!).document)).toEqual({
      test1234: { s: 'testKV1Value' },
      startswithnumber: { s: '2' },
      _starts_with_underscore: { n: '1' },
      test: { s: 'testStringValue' },
    });
  });

  it('refuses an item without its key attributes', () => {
    expect(() => trustpilotJsonEncoder({ hashKey: 'id' }).snapshotPage([{ other: { S: 'x' } }], page)).toThrow(/lacks its hash key attribute "id"/);
  });
});

describe('documents', () => {
  const every: Item = {
    s: { S: 'héllo "quoted"' },
    n: { N: '12345678901234567890123456789012345678' },
    b: { B: Uint8Array.from([0, 1, 2]) },
    ss: { SS: ['a', 'b'] },
    ns: { NS: ['1', '-2.5E-3'] },
    bs: { BS: [Uint8Array.from([9])] },
    m: { M: { 'nested-name': { L: [{ NULL: true }, { BOOL: false }] } } },
    l: { L: [{ M: {} }, { S: '' }] },
    id: { S: 'k' },
  };

  it('spells every type in lower case, keeps every digit, and reads back to the same item', () => {
    const [record] = trustpilotJsonEncoder({ hashKey: 'id' }).snapshotPage([every], page);
    const document = parseValue(record!).document as string;
    expect(document).toBe(
      '{"s":{"s":"héllo \\"quoted\\""},"n":{"n":"12345678901234567890123456789012345678"},"b":{"b":"AAEC"},"ss":{"ss":["a","b"]},' +
        '"ns":{"ns":["1","-2.5E-3"]},"bs":{"bs":["CQ=="]},"m":{"m":{"nested-name":{"l":[{"null":true},{"bool":false}]}}},' +
        '"l":{"l":[{"m":{}},{"s":""}]},"id":{"s":"k"}}',
    );
    expect(fromDynamoDbJson(JSON.parse(document), 'lower-case')).toEqual(every);
  });
});

describe('attribute names', () => {
  it('removes what trustpilot removes, keeping a name with nothing left', () => {
    expect(trustpilotName('attribute-1')).toBe('attribute1');
    expect(trustpilotName('_ok_9')).toBe('_ok_9');
    expect(trustpilotName('12ab')).toBe('2ab'); // trustpilot only ever looks at the first character as a first one
    expect(trustpilotName('a.b c/😀d')).toBe('abcd');
    expect(trustpilotName('-')).toBe('-');
  });

  it('lets an attribute already so named win over a rewrite, else the first rewrite', () => {
    expect(withTrustpilotNames({ 'a-b': { S: 'rewritten' }, ab: { S: 'exact' } })).toEqual({ ab: { S: 'exact' } });
    expect(withTrustpilotNames({ 'a-b': { S: 'first' }, 'a.b': { S: 'second' } })).toEqual({ ab: { S: 'first' } });
    const plain = { a: { S: 'x' } };
    expect(withTrustpilotNames(plain)).toBe(plain);
  });
});

describe('readTrustpilotRecord', () => {
  it('reads back the records it writes: op, table, document (null when blank)', () => {
    const keySchema = { hashKey: 'col1' };
    const encoder = trustpilotJsonEncoder(keySchema);
    const [inserted] = encoder.streamChange(change('INSERT', { col1: { S: 'k' } }, { col1: { S: 'k' }, v: { N: '2' } }, keySchema));
    expect(readTrustpilotRecord(JSON.parse(inserted!.value as string))).toEqual({ op: 'c', tableName: TABLE, document: '{"col1":{"s":"k"},"v":{"n":"2"}}' });
    const [deleted] = encoder.streamChange(change('REMOVE', { col1: { S: 'k' } }, undefined, keySchema));
    expect(readTrustpilotRecord(JSON.parse(deleted!.value as string))).toMatchObject({ op: 'd', document: '{"col1":{"s":"k"}}' });
    for (const blank of ['', ' ', '{}', null]) {
      expect(readTrustpilotRecord({ document: blank, source: { table_name: 't' }, op: 'd' })).toEqual({ op: 'd', tableName: 't', document: null });
    }
  });

  it('is undefined for other values, the confluent envelope among them', () => {
    expect(readTrustpilotRecord({ op: 'c', source: { tableName: 't' }, before: null, after: { document: '{}' } })).toBeUndefined();
    expect(readTrustpilotRecord({ document: '{}', op: 'x', source: { table_name: 't' } })).toBeUndefined();
    expect(readTrustpilotRecord({ document: '{}', op: 'c', source: {} })).toBeUndefined();
    expect(readTrustpilotRecord({ op: 'c', source: { table_name: 't' } })).toBeUndefined();
    expect(readTrustpilotRecord(['document'])).toBeUndefined();
  });

  it('refuses a document that is not text', () => {
    expect(() => readTrustpilotRecord({ document: { id: { s: 'a' } }, op: 'c', source: { table_name: 't' } })).toThrow(EnvelopeError);
  });
});
