import { ProtobufDeserializer, SerdeType } from '@confluentinc/schemaregistry';
import { describe, expect, it } from 'vitest';
import { confluentProtobufFormat } from '../../../src/formats/protobuf/confluent-protobuf.js';
import type { SubjectNameStrategy } from '../../../src/domain/subject-names.js';
import { suiteResources } from '../../support/aws.js';
import { sourceFormatOptions } from '../../support/format-replication.js';
import { serializedProtobufClient } from '../../support/protobuf-serialized.js';
import { captureEveryWay, expectReadBackEqualsTable } from '../../support/read-back.js';
import { scanAll } from '../../support/tables.js';
import type { ConsumedRecord } from '../../support/topic-follower.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

describe('source: PROTOBUF through a real Schema Registry', () => {
  const suite = suiteResources('source-protobuf');
  const { dynamodb } = suite;
  const registryUrl = useSchemaRegistry();

  /**
   * Confluent's own deserializer, not our decode path nor our protobuf library: it reads the wire format and the
   * message-indexes itself and decodes with @bufbuild/protobuf (the encoder is protobufjs). Apicurio does not serve
   * ?format=serialized, so test/support/protobuf-serialized.ts makes the descriptor from the registry's .proto text.
   * Its messages name fields in lowerCamelCase (sync_mode → syncMode) and read int64 as BigInt.
   */
  function confluentDeserializers() {
    const client = serializedProtobufClient(registryUrl());
    return { key: new ProtobufDeserializer(client, SerdeType.KEY, {}), value: new ProtobufDeserializer(client, SerdeType.VALUE, {}) };
  }

  async function run(strategy: SubjectNameStrategy) {
    const format = confluentProtobufFormat({ ...(await sourceFormatOptions(strategy)), protobufKeys: true });
    return captureEveryWay(suite, 'proto-src', format);
  }

  async function decoded(records: ConsumedRecord[], topic: string) {
    const { key, value } = confluentDeserializers();
    return Promise.all(
      records.map(async (record) => ({
        key: (await key.deserialize(topic, record.bytes.key!)) as any,
        value: record.bytes.value === null ? null : ((await value.deserialize(topic, record.bytes.value)) as any),
      })),
    );
  }

  it("writes every DynamoDB type so that Confluent's deserializer reads back the table (TopicNameStrategy)", async () => {
    const { table, records } = await run('TopicNameStrategy');
    const read = await decoded(records, table);
    const [, , , deleted] = expectReadBackEqualsTable(read, await scanAll(dynamodb, table));
    expect(read[0]!.key).toMatchObject({ pk: 'first', sk: '12345678901234567890123456789012345678' });
    expect(deleted.after).toBeUndefined();
    expect(deleted.tsNs).toBe(deleted.tsMs * 1_000_000n);
    expect(deleted.source).toMatchObject({ tableName: table, syncMode: 'CDC', ttlExpired: false });
    expect(deleted.source.snapshotCount).toBeUndefined(); // proto3 optional: unset, not 0
    expect(read[0]!.value.source).toMatchObject({ tableName: table, syncMode: 'SNAPSHOT', snapshotCount: 1n, totalSegments: expect.any(Number) });

    const subjects = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${table}-key`, `${table}-value`]));
  });

  it("registers under RecordNameStrategy subjects: the messages' full names, the table name made an identifier", async () => {
    const { table, records } = await run('RecordNameStrategy');
    const read = await decoded(records, table);
    expect(read[0]!.value.op).toBe('r');
    const subjects = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    const pkg = `io.confluent.connect.dynamodb._x_${table.replace(/[^A-Za-z0-9]/g, (char) => `_x${char.charCodeAt(0).toString(16)}_`)}`;
    expect(subjects).toEqual(expect.arrayContaining([`${pkg}.Envelope`, `${pkg}.Key`]));
    expect(subjects).not.toContain(`${table}-value`);
  });
});
