import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { JsonDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, inject, it } from 'vitest';
import { fromDynamoDbJson } from '../../../src/domain/attribute-codec.js';
import { confluentJsonSchemaFormat } from '../../../src/formats/json-schema/confluent-json-sr.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { sourceFormatOptions } from '../../support/format-replication.js';
import { startSource } from '../../support/source.js';
import { createTable, scanAll, type Item } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

describe('source: JSON_SR through a real Schema Registry', () => {
  const { connection, dynamodb, defer } = suiteResources('source-json-sr');
  const registryUrl = useSchemaRegistry();

  it("writes records that Confluent's JSON Schema deserializer validates and reads back as the table", async () => {
    const table = uniqueName('jsonsr-src');
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'pk' });
    const item = (pk: string): Item => ({
      pk: { S: pk },
      big: { N: '12345678901234567890123456789012345678' },
      empty: { S: '' },
      blob: { B: Uint8Array.from([0, 255]) },
      sets: { M: { ns: { NS: ['1', '2.5'] }, ss: { SS: ['x'] }, bs: { BS: [Uint8Array.from([7])] } } },
      list: { L: [{ NULL: true }, { BOOL: false }] },
    });
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item('one') }));
    const format = confluentJsonSchemaFormat({ ...(await sourceFormatOptions()), registryKeys: true });
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    const source = await startSource({ name: uniqueName('jsonsr-src'), tables: [table], dynamodb: connection, format });
    defer(() => source.stop());
    await follower.waitFor((records) => records.length >= 1, 60_000, 'the snapshot read');
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item('two') }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item('three') }));
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'three' } } }));
    await follower.waitFor((records) => records.some((record) => record.bytes.value === null), 60_000, 'the tombstone after the delete');

    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    const keys = new JsonDeserializer(client, SerdeType.KEY, { validate: true });
    const values = new JsonDeserializer(client, SerdeType.VALUE, { validate: true });
    const state = new Map<string, Item>();
    for (const record of follower.records) {
      const key = await keys.deserialize(table, record.bytes.key!);
      if (record.bytes.value === null) {
        state.delete(key.pk);
        continue;
      }
      const value = await values.deserialize(table, record.bytes.value);
      if (value.op === 'd') state.delete(key.pk);
      else state.set(key.pk, fromDynamoDbJson(JSON.parse(value.after.document)));
    }
    const items = await scanAll(dynamodb, table);
    expect(state).toEqual(new Map(items.map((each) => [each.pk!.S!, each])));
    expect(state.size).toBe(2);
    const registered = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    expect(registered).toEqual(expect.arrayContaining([`${table}-key`, `${table}-value`]));
  });
});
