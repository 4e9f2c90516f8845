import { JsonSerializer, SerdeType } from '@confluentinc/schemaregistry';
import { describe, it } from 'vitest';
import { confluentJsonSchemaFormat } from '../../../src/formats/json-schema/confluent-json-sr.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources } from '../../support/aws.js';
import {
  expectPoisonDeadLettered,
  expectQuickStartOrders,
  expectReplicatedThrough,
  sourceFormatOptions,
} from '../../support/format-replication.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

/** Confluent's quick-start orders as a JSON Schema: every JSON type the sink maps. */
const ORDER_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'orders',
  type: 'object',
  properties: {
    ordertime: { type: 'integer' },
    itemid: { type: 'string' },
    orderunits: { type: 'number' },
    express: { type: 'boolean' },
    note: { type: 'null' },
    tags: { type: 'array', items: { type: 'string' } },
    address: { type: 'object', properties: { city: { type: 'string' }, zipcode: { type: 'integer' } } },
  },
  required: ['ordertime', 'itemid'],
};
const KEY_SCHEMA = { $schema: 'http://json-schema.org/draft-07/schema#', title: 'orderkey', type: 'object', properties: { orderid: { type: 'integer' } }, required: ['orderid'] };

describe('sink: JSON_SR through a real Schema Registry', () => {
  const resources = suiteResources('sink-json-sr');
  useSchemaRegistry();

  it("writes records that Confluent's JsonSerializer wrote, keys and values, with their JSON types as DynamoDB types", async () => {
    await expectQuickStartOrders(resources, 'jsonsr-orders', {
      schemas: { value: { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) }, key: { schemaType: 'JSON', schema: JSON.stringify(KEY_SCHEMA) } },
      async records(client, topic) {
        const values = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true });
        const keys = new JsonSerializer(client, SerdeType.KEY, { useLatestVersion: true, validate: true });
        const orders = [1, 2, 3].map((n) => ({
          ordertime: 1_511_538_140_542 + n,
          itemid: `Item_${n}`,
          orderunits: 1.135368875862714 * n,
          express: n % 2 === 0,
          note: null,
          tags: ['a', `t${n}`],
          address: { city: `City_${n}`, zipcode: 99_000 + n },
        }));
        return Promise.all(orders.map(async (order, i) => ({ key: await keys.serialize(topic, { orderid: 3244 + i }), value: await values.serialize(topic, order) })));
      },
      format: 'JSON_SR',
      orderidFrom: 'key',
      first: {
        orderid: { N: '3244' },
        ordertime: { N: '1511538140543' },
        itemid: { S: 'Item_1' },
        orderunits: { N: '1.135368875862714' },
        express: { BOOL: false },
        note: { NULL: true },
        tags: { L: [{ S: 'a' }, { S: 't1' }] },
        address: { M: { city: { S: 'City_1' }, zipcode: { N: '99001' } } },
      },
    });
  });

  it('replicates a table, every type and its deletes, from the source in JSON_SR to the sink in JSON_SR', async () => {
    const format = confluentJsonSchemaFormat({ ...(await sourceFormatOptions()), registryKeys: true });
    await expectReplicatedThrough(resources, 'jsonsr-rep', format, 'JSON_SR');
  });

  it('sends records without the header, or naming a schema the registry does not have or that is not a JSON Schema, to the dead-letter topic', async () => {
    const schema = { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } }) } as const;
    const wire = (id: number, text: string) => Buffer.concat([wireHeader(id), Buffer.from(JSON.stringify({ id: text }))]);
    await expectPoisonDeadLettered(resources, 'jsonsr-dlq', { format: 'JSON_SR', name: 'JSON_SR', schema, refusesAvro: 'not a JSON Schema' }, wire);
  });
});
