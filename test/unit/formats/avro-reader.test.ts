import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroReader } from '../../../src/formats/avro/avro-reader.js';
import { EXACT_LONG } from '../../../src/formats/avro/exact-long.js';
import { SchemaRegistryError, type RegistrySchema, type SchemaRegistry } from '../../../src/formats/registry/ports.js';
import { ConversionError } from '../../../src/domain/conversion-error.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';

const RETRY = { maxRetryTimeMs: 1_000, retryBackoffMs: 1 };

/** Encodes with avsc alone (no logical types: decimals are given as their bytes), in Confluent's wire format. */
function wire(id: number, schema: object, value: unknown): Buffer {
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true, typeHook: (node) => (node === 'long' || (node as { type?: unknown }).type === 'long' ? EXACT_LONG : undefined) });
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, type.toBuffer(value)]);
}

/** An unscaled decimal as Avro stores it: big-endian two's complement, in as few bytes as hold it. */
function unscaledBytes(unscaled: bigint): Buffer {
  let bytes = 1;
  while (unscaled >= 1n << BigInt(bytes * 8 - 1) || unscaled < -(1n << BigInt(bytes * 8 - 1))) bytes++;
  const hex = BigInt.asUintN(bytes * 8, unscaled).toString(16).padStart(bytes * 2, '0');
  return Buffer.from(hex, 'hex');
}

async function readerWith(schema: object) {
  const registry = new InMemorySchemaRegistry();
  const id = await registry.register('t-value', { schemaType: 'AVRO', schema: JSON.stringify(schema) });
  return { registry, id, reader: new AvroReader(registry, RETRY) };
}

async function read(reader: AvroReader, bytes: Buffer) {
  await reader.load([bytes]);
  return reader.read(bytes, 'value');
}

const EVERY_TYPE = {
  type: 'record',
  name: 'Every',
  namespace: 'test',
  fields: [
    { name: 'text', type: 'string' },
    { name: 'int', type: 'int' },
    { name: 'long', type: 'long' },
    { name: 'float', type: 'float' },
    { name: 'double', type: 'double' },
    { name: 'flag', type: 'boolean' },
    { name: 'nothing', type: 'null' },
    { name: 'blob', type: 'bytes' },
    { name: 'fixed', type: { type: 'fixed', name: 'Four', size: 4 } },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
    { name: 'list', type: { type: 'array', items: 'int' } },
    { name: 'map', type: { type: 'map', values: 'string' } },
    { name: 'nested', type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'long'] }] } },
    { name: 'maybe', type: ['null', 'string', 'Address'] },
    { name: 'absent', type: ['null', 'string'] },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 10 } },
    { name: 'fixedPrice', type: { type: 'fixed', name: 'Money', size: 16, logicalType: 'decimal', precision: 38, scale: 2 } },
    {
      name: 'connectDecimal',
      type: { type: 'bytes', 'connect.version': 1, 'connect.parameters': { scale: '3' }, 'connect.name': 'org.apache.kafka.connect.data.Decimal' },
    },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'tsMicros', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'time', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
  ],
};

describe('AvroReader: Avro types as DynamoDB attributes', () => {
  it('maps every type losslessly: 38-digit decimals, BigInt longs, bytes, maps, nested records, unions, enums, timestamps', async () => {
    const { reader, id } = await readerWith(EVERY_TYPE);
    const bytes = wire(id, EVERY_TYPE, {
      text: '',
      int: -7,
      long: 9_223_372_036_854_775_807n,
      float: 0.1,
      double: 1.135368875862714,
      flag: true,
      nothing: null,
      blob: Buffer.from([0, 1, 254, 255]),
      fixed: Buffer.from([1, 2, 3, 4]),
      color: 'GREEN',
      list: [1, 2],
      map: { a: 'x', __proto__x: 'y' },
      nested: { city: 'Oslo', zip: { long: 123n } },
      maybe: { 'test.Address': { city: 'Rome', zip: null } },
      absent: null,
      price: unscaledBytes(-12345678901234567890123456789012345678n),
      fixedPrice: Buffer.from((100_001n).toString(16).padStart(32, '0'), 'hex'),
      connectDecimal: unscaledBytes(1n),
      ts: 1_511_538_140_542n,
      tsMicros: 1_511_538_140_542_123n,
      day: 19_000,
      time: 3_600_000,
      id: '0d9e2e6c-1f4c-4a63-9f3e-6c1d2f3a4b5c',
    });
    expect(await read(reader, bytes)).toEqual({
      M: {
        text: { S: '' },
        int: { N: '-7' },
        long: { N: '9223372036854775807' },
        float: { N: '0.1' },
        double: { N: '1.135368875862714' },
        flag: { BOOL: true },
        nothing: { NULL: true },
        blob: { B: new Uint8Array([0, 1, 254, 255]) },
        fixed: { B: new Uint8Array([1, 2, 3, 4]) },
        color: { S: 'GREEN' },
        list: { L: [{ N: '1' }, { N: '2' }] },
        map: { M: { a: { S: 'x' }, __proto__x: { S: 'y' } } },
        nested: { M: { city: { S: 'Oslo' }, zip: { N: '123' } } },
        maybe: { M: { city: { S: 'Rome' }, zip: { NULL: true } } },
        absent: { NULL: true },
        price: { N: '-1234567890123456789012345678.9012345678' },
        fixedPrice: { N: '1000.01' },
        connectDecimal: { N: '0.001' },
        ts: { N: '1511538140542' },
        tsMicros: { N: '1511538140542123' },
        day: { N: '19000' },
        time: { N: '3600000' },
        id: { S: '0d9e2e6c-1f4c-4a63-9f3e-6c1d2f3a4b5c' },
      },
    });
  });

  it('reads a recursive record and a union of several branches by the branch each value names', async () => {
    const schema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'value', type: ['null', 'int', 'string', { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 1 }] },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    const { reader, id } = await readerWith(schema);
    const bytes = wire(id, schema, {
      value: { int: 1 },
      next: { Node: { value: { string: 'two' }, next: { Node: { value: { bytes: unscaledBytes(-35n) }, next: null } } } },
    });
    expect(await read(reader, bytes)).toEqual({
      M: { value: { N: '1' }, next: { M: { value: { S: 'two' }, next: { M: { value: { N: '-3.5' }, next: { NULL: true } } } } } },
    });
  });

  it('refuses doubles DynamoDB cannot store, naming the field', async () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'x', type: 'double' }] };
    const { reader, id } = await readerWith(schema);
    const bytes = wire(id, schema, { x: Number.NaN });
    await reader.load([bytes]);
    expect(() => reader.read(bytes, 'value')).toThrow(/value\.x: NaN is not a number DynamoDB can store/);
  });
});

describe('AvroReader: records that cannot be read', () => {
  const schema = { type: 'record', name: 'R', fields: [{ name: 'x', type: 'string' }] };

  /** The ConversionError `run` throws. */
  function conversionError(run: () => unknown): ConversionError {
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConversionError);
    return thrown as ConversionError;
  }

  it('refuses a wrong magic byte and bytes shorter than the header', async () => {
    const { reader } = await readerWith(schema);
    const json = Buffer.from('{"x":"a"}');
    await reader.load([json]);
    expect(conversionError(() => reader.read(json, 'value')).message).toBe("value is not Avro in Confluent's wire format: magic byte 123, expected 0");
    expect(conversionError(() => reader.read(Buffer.from([0, 0]), 'key')).message).toMatch(/key is not Avro.*2 bytes/);
  });

  it('names an unknown schema id, and bytes that do not decode with their schema', async () => {
    const { reader, id } = await readerWith(schema);
    const unknown = wire(99, schema, { x: 'a' });
    const truncated = wire(id, schema, { x: 'abcdef' }).subarray(0, 8);
    await reader.load([unknown, truncated]);
    expect(conversionError(() => reader.read(unknown, 'value')).message).toMatch(/^value has schema id 99, which cannot be read: .*no schema with id 99/);
    expect(conversionError(() => reader.read(truncated, 'value')).message).toMatch(new RegExp(`^value does not decode with schema id ${id}: `));
  });

  it('refuses a schema that is not Avro', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('t-value', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";' });
    const reader = new AvroReader(registry, RETRY);
    const bytes = wire(id, schema, { x: 'a' });
    await reader.load([bytes]);
    expect(conversionError(() => reader.read(bytes, 'value')).message).toBe(`value has schema id ${id}, which cannot be read: it is a PROTOBUF schema, not Avro`);
  });
});

describe('AvroReader: fetching schemas', () => {
  /** A registry that counts fetches and can be made unreachable. */
  class CountingRegistry implements SchemaRegistry {
    readonly location = 'http://registry.test:8081';
    fetches = 0;
    down = false;
    constructor(private readonly inner: InMemorySchemaRegistry) {}
    register(subject: string, schema: RegistrySchema) {
      return this.inner.register(subject, schema);
    }
    async schemaById(id: number) {
      this.fetches++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (this.down) throw new SchemaRegistryError(`Schema Registry at ${this.location} did not answer fetching schema id ${id}: ECONNREFUSED`, false);
      return this.inner.schemaById(id);
    }
    schemaByVersion(subject: string, version: number) {
      return this.inner.schemaByVersion(subject, version);
    }
  }

  it('fetches each schema once: concurrent first loads share one request, later loads none', async () => {
    const inner = new InMemorySchemaRegistry();
    const id = await inner.register('t-value', { schemaType: 'AVRO', schema: '"string"' });
    const registry = new CountingRegistry(inner);
    const reader = new AvroReader(registry, RETRY);
    const bytes = wire(id, { type: 'string' }, 'a');
    await Promise.all([reader.load([bytes, bytes]), reader.load([bytes])]);
    await reader.load([bytes, null, Buffer.from('not avro')]);
    expect(registry.fetches).toBe(1);
    expect(reader.read(bytes, 'value')).toEqual({ S: 'a' });
  });

  it('asks again, with a later batch, for an id the registry did not have (a replica may lag behind)', async () => {
    const inner = new InMemorySchemaRegistry();
    const reader = new AvroReader(inner, RETRY);
    const bytes = wire(1, { type: 'string' }, 'a');
    await reader.load([bytes]);
    expect(() => reader.read(bytes, 'value')).toThrow(/schema id 1, which cannot be read/);
    await inner.register('t-value', { schemaType: 'AVRO', schema: '"string"' });
    await reader.load([bytes]);
    expect(reader.read(bytes, 'value')).toEqual({ S: 'a' });
  });

  it('asks an unreachable registry again until max.retry.time.ms, then fails naming it; a registry back in time is read', async () => {
    const inner = new InMemorySchemaRegistry();
    const id = await inner.register('t-value', { schemaType: 'AVRO', schema: '"string"' });
    const registry = new CountingRegistry(inner);
    registry.down = true;
    const reader = new AvroReader(registry, { maxRetryTimeMs: 100, retryBackoffMs: 5 });
    const bytes = wire(id, { type: 'string' }, 'a');
    await expect(reader.load([bytes])).rejects.toThrow(/^Schema Registry at http:\/\/registry\.test:8081 did not answer fetching schema id 1: ECONNREFUSED \(tried for 0 s/);
    expect(registry.fetches).toBeGreaterThan(1);

    const patient = new AvroReader(registry, { maxRetryTimeMs: 5_000, retryBackoffMs: 5 });
    const loading = patient.load([bytes]);
    setTimeout(() => (registry.down = false), 50);
    await loading;
    expect(patient.read(bytes, 'value')).toEqual({ S: 'a' });
  });
});
