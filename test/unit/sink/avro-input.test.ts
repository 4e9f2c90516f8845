import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { confluentAvroEncoder } from '../../../src/formats/avro/confluent-avro.js';
import { EXACT_LONG } from '../../../src/formats/avro/exact-long.js';
import { AvroReader } from '../../../src/sink/avro-input.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { loadRegistrySchemas } from '../../../src/sink/registry-input.js';
import { ConversionError, convertRecord, type ConverterSettings } from '../../../src/sink/record-converter.js';
import type { SinkRecord } from '../../../src/sink/sink-record.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { expectReadThenDelete, ORDERS_SCHEMA, ORDERS_TABLE, ordersRecord, readThenDelete } from '../../support/format-fixtures.js';

const ORDER = { ordertime: 1_511_538_140_542n, orderid: 3243, itemid: 'Item_117', orderunits: 1.135368875862714, address: { city: 'City_43', state: 'State_53', zipcode: 99_999n } };

function wire(id: number, schema: object, value: unknown): Buffer {
  const type = avro.Type.forSchema(schema as avro.Schema, { registry: { long: EXACT_LONG } });
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, type.toBuffer(value)]);
}

const record = ordersRecord;

async function setup(overrides: Partial<ConverterSettings> = {}) {
  const registry = new InMemorySchemaRegistry();
  const reader = new AvroReader(registry, { maxRetryTimeMs: 1_000, retryBackoffMs: 1 });
  const settings: ConverterSettings = {
    inputFormat: 'AVRO',
    hash: parseKeyReference('value.orderid', 'aws.dynamodb.pk.hash'),
    sort: parseKeyReference('value.ordertime', 'aws.dynamodb.pk.sort'),
    tableNameFormat: '${topic}',
    nullValues: 'delete',
    avro: reader,
    ...overrides,
  };
  const convert = async (records: SinkRecord[]) => {
    await loadRegistrySchemas(records, settings);
    return records.map((one) => convertRecord(one, settings));
  };
  return { registry, settings, convert };
}

describe('the sink reads AVRO values', () => {
  it('writes Confluent\'s quick-start orders with the key taken from value.orderid and value.ordertime', async () => {
    const { registry, convert } = await setup();
    const id = await registry.register('orders-value', { schemaType: 'AVRO', schema: JSON.stringify(ORDERS_SCHEMA) });
    const [op] = await convert([record(wire(id, ORDERS_SCHEMA, ORDER), '3243')]);
    expect(op).toEqual({
      kind: 'put',
      table: 'orders',
      key: { orderid: { N: '3243' }, ordertime: { N: '1511538140542' } },
      keySchema: { hashKey: 'orderid', rangeKey: 'ordertime', types: { orderid: 'N', ordertime: 'N' } },
      item: {
        orderid: { N: '3243' },
        ordertime: { N: '1511538140542' },
        itemid: { S: 'Item_117' },
        orderunits: { N: '1.135368875862714' },
        address: { M: { city: { S: 'City_43' }, state: { S: 'State_53' }, zipcode: { N: '99999' } } },
      },
    });
  });

  it('reads key references from an AVRO key', async () => {
    const { registry, convert } = await setup({ hash: parseKeyReference('key.id', 'aws.dynamodb.pk.hash') });
    const keySchema = { type: 'record', name: 'K', fields: [{ name: 'id', type: 'string' }] };
    const keyId = await registry.register('orders-key', { schemaType: 'AVRO', schema: JSON.stringify(keySchema) });
    const valueId = await registry.register('orders-value', { schemaType: 'AVRO', schema: JSON.stringify(ORDERS_SCHEMA) });
    const [op] = await convert([record(wire(valueId, ORDERS_SCHEMA, ORDER), wire(keyId, keySchema, { id: 'k-1' }))]);
    expect(op).toMatchObject({ kind: 'put', key: { id: { S: 'k-1' }, ordertime: { N: '1511538140542' } } });
  });

  it('names topic, partition, offset and schema id of a record it cannot read', async () => {
    const { convert } = await setup();
    const unknown = wire(42, ORDERS_SCHEMA, ORDER);
    await expect(convert([record(unknown)])).rejects.toThrow(ConversionError);
    await expect(convert([record(unknown)])).rejects.toThrow(/^topic orders partition 2 offset 17: value has schema id 42, which cannot be read/);
    await expect(convert([record(Buffer.from('{"orderid":1}'))])).rejects.toThrow(/^topic orders partition 2 offset 17: value is not Avro in Confluent's wire format: magic byte 123/);
  });
});

describe('the sink replicates the source\'s AVRO envelope', () => {
  it('puts the after document and deletes by the before document, keyed by the AVRO key (names back from their Avro form)', async () => {
    const { registry, convert } = await setup({ hash: parseKeyReference('partition', 'h'), sort: parseKeyReference('offset', 's') });
    const encoder = await confluentAvroEncoder(
      { registry, document: 'dynamodb-json', tombstones: true, avroKeys: true, keySubjects: { strategy: 'TopicNameStrategy' }, valueSubjects: { strategy: 'TopicNameStrategy' } },
      ORDERS_TABLE,
      'orders',
    );
    expectReadThenDelete(await convert(readThenDelete(encoder)));
  });
});
