import { describe, expect, it } from 'vitest';
import { JsonSchemaReader } from '../../../src/formats/json-schema/json-sr-reader.js';
import type { RegistrySchema, SchemaRegistry } from '../../../src/formats/registry/ports.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { ConversionError } from '../../../src/domain/conversion-error.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';

const RETRY = { maxRetryTimeMs: 1_000, retryBackoffMs: 1 };
const SCHEMA = { type: 'object', properties: { id: { type: 'string' } } };
const wire = (id: number, text: string) => Buffer.concat([wireHeader(id), Buffer.from(text)]);

describe('JsonSchemaReader', () => {
  it('gives the JSON text after the header once its id names a JSON Schema', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('t-value', { schemaType: 'JSON', schema: JSON.stringify(SCHEMA) });
    const reader = new JsonSchemaReader(registry, RETRY);
    const bytes = wire(id, '{"id":"a","n":12345678901234567890123456789012345678}');
    await reader.load([bytes]);
    expect(reader.payload(bytes, 'value').toString()).toBe('{"id":"a","n":12345678901234567890123456789012345678}');
  });

  it('refuses a wrong magic byte, a short header, an unknown id and a schema that is not a JSON Schema, naming the id', async () => {
    const registry = new InMemorySchemaRegistry();
    const avroId = await registry.register('a-value', { schemaType: 'AVRO', schema: '"string"' });
    const reader = new JsonSchemaReader(registry, RETRY);
    const plain = Buffer.from('{"id":"a"}');
    const unknown = wire(77, '{}');
    const avro = wire(avroId, '{}');
    await reader.load([plain, unknown, avro, null]);
    expect(() => reader.payload(plain, 'value')).toThrow(ConversionError);
    expect(() => reader.payload(plain, 'value')).toThrow(new ConversionError("value is not JSON_SR in Confluent's wire format: magic byte 123, expected 0"));
    expect(() => reader.payload(Buffer.from([0, 1]), 'key')).toThrow(new ConversionError("key is not JSON_SR in Confluent's wire format: 2 bytes, fewer than the 5-byte header"));
    expect(() => reader.payload(unknown, 'value')).toThrow(/^value has schema id 77, which cannot be read: .*no schema with id 77/);
    expect(() => reader.payload(avro, 'value')).toThrow(new ConversionError(`value has schema id ${avroId}, which cannot be read: it is an AVRO schema, not a JSON Schema`));
  });

  it('fetches each id once: concurrent first loads share one request', async () => {
    const inner = new InMemorySchemaRegistry();
    const id = await inner.register('t-value', { schemaType: 'JSON', schema: JSON.stringify(SCHEMA) });
    let fetches = 0;
    const registry: SchemaRegistry = {
      location: 'memory://counting',
      register: (subject: string, schema: RegistrySchema) => inner.register(subject, schema),
      async schemaById(wanted: number) {
        fetches++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return inner.schemaById(wanted);
      },
      schemaByVersion: (subject: string, version: number) => inner.schemaByVersion(subject, version),
    };
    const reader = new JsonSchemaReader(registry, RETRY);
    const bytes = wire(id, '{"id":"a"}');
    await Promise.all([reader.load([bytes, bytes]), reader.load([bytes])]);
    await reader.load([bytes]);
    expect(fetches).toBe(1);
  });
});
