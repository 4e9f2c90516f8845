// The sink scenarios every registry format must pass (Confluent's quick-start orders, source → Kafka → sink
// replication, poison to the dead-letter topic), so that each format's test states only its format, its records and
// what it expects.
import { SchemaRegistryClient, type SchemaInfo } from '@confluentinc/schemaregistry';
import { expect, inject } from 'vitest';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';
import { schemaRegistryClient } from '../../src/adapters/schema-registry/registry-client.js';
import type { SubjectNameStrategy } from '../../src/domain/subject-names.js';
import type { RecordFormat } from '../../src/formats/ports.js';
import type { RegistrySchema } from '../../src/formats/registry/ports.js';
import { uniqueName, type suiteResources } from './aws.js';
import { captureEveryWay } from './read-back.js';
import { schemaRegistryUrl } from './registry-server.js';
import { produce, sinkWithDeadLetters, startSink } from './sink.js';
import { scanAll, type Item } from './tables.js';

/** The group's committed offset in partition 0 of the topic (-1 before any commit). */
export async function committedOffset(groupId: string, topic: string): Promise<number> {
  const admin = createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: 'format-offsets' }, logLevel.ERROR).admin();
  await admin.connect();
  try {
    const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(answer?.partitions.find((entry) => entry.partition === 0)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/** A source format's settings but for its keys' setting: the local stack's registry, DynamoDB JSON documents, tombstones. */
export async function sourceFormatOptions(strategy: SubjectNameStrategy = 'TopicNameStrategy') {
  const subjects = { strategy };
  const registry = await schemaRegistryClient({ url: schemaRegistryUrl() });
  return { registry, document: 'dynamodb-json', tombstones: true, keySubjects: subjects, valueSubjects: subjects } as const;
}

export const byKey = (items: Item[], key: (item: Item) => string) => Object.fromEntries(items.map((item) => [key(item), item]));

/** Confluent's quick-start orders in one format: its schemas, the records its Confluent serializer writes, the items they become. */
export interface QuickStartOrders {
  /** Registered under the topic's value subject (and key subject) before the records are serialized. */
  schemas: { value: SchemaInfo; key?: SchemaInfo };
  /** The three orders, orderids 3244 to 3246, as Confluent's serializer for the format writes them. */
  records(client: SchemaRegistryClient, topic: string): Promise<Array<{ key: string | Buffer; value: Buffer }>>;
  /** The sink's input.data.format. */
  format: string;
  /**
   * Where the item's hash key, orderid, is read: the record's key (serialized in the format) or its value (the key
   * then being the orderid as a STRING). The sort key is value.ordertime.
   */
  orderidFrom: 'key' | 'value';
  /** The item order 3244 becomes. */
  first: Item;
}

/** The orders, produced by Confluent's serializer with its own registry client, are written by the sink, typed, by orderid. */
export async function expectQuickStartOrders(resources: ReturnType<typeof suiteResources>, prefix: string, orders: QuickStartOrders): Promise<void> {
  const { connection, dynamodb, defer } = resources;
  const registryUrl = schemaRegistryUrl();
  const topic = uniqueName(prefix);
  const client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
  await client.register(`${topic}-value`, orders.schemas.value);
  if (orders.schemas.key) await client.register(`${topic}-key`, orders.schemas.key);
  await produce(topic, await orders.records(client, topic));

  const sink = await startSink(uniqueName('sink-orders'), connection, {
    topics: topic,
    'schema.registry.url': registryUrl,
    'input.data.format': orders.format,
    ...(orders.orderidFrom === 'value' ? { 'input.key.format': 'STRING' } : {}),
    'aws.dynamodb.pk.hash': `${orders.orderidFrom}.orderid`,
    'aws.dynamodb.pk.sort': 'value.ordertime',
  });
  defer(() => sink.stop());
  await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(3);
  const items = byKey(await scanAll(dynamodb, topic), (item) => item.orderid!.N!);
  expect(items['3244']).toEqual(orders.first);
  expect(Object.keys(items).sort()).toEqual(['3244', '3245', '3246']);
}

/**
 * A table with every type, written by the source in `format`, changed every way (a delete among them), is
 * replicated by the sink reading the topic in `inputFormat` through the stack's registry: the copy equals the
 * table, and every record, the tombstone included, is committed without a dead letter.
 */
export async function expectReplicatedThrough(
  resources: ReturnType<typeof suiteResources>,
  prefix: string,
  format: RecordFormat,
  inputFormat: string,
): Promise<void> {
  const sinkKeys = { 'input.data.format': inputFormat, 'schema.registry.url': schemaRegistryUrl() };
  const { connection, dynamodb, defer } = resources;
  const sinkName = uniqueName(prefix);
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  const { table, records } = await captureEveryWay(resources, prefix, format, async (table) => {
    sink = await startSink(sinkName, connection, { topics: table, 'table.name.format': '${topic}-copy', ...sinkKeys });
    defer(() => sink!.stop());
  });
  const copy = `${table}-copy`;

  const pkOf = (item: Item) => item.pk!.S!;
  const expected = byKey(await scanAll(dynamodb, table), pkOf);
  expect(Object.keys(expected).sort()).toEqual(['first', 'second']);
  await expect.poll(async () => byKey(await scanAll(dynamodb, copy).catch(() => []), pkOf), { timeout: 60_000 }).toEqual(expected);
  // Every record, the tombstone included, was converted, written and committed: none stopped the task.
  const tombstone = records.find((record) => record.bytes.value === null)!;
  await expect.poll(() => committedOffset(`connect-${sinkName}`, table), { timeout: 30_000 }).toBeGreaterThan(tombstone.offset);
  expect(sink!.connector.status().tasks[0]).toMatchObject({ state: 'RUNNING', recordsDeadLettered: 0 });
}

/** A schema id no registry hands out in a test run. */
const UNKNOWN_SCHEMA_ID = 2_000_000_000;

/** A record of one string field, `id`: the Avro poison test's value schema, and a schema of the wrong type for the others. */
export const ID_RECORD_AVRO = { schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] }) } as const;

/** One format's poison test: its sink input format, its name in error messages, its value schema (a string field `id`). */
export interface PoisonFormat {
  format: string;
  name: string;
  schema: RegistrySchema;
  /** How the format refuses a schema id that names an Avro schema (e.g. "not Protobuf"); unset for AVRO itself. */
  refusesAvro?: string;
}

/** A poison record of one format and the dead-letter message it must get. */
export interface PoisonCase {
  key: string;
  value: Buffer | string;
  message: unknown;
}

/**
 * The sink in `input.format` (keys as STRING, the item's key from value.id) reads, from a new topic whose value schema
 * is `input.schema`: good-1, a value without the wire header, one naming a schema id the registry does not have, the
 * format's own poison records (`particular`, from offset 3 on), one naming an Avro schema (with `refusesAvro`), then
 * good-2; `wire(schemaId, id)` writes a value whose `id` field is `id` in the format. The good ones are written, the
 * poison ones land in the dead-letter topic in order, with Connect's headers and their messages.
 */
export async function expectPoisonDeadLettered(
  resources: ReturnType<typeof suiteResources>,
  prefix: string,
  input: PoisonFormat,
  wire: (schemaId: number, id: string) => Buffer,
  particular: (topic: string, schemaId: number) => PoisonCase[] = () => [],
): Promise<void> {
  const topic = uniqueName(prefix);
  const registry = await schemaRegistryClient({ url: schemaRegistryUrl() });
  const schemaId = await registry.register(`${topic}-value`, input.schema);
  const common: PoisonCase[] = [
    { key: 'json', value: '{"id":"json"}', message: `topic ${topic} partition 0 offset 1: value is not ${input.name} in Confluent's wire format: magic byte 123, expected 0` },
    {
      key: 'unknown-id',
      value: wire(UNKNOWN_SCHEMA_ID, 'unknown'),
      message: expect.stringMatching(
        new RegExp(`^topic ${topic} partition 0 offset 2: value has schema id ${UNKNOWN_SCHEMA_ID}, which cannot be read: Schema Registry at .* refused fetching schema id ${UNKNOWN_SCHEMA_ID}: HTTP 404`),
      ),
    },
  ];
  const bad = [...common, ...particular(topic, schemaId)];
  if (input.refusesAvro !== undefined) {
    const avroId = await registry.register(`${topic}-avro-value`, ID_RECORD_AVRO);
    const offset = bad.length + 1;
    bad.push({ key: 'avro-id', value: wire(avroId, 'avro'), message: `topic ${topic} partition 0 offset ${offset}: value has schema id ${avroId}, which cannot be read: it is an AVRO schema, ${input.refusesAvro}` });
  }
  const records = [{ key: 'good-1', value: wire(schemaId, 'good-1') }, ...bad.map(({ key, value }) => ({ key, value })), { key: 'good-2', value: wire(schemaId, 'good-2') }];
  const messages = bad.map((record) => record.message);
  await produce(topic, records);
  const good = records.filter((record) => record.key.startsWith('good-')).map((record) => record.key);
  const poison = records.filter((record) => !record.key.startsWith('good-'));
  const { follower } = await sinkWithDeadLetters(resources, topic, good, {
    'input.data.format': input.format,
    'input.key.format': 'STRING',
    'schema.registry.url': schemaRegistryUrl(),
  });
  await follower.waitFor((read) => read.length === poison.length, 60_000, 'the poison records in the dead-letter topic');
  expect(follower.records.map((record) => record.key)).toEqual(poison.map((record) => record.key));
  const first = records.indexOf(poison[0]!);
  expect(follower.records[0]!.headers).toMatchObject({
    '__connect.errors.topic': topic,
    '__connect.errors.partition': '0',
    '__connect.errors.offset': String(first),
    '__connect.errors.stage': 'VALUE_CONVERTER',
    '__connect.errors.exception.class.name': 'ConversionError',
  });
  expect(follower.records.map((record) => record.headers['__connect.errors.exception.message'])).toEqual(messages);
}
