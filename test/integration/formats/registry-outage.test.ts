import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, it } from 'vitest';
import { faultSeed } from '../../support/fault-plan.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { createTable, scanAll } from '../../support/tables.js';
import { schemaRegistryUrl, useSchemaRegistry } from '../../support/registry-server.js';

/**
 * The registry hangs mid-run (every request held, as a stopped server would) just as a record with a schema the
 * sink has not seen arrives: the sink waits for it, writes nothing out of order, and loses nothing.
 */
describe('sink: the Schema Registry hanging mid-run', () => {
  const { connection, dynamodb, defer } = suiteResources('registry-outage');
  useSchemaRegistry();

  it('holds the record whose schema it cannot fetch, then writes it and everything after once the registry answers', async () => {
    const registryUrl = new URL(schemaRegistryUrl());
    const proxy = await FaultProxy.start(registryUrl.origin, faultSeed());
    defer(() => proxy.close());

    const topic = uniqueName('reg-outage');
    await createTable(dynamodb, topic);
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl.toString()] });
    const field = (name: string, type: unknown) => ({ name, type });
    const v1 = { type: 'record', name: 'Order', namespace: 'outage', fields: [field('id', 'string')] };
    const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };
    await client.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(v1) });
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    await produce(topic, [{ key: 'a', value: await serializer.serialize(topic, { id: 'a' }) }]);

    const sink = await startSink(uniqueName('reg-outage'), connection, {
      topics: topic,
      'input.data.format': 'AVRO',
      'input.key.format': 'STRING',
      'schema.registry.url': `${proxy.endpoint}${registryUrl.pathname}`,
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
    });
    defer(() => sink.stop());
    await expect.poll(async () => (await scanAll(dynamodb, topic)).length, { timeout: 60_000 }).toBe(1);

    // The registry hangs; a new schema version appears (registered behind the sink's back) with records in it.
    proxy.freeze();
    await client.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(v2) });
    const serializerV2 = new AvroSerializer(new SchemaRegistryClient({ baseURLs: [registryUrl.toString()] }), SerdeType.VALUE, { useLatestVersion: true });
    await produce(topic, await Promise.all(['b', 'c'].map(async (id) => ({ key: id, value: await serializerV2.serialize(topic, { id, note: `note ${id}` }) }))));
    await expect.poll(() => proxy.held(), { timeout: 30_000, message: 'the sink asking the hung registry for the new schema' }).toBeGreaterThan(0);
    expect((await scanAll(dynamodb, topic)).map((item) => item.id!.S)).toEqual(['a']);

    proxy.thaw();
    await expect.poll(async () => (await scanAll(dynamodb, topic)).length, { timeout: 60_000 }).toBe(3);
    const items = new Map((await scanAll(dynamodb, topic)).map((item) => [item.id!.S!, item]));
    expect(items.get('c')).toEqual({ id: { S: 'c' }, note: { S: 'note c' } });
    expect(sink.connector.status().tasks.every((task) => task.state === 'RUNNING')).toBe(true);
  });
});
