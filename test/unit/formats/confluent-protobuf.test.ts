import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/domain/attribute-codec.js';
import type { StreamChange } from '../../../src/domain/change.js';
import { confluentProtobufFormat } from '../../../src/formats/protobuf/confluent-protobuf.js';
import { envelopeProto, keyProto } from '../../../src/formats/protobuf/proto-schemas.js';
import type { SubjectNameStrategy } from '../../../src/domain/subject-names.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { expectRefusalNamed, expectSubjectsPerStrategy, ORDERS_V2_TABLE } from '../../support/registry-format-cases.js';

const table = ORDERS_V2_TABLE;
const NOW = 1_719_830_976_204;
const item: Item = { id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' }, blob: { B: new Uint8Array([0, 255]) } };

/** Decodes Confluent's wire format (header, message-indexes [0]) with the .proto text the registry holds. */
async function decode(registry: InMemorySchemaRegistry, bytes: Buffer | string | null, message: string) {
  expect(Buffer.isBuffer(bytes)).toBe(true);
  const buffer = bytes as Buffer;
  expect(buffer[0]).toBe(0);
  expect(buffer[5]).toBe(0); // message-indexes: the first message
  const schema = await registry.schemaById(buffer.readInt32BE(1));
  expect(schema.schemaType).toBe('PROTOBUF');
  const parsed = protobuf.parse(schema.schema, { keepCase: true });
  const type = parsed.root.lookupType(`${parsed.package}.${message}`);
  return type.toObject(type.decode(buffer.subarray(6)), { longs: String, bytes: Array }) as Record<string, any>;
}

function format(registry: InMemorySchemaRegistry, strategy: SubjectNameStrategy = 'TopicNameStrategy') {
  return confluentProtobufFormat({ registry, document: 'dynamodb-json', tombstones: true, protobufKeys: true, keySubjects: { strategy }, valueSubjects: { strategy } });
}

describe('the confluent envelope in Protobuf', () => {
  it('writes snapshot reads in the wire format, int64s exact, unset optionals absent', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await format(registry).forTable(table, 'orders-v2');
    const page = { tableName: table.name, keySchema: table.keySchema, snapshotStartTime: 5, snapshotCount: 1, segment: 0, totalSegments: 4, readAtMs: NOW - 1, nowMs: NOW };
    const records = encoder.snapshotPage([item, { ...item, id: { S: 'b' } }], page);
    const value = await decode(registry, records[1]!.value, 'Envelope');
    expect(value.op).toBe('r');
    expect(value.ts_ns).toBe(String(BigInt(NOW) * 1_000_000n));
    expect(value.source).toEqual({
      version: expect.any(String), tableName: 'orders-v2', sync_mode: 'SNAPSHOT', ts_ms: String(NOW - 1), ts_us: String((NOW - 1) * 1000), ts_ns: String(BigInt(NOW - 1) * 1_000_000n),
      snapshotStartTime: '5', snapshotCount: '1', segment: 0, totalSegments: 4,
    });
    expect(value.before).toBeUndefined();
    expect(JSON.parse(value.after.document)).toEqual({ id: { S: 'b' }, 'order-no': { N: '12345678901234567890123456789012345678' }, blob: { B: 'AP8=' } });
    expect(await decode(registry, records[0]!.key, 'Key')).toEqual({ id: 'a', _x_order_x2d_no: '12345678901234567890123456789012345678' });
    expect(records[0]!.timestampMs).toBe(NOW - 1);
  });

  it('writes stream changes with both images, and a tombstone after a delete', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await format(registry).forTable(table, 'orders-v2');
    const change: StreamChange = {
      op: 'd', tableName: table.name, keySchema: table.keySchema, keys: { id: item.id!, 'order-no': item['order-no']! }, before: item, after: null,
      changedAtMs: NOW - 10, shardId: 'shard-1', sequenceNumber: '100', ttlExpired: false, nowMs: NOW,
    };
    const [deleted, tombstone] = encoder.streamChange(change);
    const value = await decode(registry, deleted!.value, 'Envelope');
    expect(value).toMatchObject({ op: 'd', source: { sync_mode: 'CDC', shard_Id: 'shard-1', seq_No: '100', ttl_expired: false } });
    expect(value.after).toBeUndefined();
    expect(value.source.snapshotCount).toBeUndefined();
    expect(JSON.parse(value.before.document).id).toEqual({ S: 'a' });
    expect(tombstone).toEqual({ key: deleted!.key, value: null, timestampMs: NOW - 10 });
  });

  it('writes keys as the JSON text of the key attributes when they are not PROTOBUF, registering only the value', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await confluentProtobufFormat({ registry, document: 'json', tombstones: false, protobufKeys: false, keySubjects: { strategy: 'TopicNameStrategy' }, valueSubjects: { strategy: 'TopicNameStrategy' } }).forTable(table, 'orders-v2');
    const [record] = encoder.snapshotPage([item], { tableName: table.name, keySchema: table.keySchema, snapshotStartTime: 5, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: NOW, nowMs: NOW });
    expect(record!.key).toBe('{"id":"a","order-no":12345678901234567890123456789012345678}');
    expect(JSON.parse((await decode(registry, record!.value, 'Envelope')).after.document)).toMatchObject({ id: 'a', blob: 'AP8=' });
    expect([...registry.subjects.keys()]).toEqual(['orders-v2-value']);
  });

  it('registers under the subjects of each naming strategy', () => expectSubjectsPerStrategy(table, format));

  it('fails, before writing anything, when the registry refuses a schema', () => expectRefusalNamed(table, format));

  it('writes proto3 files whose first message is the record, number key fields marked by a reserved name', () => {
    const envelope = protobuf.parse(envelopeProto('my.table-1'), { keepCase: true });
    expect(envelope.package).toBe('io.confluent.connect.dynamodb._x_my_x2e_table_x2d_1');
    expect(envelope.root.lookupType(`${envelope.package}.Envelope`).fields.source!.type).toBe('Source');
    const key = protobuf.parse(keyProto(table), { keepCase: true }).root.lookupType('io.confluent.connect.dynamodb._x_orders_x2d_v2.Key');
    expect(key.fieldsArray.map((field) => [field.name, field.type])).toEqual([['id', 'string'], ['_x_order_x2d_no', 'string']]);
    expect(key.reserved).toEqual(['_dynamodb_N__x_order_x2d_no']);
  });
});
