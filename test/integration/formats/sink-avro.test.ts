import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, inject, it } from 'vitest';
import { schemaRegistryClient } from '../../../src/adapters/schema-registry/registry-client.js';
import { confluentAvroFormat } from '../../../src/formats/avro/confluent-avro.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { ORDERS_SCHEMA } from '../../support/format-fixtures.js';
import { committedOffset, expectPoisonDeadLettered, expectReplicatedThrough, sinkOrders, sourceFormatOptions } from '../../support/format-replication.js';

describe('sink: AVRO through a real Schema Registry', () => {
  const resources = suiteResources('sink-avro');
  const { connection, defer } = resources;
  const registryUrl = () => inject('stack').schemaRegistry!.url;

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

    const items = await sinkOrders(resources, topic, 3, {
      'input.data.format': 'AVRO',
      'input.key.format': 'STRING',
      'aws.dynamodb.pk.hash': 'value.orderid',
      'aws.dynamodb.pk.sort': 'value.ordertime',
    });
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
    const format = confluentAvroFormat({ ...(await sourceFormatOptions()), avroKeys: true });
    await expectReplicatedThrough(resources, 'avro-rep', format, { 'input.data.format': 'AVRO', 'schema.registry.url': registryUrl() });
  });

  it('sends records that are not Avro, or name a schema the registry does not have, to the dead-letter topic with their error', async () => {
    const topic = uniqueName('avro-dlq');
    const registry = await schemaRegistryClient({ url: registryUrl() });
    const schemaId = await registry.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] }) });
    const wire = (id: number, body: Buffer) => Buffer.concat([wireHeader(id), body]);
    const avroString = (text: string) => Buffer.concat([Buffer.from([text.length * 2]), Buffer.from(text)]); // zig-zag length, then UTF-8
    const UNKNOWN_ID = 2_000_000_000;
    const records = [
      { key: 'good-1', value: wire(schemaId, avroString('good-1')) },
      { key: 'json', value: '{"id":"json"}' },
      { key: 'unknown-id', value: wire(UNKNOWN_ID, avroString('unknown')) },
      { key: 'truncated', value: wire(schemaId, avroString('truncated')).subarray(0, 9) },
      { key: 'good-2', value: wire(schemaId, avroString('good-2')) },
    ];
    await expectPoisonDeadLettered(resources, topic, 'AVRO', records, [
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
