import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { Ajv } from 'ajv';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/domain/attribute-codec.js';
import { readStreamRecord, type SnapshotPage, type StreamChange } from '../../../src/domain/change.js';
import type { TableInfo } from '../../../src/domain/table-info.js';
import { trustpilotAvroFormat, trustpilotValueSchema } from '../../../src/formats/avro/trustpilot-avro.js';
import { trustpilotJsonSchemaFormat } from '../../../src/formats/json-schema/trustpilot-json-sr.js';
import type { ChangeEncoder, EncodedRecord } from '../../../src/formats/ports.js';
import { trustpilotProtobufFormat } from '../../../src/formats/protobuf/trustpilot-protobuf.js';
import type { SubjectNameStrategy } from '../../../src/domain/subject-names.js';
import { trustpilotJsonEncoder, trustpilotKeyRecordName } from '../../../src/formats/trustpilot-json.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';

const TOPIC = 'dynamodb-orders-v2';
const TABLE = { name: 'orders-v2', keySchema: { hashKey: 'id', rangeKey: 'order-no' }, keyTypes: { id: 'S', 'order-no': 'N' } } as Partial<TableInfo> as TableInfo;
const ITEM: Item = {
  id: { S: 'a' },
  'order-no': { N: '12345678901234567890123456789012345678' },
  'attribute-1': { S: '' },
  blob: { B: Uint8Array.from([0, 255]) },
  nested: { M: { list: { L: [{ N: '1.5' }, { NULL: true }] } } },
};
const KEYS: Item = { id: ITEM.id!, 'order-no': ITEM['order-no']! };
const START = 1_557_387_726_273;
const PAGE: SnapshotPage = { tableName: TABLE.name, keySchema: TABLE.keySchema, snapshotStartTime: START, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: START + 9, nowMs: START + 10 };

function change(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', snapshot: StreamChange['snapshot'] | null): StreamChange {
  const record = {
    eventName,
    dynamodb: { ApproximateCreationDateTime: new Date(START + 3_600_000), Keys: KEYS, SequenceNumber: '100', ...(eventName === 'REMOVE' ? {} : { NewImage: ITEM }) },
  } as _Record;
  return readStreamRecord(record, { tableName: TABLE.name, keySchema: TABLE.keySchema, shardId: 'shardId-1', nowMs: START + 3_600_005, snapshot: snapshot ?? null });
}

/** A snapshot read, a put, an update and a delete (with its tombstone) after a finished snapshot, and one change without one. */
function records(encoder: ChangeEncoder): EncodedRecord[] {
  const finished = { startedAtMs: START, endedAtMs: START + 60_000, items: 3 };
  return [
    ...encoder.snapshotPage([ITEM], PAGE),
    ...encoder.streamChange(change('INSERT', finished)),
    ...encoder.streamChange(change('MODIFY', finished)),
    ...encoder.streamChange(change('REMOVE', finished)),
    ...encoder.streamChange(change('INSERT', null)),
  ];
}

const jsonForm = () => records(trustpilotJsonEncoder(TABLE.keySchema)).map((record) => ({ key: JSON.parse(record.key as string), value: record.value === null ? null : JSON.parse(record.value as string) }));
const strategyOptions = (registry: InMemorySchemaRegistry, strategy: SubjectNameStrategy = 'TopicNameStrategy') => ({ registry, keySubjects: { strategy }, valueSubjects: { strategy }, registryKeys: true });

/** Decodes wire-format Avro with avsc against the schema registered under the id its header names. */
async function avroDecode(registry: InMemorySchemaRegistry, bytes: Buffer): Promise<unknown> {
  expect(bytes[0]).toBe(0);
  const schema = await registry.schemaById(bytes.readInt32BE(1));
  expect(schema.schemaType).toBe('AVRO');
  return avro.Type.forSchema(JSON.parse(schema.schema) as avro.Schema).fromBuffer(bytes.subarray(5));
}

describe("trustpilot's record shape in AVRO", () => {
  it('decodes, against the registered schemas, to the JSON form field by field: keys, values, the delete and its tombstone', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await trustpilotAvroFormat(strategyOptions(registry)).forTable(TABLE, TOPIC);
    const decoded = await Promise.all(
      records(encoder).map(async (record) => ({
        key: { ...((await avroDecode(registry, record.key as Buffer)) as object) },
        value: record.value === null ? null : JSON.parse(JSON.stringify(await avroDecode(registry, record.value as Buffer))),
      })),
    );
    const json = jsonForm();
    expect(decoded).toEqual(json);
    expect(decoded.map((record) => record.value?.op ?? null)).toEqual(['r', 'c', 'u', 'd', null, 'c']);
    // Field order, as trustpilot's schema has it.
    expect(Object.keys(decoded[0]!.value)).toEqual(['version', 'document', 'source', 'op', 'ts_ms']);
    expect(decoded[0]!.key).toEqual({ id: 'a', orderno: '12345678901234567890123456789012345678' });
    expect(decoded[5]!.value.source).toMatchObject({ init_sync_state: 'UNDEFINED', init_sync_start: null });
  });

  it("registers trustpilot's names: the shared envelope, the topic's key record", async () => {
    const registry = new InMemorySchemaRegistry();
    await trustpilotAvroFormat(strategyOptions(registry, 'RecordNameStrategy')).forTable(TABLE, TOPIC);
    expect([...registry.subjects.keys()]).toEqual(['com.trustpilot.connector.dynamodb.envelope', 'dynamodb_orders_v2.Key']);
    const topics = new InMemorySchemaRegistry();
    await trustpilotAvroFormat(strategyOptions(topics)).forTable(TABLE, TOPIC);
    expect([...topics.subjects.keys()]).toEqual([`${TOPIC}-value`, `${TOPIC}-key`]);
    expect(trustpilotValueSchema().fields.map((field) => field.name)).toEqual(['version', 'document', 'source', 'op', 'ts_ms']);
  });

  it('writes the JSON form\'s key text when keys are not in the registry format', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await trustpilotAvroFormat({ ...strategyOptions(registry), registryKeys: false }).forTable(TABLE, TOPIC);
    expect(encoder.snapshotPage([ITEM], PAGE)[0]!.key).toBe('{"id":"a","orderno":"12345678901234567890123456789012345678"}');
    expect([...registry.subjects.keys()]).toEqual([`${TOPIC}-value`]);
  });
});

describe("trustpilot's record shape in JSON_SR", () => {
  it("is the JSON form's text behind the header, valid against the registered JSON Schemas", async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await trustpilotJsonSchemaFormat(strategyOptions(registry)).forTable(TABLE, TOPIC);
    const framed = records(encoder);
    const plain = records(trustpilotJsonEncoder(TABLE.keySchema));
    const ajv = new Ajv({ strict: false });
    for (const [i, record] of framed.entries()) {
      for (const [bytes, text] of [[record.key, plain[i]!.key], [record.value, plain[i]!.value]] as const) {
        if (text === null) {
          expect(bytes).toBeNull();
          continue;
        }
        const buffer = bytes as Buffer;
        expect(buffer.subarray(5).toString()).toBe(text);
        const schema = await registry.schemaById(buffer.readInt32BE(1));
        expect(schema.schemaType).toBe('JSON');
        expect(ajv.validate(JSON.parse(schema.schema), JSON.parse(text as string))).toBe(true);
      }
    }
  });
});

describe("trustpilot's record shape in PROTOBUF", () => {
  /** Decodes wire-format Protobuf with the .proto text registered under the id its header names: the JSON form's fields. */
  async function protoDecode(registry: InMemorySchemaRegistry, bytes: Buffer): Promise<unknown> {
    expect(bytes[0]).toBe(0);
    const schema = await registry.schemaById(bytes.readInt32BE(1));
    expect(schema.schemaType).toBe('PROTOBUF');
    expect(bytes[5]).toBe(0); // message-indexes [0]: the file's first message
    const root = protobuf.parse(schema.schema, { keepCase: true }).root;
    const [first] = root.nestedArray.flatMap(function messages(nested): protobuf.Type[] {
      return nested instanceof protobuf.Type ? [nested] : nested instanceof protobuf.Namespace ? nested.nestedArray.flatMap(messages) : [];
    });
    // Long numbers as numbers (whole milliseconds); an unset optional (left out) is the JSON form's null.
    const object = first!.toObject(first!.decode(bytes.subarray(6)), { longs: Number, defaults: true });
    if (object.source === undefined) return object;
    return { ...object, source: { init_sync_start: null, init_sync_end: null, init_sync_count: null, ...object.source } };
  }

  it('decodes, against the registered .proto files, to the JSON form field by field: keys, values, the delete and its tombstone', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await trustpilotProtobufFormat(strategyOptions(registry)).forTable(TABLE, TOPIC);
    const decoded = await Promise.all(
      records(encoder).map(async (record) => ({
        key: await protoDecode(registry, record.key as Buffer),
        value: record.value === null ? null : await protoDecode(registry, record.value as Buffer),
      })),
    );
    expect(decoded).toEqual(jsonForm());
    expect(Object.keys(decoded[0]!.value as object)).toEqual(['version', 'document', 'source', 'op', 'ts_ms']);
  });

  it("registers the shared envelope and the topic's key under the Avro form's names", async () => {
    const registry = new InMemorySchemaRegistry();
    await trustpilotProtobufFormat(strategyOptions(registry, 'RecordNameStrategy')).forTable(TABLE, TOPIC);
    expect([...registry.subjects.keys()]).toEqual(['com.trustpilot.connector.dynamodb.envelope', 'dynamodb_orders_v2.Key']);
    const keysAsJson = new InMemorySchemaRegistry();
    const encoder = await trustpilotProtobufFormat({ ...strategyOptions(keysAsJson), registryKeys: false }).forTable(TABLE, TOPIC);
    expect(encoder.snapshotPage([ITEM], PAGE)[0]!.key).toBe('{"id":"a","orderno":"12345678901234567890123456789012345678"}');
    expect([...keysAsJson.subjects.keys()]).toEqual([`${TOPIC}-value`]);
  });
});

describe("trustpilot's key record name", () => {
  it('is `<topic>.Key` made an Avro full name as trustpilot does', () => {
    expect(trustpilotKeyRecordName('dynamodb-orders')).toBe('dynamodb_orders.Key');
    expect(trustpilotKeyRecordName('1orders')).toBe('_orders.Key');
    expect(trustpilotKeyRecordName('a.2b')).toBe('a._2b.Key');
  });
});
