import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ProtobufSerializer, SerdeType } from '@confluentinc/schemaregistry';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { confluentProtobufFormat } from '../../../src/formats/protobuf/confluent-protobuf.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources } from '../../support/aws.js';
import {
  expectPoisonDeadLettered,
  expectQuickStartOrders,
  expectReplicatedThrough,
  sourceFormatOptions,
} from '../../support/format-replication.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

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

describe('sink: PROTOBUF through a real Schema Registry', () => {
  const resources = suiteResources('sink-protobuf');
  useSchemaRegistry();

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
