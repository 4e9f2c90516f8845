import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { schemaRegistryClient } from '../../../src/adapters/schema-registry/registry-client.js';
import { confluentAvroFormat } from '../../../src/formats/avro/confluent-avro.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { startSource } from '../../support/source.js';
import { changeEveryWay, ORDERS_SCHEMA, richItem } from '../../support/format-fixtures.js';
import { createTable, scanAll, type Item } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('sink: AVRO through a real Schema Registry', () => {
  const { connection, dynamodb, defer } = suiteResources('sink-avro');
  const registryUrl = () => inject('stack').schemaRegistry!.url;
  /** The group's committed offset in partition 0 of the topic (-1 before any commit). */
  async function committedOffset(groupId: string, topic: string): Promise<number> {
    const admin = createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: 'sink-avro-offsets' }, logLevel.ERROR).admin();
    await admin.connect();
    try {
      const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Number(answer?.partitions.find((entry) => entry.partition === 0)?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  }
  const byKey = (items: Item[], key: (item: Item) => string) => Object.fromEntries(items.map((item) => [key(item), item]));

  it("writes Confluent's quick-start orders, produced by Confluent's AvroSerializer, keyed by value.orderid and value.ordertime", async () => {
    const topic = uniqueName('orders');
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    await client.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(ORDERS_SCHEMA) });
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const orders = [1, 2, 3].map((n) => ({
      ordertime: 1_511_538_140_542 + n,
      orderid: 3243 + n,
      itemid: `Item_${n}`,
      orderunits: 1.135368875862714 * n,
      address: { city: `City_${n}`, state: `State_${n}`, zipcode: 99_000 + n },
    }));
    await produce(topic, await Promise.all(orders.map(async (order) => ({ key: String(order.orderid), value: await serializer.serialize(topic, order) }))));

    const sink = await startSink(uniqueName('sink-avro'), connection, {
      topics: topic,
      'input.data.format': 'AVRO',
      'input.key.format': 'STRING',
      'schema.registry.url': registryUrl(),
      'aws.dynamodb.pk.hash': 'value.orderid',
      'aws.dynamodb.pk.sort': 'value.ordertime',
    });
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000 }).toBe(3);
    const items = byKey(await scanAll(dynamodb, topic), (item) => item.orderid!.N!);
    expect(items['3244']).toEqual({
      orderid: { N: '3244' },
      ordertime: { N: '1511538140543' },
      itemid: { S: 'Item_1' },
      orderunits: { N: '1.135368875862714' },
      address: { M: { city: { S: 'City_1' }, state: { S: 'State_1' }, zipcode: { N: '99001' } } },
    });
    expect(Object.keys(items).sort()).toEqual(['3244', '3245', '3246']);
  });

  it('replicates a table, every type and its deletes, from the source in AVRO to the sink in AVRO', async () => {
    const table = uniqueName('avro-rep');
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'pk', rangeKey: 'sk' }, { sk: 'N' });
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: richItem('first') }));
    const format = confluentAvroFormat({
      registry: await schemaRegistryClient({ url: registryUrl() }),
      document: 'dynamodb-json',
      tombstones: true,
      avroKeys: true,
      keySubjects: { strategy: 'TopicNameStrategy' },
      valueSubjects: { strategy: 'TopicNameStrategy' },
    });
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    const source = await startSource({ name: uniqueName('avro-rep'), tables: [table], dynamodb: connection, format });
    defer(() => source.stop());
    await follower.waitFor((records) => records.length >= 1, 60_000, 'the snapshot read');

    const copy = `${table}-copy`;
    const sinkName = uniqueName('avro-rep');
    const sink = await startSink(sinkName, connection, {
      topics: table,
      'table.name.format': '${topic}-copy',
      'input.data.format': 'AVRO',
      'schema.registry.url': registryUrl(),
    });
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
  });

  it('sends records that are not Avro, or name a schema the registry does not have, to the dead-letter topic with their error', async () => {
    const topic = uniqueName('avro-dlq');
    const registry = await schemaRegistryClient({ url: registryUrl() });
    const schemaId = await registry.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] }) });
    const wire = (id: number, body: Buffer) => Buffer.concat([wireHeader(id), body]);
    const avroString = (text: string) => Buffer.concat([Buffer.from([text.length * 2]), Buffer.from(text)]); // zig-zag length, then UTF-8
    const UNKNOWN_ID = 2_000_000_000;
    await produce(topic, [
      { key: 'good-1', value: wire(schemaId, avroString('good-1')) },
      { key: 'json', value: '{"id":"json"}' },
      { key: 'unknown-id', value: wire(UNKNOWN_ID, avroString('unknown')) },
      { key: 'truncated', value: wire(schemaId, avroString('truncated')).subarray(0, 9) },
      { key: 'good-2', value: wire(schemaId, avroString('good-2')) },
    ]);
    const deadLetters = `${topic}-dlq`;
    const sink = await startSink(uniqueName('sink-avro-dlq'), connection, {
      topics: topic,
      'input.data.format': 'AVRO',
      'input.key.format': 'STRING',
      'schema.registry.url': registryUrl(),
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': deadLetters,
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).map((item) => item.id!.S).sort(), { timeout: 60_000 }).toEqual(['good-1', 'good-2']);
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, deadLetters, 1, 'read_uncommitted');
    defer(() => follower.close());
    await follower.waitFor((records) => records.length === 3, 60_000, 'the three poison records in the dead-letter topic');
    expect(follower.records.map((record) => record.key)).toEqual(['json', 'unknown-id', 'truncated']);
    expect(follower.records[1]!.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '2',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.exception.class.name': 'ConversionError',
    });
    expect(follower.records.map((record) => record.headers['__connect.errors.exception.message'])).toEqual([
      `topic ${topic} partition 0 offset 1: value is not Avro in Confluent's wire format: magic byte 123, expected 0`,
      expect.stringMatching(new RegExp(`^topic ${topic} partition 0 offset 2: value has schema id ${UNKNOWN_ID}, which cannot be read: Schema Registry at .* refused fetching schema id ${UNKNOWN_ID}: HTTP 404`)),
      expect.stringMatching(new RegExp(`^topic ${topic} partition 0 offset 3: value does not decode with schema id ${schemaId}: `)),
    ]);
  });

  it('stops, naming the registry but not its credentials, when the registry does not answer, and commits nothing', async () => {
    const topic = uniqueName('avro-noreg');
    await produce(topic, [{ key: 'a', value: Buffer.concat([wireHeader(1), Buffer.from([2, 0x61])]) }]);
    const sinkName = uniqueName('sink-avro-noreg');
    const sink = await startSink(sinkName, connection, {
      topics: topic,
      'input.data.format': 'AVRO',
      'input.key.format': 'STRING',
      'schema.registry.url': 'http://someone:hunter2@127.0.0.1:1',
      'basic.auth.credentials.source': 'URL',
      'max.retry.time.ms': '1000',
      'retry.backoff.ms': '100',
    });
    defer(() => sink.stop());
    await expect.poll(() => sink.connector.status().tasks[0]!.state, { timeout: 60_000 }).toBe('FAILED');
    const error = sink.connector.status().tasks[0]!.error!;
    expect(error).toMatch(/^Schema Registry at http:\/\/127\.0\.0\.1:1 did not answer fetching schema id 1: /);
    expect(error).not.toContain('hunter2');
    expect(await committedOffset(`connect-${sinkName}`, topic)).toBe(-1);
  });
});
