// The sink scenarios every registry format must pass (source → Kafka → sink replication, poison to the dead-letter
// topic), so that each format's test states only its format, its records and what it expects.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, inject } from 'vitest';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';
import { schemaRegistryClient } from '../../src/adapters/schema-registry/registry-client.js';
import type { RecordFormat } from '../../src/formats/ports.js';
import { uniqueName, type suiteResources } from './aws.js';
import { changeEveryWay, richItem } from './format-fixtures.js';
import { produce, startSink } from './sink.js';
import { startSource } from './source.js';
import { createTable, scanAll, type Item } from './tables.js';
import { TopicFollower } from './topic-follower.js';

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
export async function sourceFormatOptions() {
  const subjects = { strategy: 'TopicNameStrategy' } as const;
  const registry = await schemaRegistryClient({ url: inject('stack').schemaRegistry!.url });
  return { registry, document: 'dynamodb-json', tombstones: true, keySubjects: subjects, valueSubjects: subjects } as const;
}

export const byKey = (items: Item[], key: (item: Item) => string) => Object.fromEntries(items.map((item) => [key(item), item]));

/** The `count` orders the sink (with `sinkKeys`) writes from `topic` to table `topic`, by orderid. */
export async function sinkOrders(resources: ReturnType<typeof suiteResources>, topic: string, count: number, sinkKeys: Record<string, string>): Promise<Record<string, Item>> {
  const { connection, dynamodb, defer } = resources;
  const sink = await startSink(uniqueName('sink-orders'), connection, { topics: topic, 'schema.registry.url': inject('stack').schemaRegistry!.url, ...sinkKeys });
  defer(() => sink.stop());
  await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(count);
  return byKey(await scanAll(dynamodb, topic), (item) => item.orderid!.N!);
}

/**
 * A table with every type, written by the source in `format`, changed every way (a delete among them), is
 * replicated by the sink reading the topic with `sinkKeys`: the copy equals the table, and every record, the
 * tombstone included, is committed without a dead letter.
 */
export async function expectReplicatedThrough(
  resources: ReturnType<typeof suiteResources>,
  prefix: string,
  format: RecordFormat,
  sinkKeys: Record<string, string>,
): Promise<void> {
  const { connection, dynamodb, defer } = resources;
  const table = uniqueName(prefix);
  await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'pk', rangeKey: 'sk' }, { sk: 'N' });
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: richItem('first') }));
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
  defer(() => follower.close());
  const source = await startSource({ name: uniqueName(prefix), tables: [table], dynamodb: connection, format });
  defer(() => source.stop());
  await follower.waitFor((records) => records.length >= 1, 60_000, 'the snapshot read');

  const copy = `${table}-copy`;
  const sinkName = uniqueName(prefix);
  const sink = await startSink(sinkName, connection, { topics: table, 'table.name.format': '${topic}-copy', ...sinkKeys });
  defer(() => sink.stop());

  await changeEveryWay(dynamodb, table);
  await follower.waitFor((records) => records.some((record) => record.bytes.value === null), 60_000, 'the tombstone after the delete');

  const pkOf = (item: Item) => item.pk!.S!;
  const expected = byKey(await scanAll(dynamodb, table), pkOf);
  expect(Object.keys(expected).sort()).toEqual(['first', 'second']);
  await expect.poll(async () => byKey(await scanAll(dynamodb, copy).catch(() => []), pkOf), { timeout: 60_000 }).toEqual(expected);
  // Every record, the tombstone included, was converted, written and committed: none stopped the task.
  const tombstone = follower.records.find((record) => record.bytes.value === null)!;
  await expect.poll(() => committedOffset(`connect-${sinkName}`, table), { timeout: 30_000 }).toBeGreaterThan(tombstone.offset);
  expect(sink.connector.status().tasks[0]).toMatchObject({ state: 'RUNNING', recordsDeadLettered: 0 });
}

/**
 * Records keyed `good-…` (values with an `id` field) and poison records between them, produced to `topic` and read
 * by the sink in `inputFormat` (keys as STRING, the item's key from value.id): the good ones are written, the
 * poison ones land in the dead-letter topic in order, with Connect's headers and `messages`, one per poison record.
 */
export async function expectPoisonDeadLettered(
  resources: ReturnType<typeof suiteResources>,
  topic: string,
  inputFormat: string,
  records: Array<{ key: string; value: Buffer | string }>,
  messages: unknown[],
): Promise<void> {
  const { connection, dynamodb, defer } = resources;
  await produce(topic, records);
  const deadLetters = `${topic}-dlq`;
  const sink = await startSink(uniqueName('sink-dlq'), connection, {
    topics: topic,
    'input.data.format': inputFormat,
    'input.key.format': 'STRING',
    'schema.registry.url': inject('stack').schemaRegistry!.url,
    'aws.dynamodb.pk.hash': 'value.id',
    'aws.dynamodb.pk.sort': '',
    'errors.tolerance': 'all',
    'errors.deadletterqueue.topic.name': deadLetters,
    'errors.deadletterqueue.context.headers.enable': 'true',
  });
  defer(() => sink.stop());
  const good = records.filter((record) => record.key.startsWith('good-')).map((record) => record.key);
  const poison = records.filter((record) => !record.key.startsWith('good-'));
  await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).map((item) => item.id!.S).sort(), { timeout: 60_000 }).toEqual(good.sort());
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, deadLetters, 1, 'read_uncommitted');
  defer(() => follower.close());
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
