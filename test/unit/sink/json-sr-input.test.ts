import { describe, expect, it } from 'vitest';
import { AvroReader } from '../../../src/formats/avro/avro-reader.js';
import { JsonSchemaReader } from '../../../src/formats/json-schema/json-sr-reader.js';
import { confluentJsonSchemaFormat } from '../../../src/formats/json-schema/confluent-json-sr.js';
import type { RegistrySchema, SchemaRegistry } from '../../../src/formats/registry/ports.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { ConversionError, convertRecord, type ConverterSettings } from '../../../src/sink/record-converter.js';
import { loadRegistrySchemas } from '../../../src/sink/registry-input.js';
import type { SinkRecord } from '../../../src/sink/sink-record.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { expectReadThenDelete, ORDERS_TABLE, ordersRecord, readThenDelete } from '../../support/format-fixtures.js';

const RETRY = { maxRetryTimeMs: 1_000, retryBackoffMs: 1 };
const ORDER_SCHEMA = { type: 'object', properties: { orderid: { type: 'integer' }, price: { type: 'number' } } };
const wire = (id: number, text: string) => Buffer.concat([wireHeader(id), Buffer.from(text)]);

const record = ordersRecord;

/** A registry counting its fetches by id. */
function counting(inner: InMemorySchemaRegistry): SchemaRegistry & { fetches: number[] } {
  const fetches: number[] = [];
  return {
    location: inner.location,
    fetches,
    register: (subject: string, schema: RegistrySchema) => inner.register(subject, schema),
    schemaById: (id: number) => {
      fetches.push(id);
      return inner.schemaById(id);
    },
    schemaByVersion: (subject: string, version: number) => inner.schemaByVersion(subject, version),
  };
}

function setup(overrides: Partial<ConverterSettings> = {}) {
  const inner = new InMemorySchemaRegistry();
  const registry = counting(inner);
  const settings: ConverterSettings = {
    inputFormat: 'JSON_SR',
    hash: parseKeyReference('value.orderid', 'aws.dynamodb.pk.hash'),
    tableNameFormat: '${topic}',
    nullValues: 'delete',
    jsonSr: new JsonSchemaReader(registry, RETRY),
    ...overrides,
  };
  const convert = async (records: SinkRecord[]) => {
    await loadRegistrySchemas(records, settings);
    return records.map((one) => convertRecord(one, settings));
  };
  return { registry: inner, fetches: registry.fetches, settings, convert };
}

describe('the sink reads JSON_SR values', () => {
  it('reads the JSON after the header losslessly: a 38-digit number and a long fraction keep every digit', async () => {
    const { registry, convert } = setup();
    const id = await registry.register('orders-value', { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) });
    const [op] = await convert([record(wire(id, '{"orderid":12345678901234567890123456789012345678,"price":1.135368875862714000001,"tags":["a"]}'))]);
    expect(op).toEqual({
      kind: 'put',
      table: 'orders',
      key: { orderid: { N: '12345678901234567890123456789012345678' } },
      keySchema: { hashKey: 'orderid', types: { orderid: 'N' } },
      item: { orderid: { N: '12345678901234567890123456789012345678' }, price: { N: '1.135368875862714000001' }, tags: { L: [{ S: 'a' }] } },
    });
  });

  it('reads key references from a JSON_SR key, and fetches each id once for a batch of values and keys', async () => {
    const { registry, fetches, convert } = setup({ hash: parseKeyReference('key.id', 'aws.dynamodb.pk.hash') });
    const keyId = await registry.register('orders-key', { schemaType: 'JSON', schema: '{"type":"object"}' });
    const valueId = await registry.register('orders-value', { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) });
    const ops = await convert([1, 2, 3].map((n) => record(wire(valueId, `{"orderid":${n}}`), wire(keyId, `{"id":"k-${n}"}`))));
    expect(ops.map((op) => op.kind === 'put' && op.key)).toEqual([{ id: { S: 'k-1' } }, { id: { S: 'k-2' } }, { id: { S: 'k-3' } }]);
    expect(fetches.sort()).toEqual([keyId, valueId].sort());
  });

  it('refuses a key without the header when key fields are referenced, and reads a tombstone\'s plain JSON key as AVRO does', async () => {
    const { registry, convert } = setup({ hash: parseKeyReference('key.id', 'aws.dynamodb.pk.hash') });
    const valueId = await registry.register('orders-value', { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) });
    await expect(convert([record(wire(valueId, '{}'), '{"id":"k"}')])).rejects.toThrow(/^topic orders partition 2 offset 17: key is not JSON_SR in Confluent's wire format: magic byte 123/);
    const [forget] = await setup().convert([record(null, '{"orderid":7}')]);
    expect(forget).toMatchObject({ kind: 'delete', key: { orderid: { N: '7' } } });
  });

  it('loads each format\'s schemas with its own reader: AVRO values, JSON_SR keys', async () => {
    const inner = new InMemorySchemaRegistry();
    const keyId = await inner.register('orders-key', { schemaType: 'JSON', schema: '{"type":"object"}' });
    const valueId = await inner.register('orders-value', { schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name: 'V', fields: [{ name: 'x', type: 'string' }] }) });
    const settings: ConverterSettings = {
      inputFormat: 'AVRO',
      keyFormat: 'JSON_SR',
      hash: parseKeyReference('key.id', 'aws.dynamodb.pk.hash'),
      tableNameFormat: '${topic}',
      nullValues: 'delete',
      avro: new AvroReader(inner, RETRY),
      jsonSr: new JsonSchemaReader(inner, RETRY),
    };
    const one = record(Buffer.concat([wireHeader(valueId), Buffer.from([2, 0x61])]), wire(keyId, '{"id":"k"}'));
    await loadRegistrySchemas([one], settings);
    expect(convertRecord(one, settings)).toMatchObject({ kind: 'put', item: { id: { S: 'k' }, x: { S: 'a' } } });
  });

  it('names topic, partition, offset and schema id of a record it cannot read', async () => {
    const { registry, convert } = setup();
    const avroId = await registry.register('other-value', { schemaType: 'AVRO', schema: '"string"' });
    const failure = async (value: Buffer) => {
      const error = await convert([record(value)]).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConversionError);
      return (error as ConversionError).message;
    };
    expect(await failure(wire(42, '{"orderid":1}'))).toMatch(/^topic orders partition 2 offset 17: value has schema id 42, which cannot be read: .*no schema with id 42/);
    expect(await failure(Buffer.from('{"orderid":1}'))).toBe("topic orders partition 2 offset 17: value is not JSON_SR in Confluent's wire format: magic byte 123, expected 0");
    expect(await failure(wire(avroId, '{"orderid":1}'))).toMatch(new RegExp(`^topic orders partition 2 offset 17: value has schema id ${avroId}, which cannot be read: it is an AVRO schema`));
    const jsonId = await registry.register('orders-value', { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) });
    expect(await failure(wire(jsonId, '{"orderid":'))).toMatch(/^topic orders partition 2 offset 17: value is not valid JSON/);
  });
});

describe("the sink replicates the source's JSON_SR envelope", () => {
  it('puts the after document, deletes by the before document and by the tombstone\'s JSON_SR key', async () => {
    const { registry, convert } = setup({ hash: parseKeyReference('partition', 'h'), sort: parseKeyReference('offset', 's') });
    const format = confluentJsonSchemaFormat({
      registry,
      document: 'dynamodb-json',
      tombstones: true,
      registryKeys: true,
      keySubjects: { strategy: 'TopicNameStrategy' },
      valueSubjects: { strategy: 'TopicNameStrategy' },
    });
    const encoder = await format.forTable(ORDERS_TABLE, 'orders');
    expectReadThenDelete(await convert(readThenDelete(encoder)));
  });
});
