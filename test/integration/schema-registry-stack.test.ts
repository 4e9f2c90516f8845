import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { useSchemaRegistry } from '../support/registry-server.js';

/**
 * The stack's Schema Registry (Apicurio, `stack up --with schema-registry`) answers Confluent's REST API as
 * Confluent's registry does, both to plain HTTP and to Confluent's own JavaScript client and serdes, which the
 * record formats are built on.
 */
describe('local Schema Registry (Apicurio, Confluent-compatible API)', () => {
  const url = useSchemaRegistry();
  const subjects: string[] = [];

  /** A subject of this test's own, deleted after it. */
  function newSubject(): string {
    const subject = `${uniqueName('stack-test')}-value`;
    subjects.push(subject);
    return subject;
  }

  afterAll(async () => {
    for (const subject of subjects) {
      // Confluent's two steps: a soft delete, then the permanent one.
      await call('DELETE', `/subjects/${subject}`);
      await call('DELETE', `/subjects/${subject}?permanent=true`);
    }
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${url()}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: await response.json() };
  }

  const user = (fields: object[]) => JSON.stringify({ type: 'record', name: 'User', namespace: 'stacktest', fields });
  const userV1 = user([{ name: 'id', type: 'string' }]);

  it('is listed as a loopback URL of Confluent API v7, with Confluent\'s default compatibility', async () => {
    expect(url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    expect(await call('GET', '/config')).toEqual({ status: 200, json: { compatibilityLevel: 'BACKWARD' } });
  });

  it('registers an Avro schema, returns it by its global id, and lists the subject', async () => {
    const subject = newSubject();
    const registered = await call('POST', `/subjects/${subject}/versions`, { schema: userV1 });
    expect(registered.status).toBe(200);
    const id = registered.json.id as number;
    expect(id).toBeGreaterThan(0);

    expect(await call('GET', `/schemas/ids/${id}`)).toEqual({ status: 200, json: { schema: userV1, references: [] } });
    expect((await call('GET', '/subjects')).json).toContain(subject);

    // Ids are global, as in Confluent: the same schema has the same id under every subject and whatever its
    // whitespace; registering it again is not a new version.
    const other = newSubject();
    expect((await call('POST', `/subjects/${other}/versions`, { schema: userV1 })).json).toEqual({ id });
    const spaced = JSON.stringify(JSON.parse(userV1), null, 2);
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: spaced })).json).toEqual({ id });
    expect((await call('GET', `/subjects/${subject}/versions`)).json).toEqual([1]);
  });

  it('refuses with 409 a schema a BACKWARD subject cannot read old data with, and accepts a compatible one', async () => {
    const subject = newSubject();
    await call('POST', `/subjects/${subject}/versions`, { schema: userV1 });
    expect(await call('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).toEqual({
      status: 200,
      json: { compatibility: 'BACKWARD' },
    });

    // A new field without a default cannot be filled in when reading records written with v1.
    const incompatible = user([{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }]);
    const refused = await call('POST', `/subjects/${subject}/versions`, { schema: incompatible });
    expect(refused.status).toBe(409);
    expect(refused.json.error_code).toBe(409);

    const compatible = user([{ name: 'id', type: 'string' }, { name: 'age', type: 'int', default: 0 }]);
    const accepted = await call('POST', `/subjects/${subject}/versions`, { schema: compatible });
    expect(accepted.status).toBe(200);
    expect((await call('GET', `/subjects/${subject}/versions`)).json).toEqual([1, 2]);
  });

  it('registers and returns JSON Schema and Protobuf schemas with their type', async () => {
    const json = JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } });
    const proto = 'syntax = "proto3";\npackage stacktest;\n\nmessage User {\n  string id = 1;\n}\n';
    for (const [schemaType, schema] of [['JSON', json], ['PROTOBUF', proto]] as const) {
      const registered = await call('POST', `/subjects/${newSubject()}/versions`, { schemaType, schema });
      expect(registered.status, JSON.stringify(registered.json)).toBe(200);
      expect((await call('GET', `/schemas/ids/${registered.json.id}`)).json).toEqual({ schema, schemaType, references: [] });
    }
  });

  it('works with Confluent\'s SchemaRegistryClient and its Avro serializer and deserializer', async () => {
    const client = new SchemaRegistryClient({ baseURLs: [url()] });
    const subject = newSubject();
    const id = await client.register(subject, { schemaType: 'AVRO', schema: userV1 });
    // A second client, so the answers come from the registry and not from the first one's cache.
    const reader = new SchemaRegistryClient({ baseURLs: [url()] });
    expect(await reader.getBySubjectAndId(subject, id)).toMatchObject({ schema: userV1 });
    expect(await reader.getId(subject, { schemaType: 'AVRO', schema: userV1 })).toBe(id);
    expect(await reader.getLatestSchemaMetadata(subject)).toMatchObject({ id, subject, version: 1 });

    // The wire format: magic byte 0, then the 4-byte schema id, then the Avro binary.
    const topic = uniqueName('stack-test');
    subjects.push(`${topic}-value`);
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const bytes = await serializer.serialize(topic, { id: 'user-1', visits: 3 });
    expect(bytes[0]).toBe(0);
    const writtenWith = bytes.readInt32BE(1);
    expect((await reader.getBySubjectAndId(`${topic}-value`, writtenWith)).schema).toContain('visits');
    const deserializer = new AvroDeserializer(reader, SerdeType.VALUE, {});
    expect({ ...(await deserializer.deserialize(topic, bytes)) }).toEqual({ id: 'user-1', visits: 3 });
  });
});
