import { AvroSerializer, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, it } from 'vitest';
import { confluentAvroFormat } from '../../../src/formats/avro/confluent-avro.js';
import { wireHeader } from '../../../src/formats/registry/wire-format.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { ORDERS_SCHEMA } from '../../support/format-fixtures.js';
import {
  committedOffset,
  expectPoisonDeadLettered,
  expectQuickStartOrders,
  expectReplicatedThrough,
  ID_RECORD_AVRO,
  sourceFormatOptions,
} from '../../support/format-replication.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

describe('sink: AVRO through a real Schema Registry', () => {
  const resources = suiteResources('sink-avro');
  const { connection, defer } = resources;
  useSchemaRegistry();

  it("writes Confluent's quick-start orders, produced by Confluent's AvroSerializer, keyed by value.orderid and value.ordertime", async () => {
    await expectQuickStartOrders(resources, 'orders', {
      schemas: { value: { schemaType: 'AVRO', schema: JSON.stringify(ORDERS_SCHEMA) } },
      async records(client, topic) {
        const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
        const orders = [1, 2, 3].map((n) => ({
          ordertime: 1_511_538_140_542 + n,
          orderid: 3243 + n,
          itemid: `Item_${n}`,
          orderunits: 1.135368875862714 * n,
          address: { city: `City_${n}`, state: `State_${n}`, zipcode: 99_000 + n },
        }));
        return Promise.all(orders.map(async (order) => ({ key: String(order.orderid), value: await serializer.serialize(topic, order) })));
      },
      format: 'AVRO',
      orderidFrom: 'value',
      first: {
        orderid: { N: '3244' },
        ordertime: { N: '1511538140543' },
        itemid: { S: 'Item_1' },
        orderunits: { N: '1.135368875862714' },
        address: { M: { city: { S: 'City_1' }, state: { S: 'State_1' }, zipcode: { N: '99001' } } },
      },
    });
  });

  it('replicates a table, every type and its deletes, from the source in AVRO to the sink in AVRO', async () => {
    const format = confluentAvroFormat({ ...(await sourceFormatOptions()), avroKeys: true });
    await expectReplicatedThrough(resources, 'avro-rep', format, 'AVRO');
  });

  it('sends records that are not Avro, or name a schema the registry does not have, to the dead-letter topic with their error', async () => {
    const avroString = (text: string) => Buffer.concat([Buffer.from([text.length * 2]), Buffer.from(text)]); // zig-zag length, then UTF-8
    const wire = (id: number, text: string) => Buffer.concat([wireHeader(id), avroString(text)]);
    await expectPoisonDeadLettered(resources, 'avro-dlq', { format: 'AVRO', name: 'Avro', schema: ID_RECORD_AVRO }, wire, (topic, schemaId) => [
      { key: 'truncated', value: wire(schemaId, 'truncated').subarray(0, 9), message: expect.stringMatching(new RegExp(`^topic ${topic} partition 0 offset 3: value does not decode with schema id ${schemaId}: `)) },
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
