import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { ProtobufSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { confluentProtobufFormat } from '../../../src/formats/protobuf/confluent-protobuf.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import {
  byKey,
  expectPoisonDeadLettered,
  expectQuickStartOrders,
  expectReplicatedThrough,
  sourceFormatOptions,
} from '../../support/format-replication.js';
import { useSchemaRegistry } from '../../support/registry-server.js';
import { produce, startSink } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

/** Confluent's quick-start `orders` (its datagen's schema) as a .proto, as the registry holds it. */
const ORDERS_PROTO = `syntax = "proto3";
package ksql;

message orders {
  int64 ordertime = 1;
  int32 orderid = 2;
  string itemid = 3;
  double orderunits = 4;
  Address address = 5;

  message Address {
    string city = 1;
    string state = 2;
    int64 zipcode = 3;
  }
}
`;

/** The same file as a descriptor, built with @bufbuild/protobuf, for Confluent's serializer (as generated code would be). */
function ordersDescriptor() {
  const field = (name: string, number: number, type: Type, typeName?: string) => ({ name, number, type, label: Label.OPTIONAL, jsonName: name, ...(typeName ? { typeName } : {}) });
  const file = create(FileDescriptorProtoSchema, {
    name: 'orders.proto',
    package: 'ksql',
    syntax: 'proto3',
    messageType: [
      {
        name: 'orders',
        field: [field('ordertime', 1, Type.INT64), field('orderid', 2, Type.INT32), field('itemid', 3, Type.STRING), field('orderunits', 4, Type.DOUBLE), field('address', 5, Type.MESSAGE, '.ksql.orders.Address')],
        nestedType: [{ name: 'Address', field: [field('city', 1, Type.STRING), field('state', 2, Type.STRING), field('zipcode', 3, Type.INT64)] }],
      },
    ],
  });
  const orders = createFileRegistry(file, () => undefined).getMessage('ksql.orders')!;
  return { registry: createMutableRegistry(orders), orders };
}

/** A file the value schema imports: registered on its own, named by the value schema's reference. */
const MONEY_PROTO = `syntax = "proto3";
package common;

message Money {
  string currency = 1;
  int64 units = 2;
}
`;

/** The value schema: its second message is the payment, whose nested Refund is a message of its own. */
const PAYMENT_PROTO = `syntax = "proto3";
package shop;
import "common/money.proto";

message Header {
  string trace = 1;
}

message Payment {
  int32 orderid = 1;
  common.Money total = 2;
  map<string, common.Money> by_item = 3;

  message Refund {
    int32 orderid = 1;
    common.Money amount = 2;
  }
}
`;

/** Both files as descriptors (as protoc makes them: the map's entry a nested message), for Confluent's serializer. */
function paymentDescriptors() {
  const field = (name: string, number: number, type: Type, typeName?: string, label = Label.OPTIONAL) => ({ name, number, type, label, jsonName: name, ...(typeName ? { typeName } : {}) });
  const money = create(FileDescriptorProtoSchema, {
    name: 'common/money.proto',
    package: 'common',
    syntax: 'proto3',
    messageType: [{ name: 'Money', field: [field('currency', 1, Type.STRING), field('units', 2, Type.INT64)] }],
  });
  const payment = create(FileDescriptorProtoSchema, {
    name: 'shop/payment.proto',
    package: 'shop',
    syntax: 'proto3',
    dependency: ['common/money.proto'],
    messageType: [
      { name: 'Header', field: [field('trace', 1, Type.STRING)] },
      {
        name: 'Payment',
        field: [field('orderid', 1, Type.INT32), field('total', 2, Type.MESSAGE, '.common.Money'), field('by_item', 3, Type.MESSAGE, '.shop.Payment.ByItemEntry', Label.REPEATED)],
        nestedType: [
          { name: 'ByItemEntry', field: [field('key', 1, Type.STRING), field('value', 2, Type.MESSAGE, '.common.Money')], options: { mapEntry: true } },
          { name: 'Refund', field: [field('orderid', 1, Type.INT32), field('amount', 2, Type.MESSAGE, '.common.Money')] },
        ],
      },
    ],
  });
  const files = createFileRegistry(create(FileDescriptorSetSchema, { file: [money, payment] }));
  const [paymentType, refundType] = [files.getMessage('shop.Payment')!, files.getMessage('shop.Payment.Refund')!];
  return { registry: createMutableRegistry(paymentType, refundType), paymentType, refundType };
}

describe('sink: PROTOBUF through a real Schema Registry', () => {
  const resources = suiteResources('sink-protobuf');
  const registryUrl = useSchemaRegistry();

  it("writes Confluent's quick-start orders, produced by Confluent's ProtobufSerializer, keyed by value.orderid and value.ordertime", async () => {
    await expectQuickStartOrders(resources, 'proto-orders', {
      schemas: { value: { schemaType: 'PROTOBUF', schema: ORDERS_PROTO } },
      async records(client, topic) {
        const { registry, orders } = ordersDescriptor();
        const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, registry });
        const messages = [0, 1, 2].map((i) =>
          create(orders, { ordertime: 1_511_538_140_542n + BigInt(i), orderid: 3244 + i, itemid: `Item_${i}`, orderunits: 1.135368875862714 * (i + 1), address: { city: `City_${i}`, state: `State_${i}`, zipcode: 9_007_199_254_740_993n } } as never),
        );
        return Promise.all(messages.map(async (message, i) => ({ key: String(3244 + i), value: await serializer.serialize(topic, message) })));
      },
      format: 'PROTOBUF',
      orderidFrom: 'value',
      first: {
        orderid: { N: '3244' },
        ordertime: { N: '1511538140542' },
        itemid: { S: 'Item_0' },
        orderunits: { N: '1.135368875862714' },
        address: { M: { city: { S: 'City_0' }, state: { S: 'State_0' }, zipcode: { N: '9007199254740993' } } },
      },
    });
  });

  it("reads Confluent's ProtobufSerializer's records of a schema importing another registered one: its second message, a nested one, a map", async () => {
    const topic = uniqueName('proto-refs');
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    const moneySubject = `${topic}-common-money`;
    await client.register(moneySubject, { schemaType: 'PROTOBUF', schema: MONEY_PROTO });
    await client.register(`${topic}-value`, { schemaType: 'PROTOBUF', schema: PAYMENT_PROTO, references: [{ name: 'common/money.proto', subject: moneySubject, version: 1 }] });
    const { registry, paymentType, refundType } = paymentDescriptors();
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, registry });
    const money = (units: bigint) => ({ currency: 'EUR', units });
    const payment = create(paymentType, { orderid: 1, total: money(9_007_199_254_740_993n), byItem: { a: money(1n), b: money(2n) } } as never);
    const refund = create(refundType, { orderid: 2, amount: money(5n) } as never);
    const values = [await serializer.serialize(topic, payment), await serializer.serialize(topic, refund)];
    // Confluent's indexes: [1] (the second message: count 1, index 1) and [1, 0] (its first nested message).
    expect([...values[0]!.subarray(5, 7)]).toEqual([2, 2]);
    expect([...values[1]!.subarray(5, 8)]).toEqual([4, 2, 0]);
    await produce(topic, values.map((value, i) => ({ key: String(i + 1), value })));

    const { connection, dynamodb, defer } = resources;
    const sink = await startSink(uniqueName('sink-refs'), connection, {
      topics: topic,
      'schema.registry.url': registryUrl(),
      'input.data.format': 'PROTOBUF',
      'input.key.format': 'STRING',
      'aws.dynamodb.pk.hash': 'value.orderid',
    });
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(2);
    const items = byKey(await scanAll(dynamodb, topic), (item) => item.orderid!.N!);
    const moneyItem = (units: string) => ({ M: { currency: { S: 'EUR' }, units: { N: units } } });
    // The sort key is the default one, the record's offset.
    expect(items['1']).toEqual({ orderid: { N: '1' }, offset: { N: '0' }, total: moneyItem('9007199254740993'), by_item: { M: { a: moneyItem('1'), b: moneyItem('2') } } });
    expect(items['2']).toEqual({ orderid: { N: '2' }, offset: { N: '1' }, amount: moneyItem('5') });
  });

  it('replicates a table, every type and its deletes, from the source in PROTOBUF to the sink in PROTOBUF', async () => {
    const format = confluentProtobufFormat({ ...(await sourceFormatOptions()), protobufKeys: true });
    await expectReplicatedThrough(resources, 'proto-rep', format, 'PROTOBUF');
  });

  it('sends records that are not in the wire format, name a schema the registry does not have, or do not decode, to the dead-letter topic', async () => {
    const proto = 'syntax = "proto3";\npackage dlq;\n\nmessage Order {\n  string id = 1;\n}\n';
    const order = protobuf.parse(proto).root.lookupType('dlq.Order');
    // Header, message-indexes [0] (the single byte 0), then the message.
    const wire = (id: number, text: string) => Buffer.concat([wireHeader(id), Buffer.from([0]), order.encode({ id: text }).finish()]);
    const format = { format: 'PROTOBUF', name: 'Protobuf', schema: { schemaType: 'PROTOBUF', schema: proto }, refusesAvro: 'not Protobuf' } as const;
    await expectPoisonDeadLettered(resources, 'proto-dlq', format, wire, (topic, schemaId) => [
      { key: 'truncated', value: wire(schemaId, 'truncated').subarray(0, 10), message: expect.stringMatching(new RegExp(`^topic ${topic} partition 0 offset 3: value does not decode with schema id ${schemaId}: index out of range`)) },
    ]);
  });
});
