import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { confluentProtobufFormat } from '../../../src/formats/protobuf/confluent-protobuf.js';
import { ProtobufReader } from '../../../src/formats/protobuf/protobuf-reader.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { ConversionError, convertRecord, type ConverterSettings } from '../../../src/sink/record-converter.js';
import { loadRegistrySchemas } from '../../../src/sink/registry-input.js';
import type { SinkRecord } from '../../../src/sink/sink-record.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { expectReadThenDelete, ORDERS_TABLE, ordersRecord, readThenDelete } from '../../support/format-fixtures.js';

const RETRY = { maxRetryTimeMs: 1_000, retryBackoffMs: 1 };

const ORDER_PROTO = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "confluent/type/decimal.proto";

message Order {
  int64 orderid = 1;
  uint64 big = 2;
  sint32 delta = 3;
  float ratio = 4;
  double price = 5;
  bool paid = 6;
  bytes blob = 7;
  Status status = 8;
  Address address = 9;
  map<string, int64> counts = 10;
  repeated string tags = 11;
  optional string note = 12;
  oneof contact { string email = 13; string phone = 14; }
  google.protobuf.Int64Value wrapped = 15;
  google.protobuf.Timestamp at = 16;
  confluent.type.Decimal amount = 17;
  string empty = 18;
  Address missing = 19;

  enum Status { NEW = 0; SHIPPED = 1; }
  message Address { string city = 1; map<int64, bool> flags = 2; }
}

message Other { string x = 1; }
`;

/** Confluent's wire format: header, message-indexes, protobuf bytes. */
const wire = (id: number, indexes: number[], body: Uint8Array) => Buffer.concat([wireHeader(id), Buffer.from(indexes), body]);

function setup(overrides: Partial<ConverterSettings> = {}) {
  const registry = new InMemorySchemaRegistry();
  const settings: ConverterSettings = {
    inputFormat: 'PROTOBUF',
    hash: parseKeyReference('value.orderid', 'aws.dynamodb.pk.hash'),
    tableNameFormat: '${topic}',
    nullValues: 'delete',
    protobuf: new ProtobufReader(registry, RETRY),
    ...overrides,
  };
  const convert = async (records: SinkRecord[]) => {
    await loadRegistrySchemas(records, settings);
    return records.map((one) => convertRecord(one, settings));
  };
  return { registry, settings, convert };
}

/** The registry's .proto, and its messages to encode test records with (protobufjs, as a producer would). */
async function registered(registry: InMemorySchemaRegistry) {
  const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: ORDER_PROTO });
  const root = new protobuf.Root();
  protobuf.parse(ORDER_PROTO, root, { keepCase: true });
  root.addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!);
  root.addJSON(protobuf.common.get('google/protobuf/wrappers.proto')!.nested!);
  protobuf.parse('syntax = "proto3"; package confluent.type; message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }', root);
  return { id, order: root.lookupType('shop.Order'), other: root.lookupType('shop.Other') };
}

describe('the sink reads PROTOBUF values', () => {
  it('maps every protobuf type losslessly', async () => {
    const { registry, convert } = setup();
    const { id, order } = await registered(registry);
    const body = order.encode({
      orderid: '9223372036854775807',
      big: { low: -1, high: -1, unsigned: true },
      delta: -5,
      ratio: 0.1,
      price: 1.5,
      paid: true,
      blob: Buffer.from([0, 255]),
      status: 1,
      address: { city: 'Lyon', flags: { '-3': true } },
      counts: { a: '12345678901234567' },
      tags: ['x', 'y'],
      phone: '555',
      wrapped: { value: '-9007199254740993' },
      at: { seconds: 1_700_000_000, nanos: 123_456_789 },
      amount: { value: Buffer.from([0xfe, 0x0c]), precision: 5, scale: 2 }, // -500 → -5.00
    }).finish();
    const [op] = await convert([ordersRecord(wire(id, [0], body))]);
    expect(op).toMatchObject({ kind: 'put', table: 'orders', key: { orderid: { N: '9223372036854775807' } } });
    expect(op!.kind === 'put' && op!.item).toEqual({
      orderid: { N: '9223372036854775807' },
      big: { N: '18446744073709551615' },
      delta: { N: '-5' },
      ratio: { N: '0.1' },
      price: { N: '1.5' },
      paid: { BOOL: true },
      blob: { B: new Uint8Array([0, 255]) },
      status: { S: 'SHIPPED' },
      address: { M: { city: { S: 'Lyon' }, flags: { M: { '-3': { BOOL: true } } } } },
      counts: { M: { a: { N: '12345678901234567' } } },
      tags: { L: [{ S: 'x' }, { S: 'y' }] },
      phone: { S: '555' },
      wrapped: { N: '-9007199254740993' },
      at: { N: '1700000000123.456789' },
      amount: { N: '-5.00' },
      empty: { S: '' },
    });
  });

  it('reads google.protobuf.Struct as the attributes its JSON would become', async () => {
    const { registry, convert } = setup({ hash: parseKeyReference('value.id', 'h') });
    const proto = 'syntax = "proto3"; package j; import "google/protobuf/struct.proto"; message Doc { string id = 1; google.protobuf.Struct data = 2; }';
    const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: proto });
    const root = new protobuf.Root();
    protobuf.parse(proto, root);
    root.addJSON(protobuf.common.get('google/protobuf/struct.proto')!.nested!);
    const data = { fields: { n: { numberValue: 1.5 }, s: { stringValue: '' }, b: { boolValue: false }, z: { nullValue: 0 }, l: { listValue: { values: [{ stringValue: 'x' }, { structValue: { fields: { deep: { boolValue: true } } } }] } } } };
    const [op] = await convert([ordersRecord(wire(id, [0], root.lookupType('j.Doc').encode({ id: 'd1', data }).finish()))]);
    expect(op!.kind === 'put' && op!.item.data).toEqual({
      M: { n: { N: '1.5' }, s: { S: '' }, b: { BOOL: false }, z: { NULL: true }, l: { L: [{ S: 'x' }, { M: { deep: { BOOL: true } } }] } },
    });
  });

  it('reads the message the message-indexes name, and each id once per batch', async () => {
    const { registry, convert } = setup({ hash: parseKeyReference('value.x', 'h') });
    const { id, other } = await registered(registry);
    // [1] is written as the count 1 then the index 1, each a zigzag varint: 2, 2.
    const ops = await convert([ordersRecord(wire(id, [2, 2], other.encode({ x: 'second' }).finish()))]);
    expect(ops[0]).toMatchObject({ kind: 'put', item: { x: { S: 'second' } } });
  });

  it('names topic, partition, offset and schema id of a record it cannot read', async () => {
    const { registry, convert } = setup();
    const { id, order } = await registered(registry);
    const avroId = await registry.register('other-value', { schemaType: 'AVRO', schema: '"string"' });
    const failure = async (value: Buffer) => {
      const error = await convert([ordersRecord(value)]).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConversionError);
      return (error as ConversionError).message;
    };
    const body = order.encode({ orderid: 1, tags: ['a'] }).finish();
    expect(await failure(wire(42, [0], body))).toMatch(/^topic orders partition 2 offset 17: value has schema id 42, which cannot be read: .*no schema with id 42/);
    expect(await failure(Buffer.concat([Buffer.from([1]), wire(id, [0], body).subarray(1)]))).toBe(
      "topic orders partition 2 offset 17: value is not Protobuf in Confluent's wire format: magic byte 1, expected 0",
    );
    expect(await failure(wire(avroId, [0], body))).toMatch(new RegExp(`^topic orders partition 2 offset 17: value has schema id ${avroId}, which cannot be read: it is an AVRO schema, not Protobuf`));
    expect(await failure(wire(id, [0], body.subarray(0, body.length - 1)))).toMatch(new RegExp(`^topic orders partition 2 offset 17: value does not decode with schema id ${id}: `));
    expect(await failure(wire(id, [2, 10], body))).toMatch(/message-indexes \[5\] name no message of the schema/);
  });

  it('refuses a schema whose imports it cannot supply, naming the missing type', async () => {
    const { registry, convert } = setup();
    const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; import "other.proto"; message M { other.Thing t = 1; }' });
    const error = await convert([ordersRecord(wire(id, [0], new Uint8Array()))]).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toMatch(new RegExp(`schema id ${id}, which cannot be read: the registry's .proto cannot be read: .*other.Thing`));
  });
});

describe('the sink reads PROTOBUF schemas with references', () => {
  const CURRENCY = 'syntax = "proto3";\npackage common;\n\nmessage Currency { string code = 1; }\n';
  const MONEY = 'syntax = "proto3";\npackage common;\nimport "common/currency.proto";\n\nmessage Money { Currency currency = 1; int64 units = 2; }\n';
  const PAYMENT = `syntax = "proto3";
package shop;
import "common/money.proto";
import "google/protobuf/timestamp.proto";

message Header { string h = 1; }

message Payment {
  string orderid = 1;
  common.Money total = 2;
  map<string, common.Money> by_item = 3;
  google.protobuf.Timestamp at = 4;
}
`;

  /** currency.proto, money.proto referencing it, and the value's file referencing money.proto, as Confluent registers them. */
  async function registerAll(registry: InMemorySchemaRegistry) {
    await registry.register('common/currency.proto', { schemaType: 'PROTOBUF', schema: CURRENCY });
    await registry.register('common/money.proto', { schemaType: 'PROTOBUF', schema: MONEY, references: [{ name: 'common/currency.proto', subject: 'common/currency.proto', version: 1 }] });
    const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: PAYMENT, references: [{ name: 'common/money.proto', subject: 'common/money.proto', version: 1 }] });
    const root = new protobuf.Root();
    for (const text of [CURRENCY, MONEY, PAYMENT]) protobuf.parse(text, root, { keepCase: true });
    root.addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!);
    return { id, payment: root.lookupType('shop.Payment') };
  }

  it("fetches the referenced files (and theirs) and reads their types; the file's second message by its indexes", async () => {
    const { registry, convert } = setup();
    const { id, payment } = await registerAll(registry);
    const money = (units: number) => ({ currency: { code: 'EUR' }, units });
    const body = payment.encode({ orderid: 'p1', total: money(30), by_item: { a: money(10), b: money(20) }, at: { seconds: 1, nanos: 0 } }).finish();
    const [op] = await convert([ordersRecord(wire(id, [2, 2], body))]); // [1]: Payment, after Header
    const moneyItem = (units: string) => ({ M: { currency: { M: { code: { S: 'EUR' } } }, units: { N: units } } });
    expect(op!.kind === 'put' && op!.item).toEqual({ orderid: { S: 'p1' }, total: moneyItem('30'), by_item: { M: { a: moneyItem('10'), b: moneyItem('20') } }, at: { N: '1000' } });
  });

  it('refuses, naming the subject and version, a reference the registry does not have', async () => {
    const { registry, convert } = setup();
    const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: PAYMENT, references: [{ name: 'common/money.proto', subject: 'gone', version: 3 }] });
    const error = await convert([ordersRecord(wire(id, [2, 2], new Uint8Array()))]).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toMatch(new RegExp(`schema id ${id}, which cannot be read: .*subject gone has no version 3`));
  });

  it('reads a map spelled as its entry messages (a .proto rendered from a descriptor) as M, not L of entries', async () => {
    const { registry, convert } = setup();
    const rendered = `syntax = "proto3";
package r;
message Order {
  string orderid = 1;
  repeated CountsEntry counts = 2;
  message CountsEntry { option map_entry = true; string key = 1; int64 value = 2; }
}
`;
    const id = await registry.register('orders-value', { schemaType: 'PROTOBUF', schema: rendered });
    const asMap = protobuf.parse(rendered.replace('repeated CountsEntry counts = 2;', 'map<string, int64> counts = 2;').replace(/message CountsEntry[^}]*}/, ''), { keepCase: true }).root.lookupType('r.Order');
    const body = asMap.encode({ orderid: 'o1', counts: { a: 1, '': '9007199254740993' } }).finish();
    const [op] = await convert([ordersRecord(wire(id, [0], body))]);
    expect(op!.kind === 'put' && op!.item).toEqual({ orderid: { S: 'o1' }, counts: { M: { a: { N: '1' }, '': { N: '9007199254740993' } } } });
  });
});

describe("the sink replicates the source's PROTOBUF envelope", () => {
  it("puts the after document, deletes by the before document and by the tombstone's PROTOBUF key", async () => {
    const { registry, convert } = setup({ hash: parseKeyReference('partition', 'h'), sort: parseKeyReference('offset', 's') });
    const format = confluentProtobufFormat({
      registry,
      document: 'dynamodb-json',
      tombstones: true,
      protobufKeys: true,
      keySubjects: { strategy: 'TopicNameStrategy' },
      valueSubjects: { strategy: 'TopicNameStrategy' },
    });
    expectReadThenDelete(await convert(readThenDelete(await format.forTable(ORDERS_TABLE, 'orders'))));
  });
});
