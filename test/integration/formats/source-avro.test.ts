import { AvroDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, it } from 'vitest';
import { confluentAvroFormat } from '../../../src/formats/avro/confluent-avro.js';
import { EXACT_LONG } from '../../../src/formats/avro/exact-long.js';
import type { SubjectNameStrategy } from '../../../src/domain/subject-names.js';
import { suiteResources } from '../../support/aws.js';
import { sourceFormatOptions } from '../../support/format-replication.js';
import { captureEveryWay, expectReadBackEqualsTable } from '../../support/read-back.js';
import { scanAll } from '../../support/tables.js';
import type { ConsumedRecord } from '../../support/topic-follower.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

describe('source: AVRO through a real Schema Registry', () => {
  const suite = suiteResources('source-avro');
  const { dynamodb } = suite;
  const registryUrl = useSchemaRegistry();

  /**
   * Confluent's own deserializer, with its own registry client: not our decode path. ts_ns is a long beyond
   * 2^53 (as in Confluent's connector), which avsc refuses to read into a JS number: a JavaScript consumer
   * configures BigInt longs, as it would for Confluent's topics.
   */
  function confluentDeserializers() {
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl()] });
    return {
      key: new AvroDeserializer(client, SerdeType.KEY, {}),
      value: new AvroDeserializer(client, SerdeType.VALUE, { registry: { long: EXACT_LONG } }),
    };
  }

  async function run(strategy: SubjectNameStrategy) {
    const format = confluentAvroFormat({ ...(await sourceFormatOptions(strategy)), avroKeys: true });
    return captureEveryWay(suite, 'avro-src', format);
  }

  async function decoded(records: ConsumedRecord[], topic: string) {
    const { key, value } = confluentDeserializers();
    return Promise.all(
      records.map(async (record) => ({
        key: await key.deserialize(topic, record.bytes.key!),
        value: record.bytes.value === null ? null : await value.deserialize(topic, record.bytes.value),
      })),
    );
  }

  it('writes every DynamoDB type so that Confluent\'s deserializer reads back the table (TopicNameStrategy)', async () => {
    const { table, records } = await run('TopicNameStrategy');
    const read = await decoded(records, table);
    // Replaying the after documents, keyed by the Avro key, gives the table's items exactly.
    const [, , , deleted] = expectReadBackEqualsTable(read, await scanAll(dynamodb, table));
    expect(read[0]!.key).toEqual({ pk: 'first', sk: '12345678901234567890123456789012345678' });
    expect(deleted.after).toBeNull();
    expect(deleted.source).toMatchObject({ tableName: table, sync_mode: 'CDC', ttl_expired: false });
    expect(read[0]!.value.source).toMatchObject({ tableName: table, sync_mode: 'SNAPSHOT', snapshotCount: 1n, totalSegments: expect.any(Number) });

    const subjects = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${table}-key`, `${table}-value`]));
  });

  it('registers under RecordNameStrategy subjects: the records\' full names, the table name made an Avro name', async () => {
    const { table, records } = await run('RecordNameStrategy');
    const read = await decoded(records, table);
    expect(read[0]!.value.op).toBe('r');
    const subjects = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    const namespace = `io.confluent.connect.dynamodb._x_${table.replace(/[^A-Za-z0-9]/g, (char) => `_x${char.charCodeAt(0).toString(16)}_`)}`;
    expect(subjects).toEqual(expect.arrayContaining([`${namespace}.Envelope`, `${namespace}.Key`]));
    expect(subjects).not.toContain(`${table}-value`);
  });
});
