// trustpilot's record shape through the Schema Registry: a trustpilot config with schema.registry.url (and a
// format) writes records that Confluent's own deserializers read as the JSON form's fields, and that the sink
// replicates.
import type { DescMessage } from '@bufbuild/protobuf';
import { AvroDeserializer, JsonDeserializer, ProtobufDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { EXACT_LONG } from '../../../src/formats/avro/exact-long.js';
import { isolatedDynamoDb, suiteResources } from '../../support/aws.js';
import { serializedProtobufClient } from '../../support/protobuf-serialized.js';
import { expectTrustpilotReplication, expectTrustpilotShape, type TrustpilotReader } from '../../support/trustpilot-run.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

/** Avro longs come as BigInt (EXACT_LONG); trustpilot's are milliseconds and counts, which JSON gives as numbers. */
function withNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, withNumbers(member)]));
}

/**
 * A message of Confluent's ProtobufDeserializer (@bufbuild/protobuf) as the JSON form's fields: in the order and
 * under the names of the .proto the deserializer read (its file registry's descriptor), int64 BigInts as
 * numbers, an unset optional as null.
 */
function protobufFields(descriptor: DescMessage, message: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of descriptor.fields) {
    const member = message[field.localName];
    fields[field.name] = member === undefined ? null : field.message ? protobufFields(field.message, member as Record<string, unknown>) : withNumbers(member);
  }
  return fields;
}

describe("source: trustpilot's record shape in the registry formats, from a trustpilot config", () => {
  const resources = suiteResources('trustpilot-registry');
  const registryUrl = useSchemaRegistry();

  it("AVRO: Confluent's AvroDeserializer reads r, c, u, d and the tombstone field by field as the JSON form", async () => {
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    const keys = new AvroDeserializer(client, SerdeType.KEY, {});
    const values = new AvroDeserializer(client, SerdeType.VALUE, { registry: { long: EXACT_LONG } });
    const read: TrustpilotReader = async (record) => ({
      key: withNumbers(await keys.deserialize(record.topic, record.bytes.key!)) as Record<string, string>,
      value: record.bytes.value === null ? null : (withNumbers(await values.deserialize(record.topic, record.bytes.value)) as never),
    });
    await expectTrustpilotShape(resources, { 'schema.registry.url': registryUrl(), 'output.data.format': 'AVRO' }, read);
  });

  it("JSON_SR: Confluent's JsonDeserializer validates and reads them as the JSON form", async () => {
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    const keys = new JsonDeserializer(client, SerdeType.KEY, { validate: true });
    const values = new JsonDeserializer(client, SerdeType.VALUE, { validate: true });
    const read: TrustpilotReader = async (record) => ({
      key: await keys.deserialize(record.topic, record.bytes.key!),
      value: record.bytes.value === null ? null : await values.deserialize(record.topic, record.bytes.value),
    });
    await expectTrustpilotShape(resources, { 'schema.registry.url': registryUrl(), 'output.data.format': 'JSON_SR' }, read);
  });

  it("PROTOBUF: Confluent's ProtobufDeserializer reads them as the JSON form, an unset optional as its null", async () => {
    const client = serializedProtobufClient(registryUrl());
    const keys = new ProtobufDeserializer(client, SerdeType.KEY, {});
    const values = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const fields = async (deserializer: ProtobufDeserializer, topic: string, bytes: Buffer) => {
      const message = (await deserializer.deserialize(topic, bytes)) as Record<string, unknown> & { $typeName: string };
      return protobufFields(deserializer.fileRegistry.getMessage(message.$typeName)!, message);
    };
    const read: TrustpilotReader = async (record) => ({
      key: (await fields(keys, record.topic, record.bytes.key!)) as Record<string, string>,
      value: record.bytes.value === null ? null : ((await fields(values, record.topic, record.bytes.value)) as never),
    });
    await expectTrustpilotShape(resources, { 'schema.registry.url': registryUrl(), 'output.data.format': 'PROTOBUF' }, read);
  });
});

describe("sink: a table replicated through trustpilot's record shape in the registry formats", () => {
  const source = suiteResources('tpregsource');
  const connection = isolatedDynamoDb('tpregtarget');
  const dynamodb = createDynamoDbClient(connection);
  source.defer(async () => dynamodb.destroy());
  const registryUrl = useSchemaRegistry();

  it.each(['AVRO', 'JSON_SR', 'PROTOBUF'])('%s: ends with the target equal to the source after inserts, updates and deletes, number keys included', async (format) => {
    const registry = { 'schema.registry.url': registryUrl() };
    await expectTrustpilotReplication(source, { connection, dynamodb }, { ...registry, 'output.data.format': format }, { ...registry, 'input.data.format': format });
  });
});
