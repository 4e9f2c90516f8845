import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/domain/attribute-codec.js';
import type { StreamChange } from '../../../src/domain/change.js';
import { confluentAvroFormat, envelopeSchema } from '../../../src/formats/avro/confluent-avro.js';
import { EXACT_LONG } from '../../../src/formats/avro/exact-long.js';
import type { SubjectNameStrategy } from '../../../src/domain/subject-names.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { expectRefusalNamed, expectSubjectsPerStrategy, ORDERS_V2_TABLE } from '../../support/registry-format-cases.js';

const table = ORDERS_V2_TABLE;
const NOW = 1_719_830_976_204;
const item: Item = { id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' }, blob: { B: new Uint8Array([0, 255]) }, tags: { SS: ['x', 'y'] } };

/** Decodes Confluent's wire format with the schema the registry holds for its id. */
async function decode(registry: InMemorySchemaRegistry, bytes: Buffer | string | null) {
  expect(Buffer.isBuffer(bytes)).toBe(true);
  const buffer = bytes as Buffer;
  expect(buffer[0]).toBe(0);
  const schema = await registry.schemaById(buffer.readInt32BE(1));
  expect(schema.schemaType).toBe('AVRO');
  const type = avro.Type.forSchema(JSON.parse(schema.schema), { registry: { long: EXACT_LONG } });
  return type.fromBuffer(buffer.subarray(5)) as Record<string, any>;
}

function format(registry: InMemorySchemaRegistry, strategy: SubjectNameStrategy = 'TopicNameStrategy') {
  return confluentAvroFormat({
    registry,
    document: 'dynamodb-json',
    tombstones: true,
    avroKeys: true,
    keySubjects: { strategy },
    valueSubjects: { strategy },
  });
}

describe('the confluent envelope in Avro', () => {
  it('writes snapshot reads in the wire format, every field as the JSON envelope has it, longs exact', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await format(registry).forTable(table, 'orders-v2');
    const [record] = encoder.snapshotPage([item], {
      tableName: table.name, keySchema: table.keySchema, snapshotStartTime: 5, snapshotCount: 1, segment: 2, totalSegments: 4, readAtMs: NOW - 1, nowMs: NOW,
    });
    const value = await decode(registry, record!.value);
    expect(value.op).toBe('r');
    expect(value.ts_ns).toBe(BigInt(NOW) * 1_000_000n);
    expect(value.source).toMatchObject({ tableName: 'orders-v2', sync_mode: 'SNAPSHOT', snapshotStartTime: 5n, snapshotCount: 1n, segment: 2, totalSegments: 4, shard_Id: null, seq_No: null, ttl_expired: null });
    expect(value.before).toBeNull();
    expect(JSON.parse(value.after.document)).toEqual({ id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' }, blob: { B: 'AP8=' }, tags: { SS: ['x', 'y'] } });
    const key = await decode(registry, record!.key);
    expect(key).toEqual({ id: 'a', _x_order_x2d_no: '12345678901234567890123456789012345678' });
    expect(record!.timestampMs).toBe(NOW - 1);
  });

  it('writes stream changes with both images, and a tombstone after a delete', async () => {
    const registry = new InMemorySchemaRegistry();
    const encoder = await format(registry).forTable(table, 'orders-v2');
    const change: StreamChange = {
      op: 'd', tableName: table.name, keySchema: table.keySchema, keys: { id: item.id!, 'order-no': item['order-no']! }, before: item, after: null,
      changedAtMs: NOW - 10, shardId: 'shard-1', sequenceNumber: '100', ttlExpired: true, nowMs: NOW,
    };
    const [deleted, tombstone] = encoder.streamChange(change);
    const value = await decode(registry, deleted!.value);
    expect(value).toMatchObject({ op: 'd', after: null, source: { sync_mode: 'CDC', shard_Id: 'shard-1', seq_No: '100', ttl_expired: true, snapshotCount: null } });
    expect(JSON.parse(value.before.document).id).toEqual({ S: 'a' });
    expect(tombstone).toEqual({ key: deleted!.key, value: null, timestampMs: NOW - 10 });
  });

  it('registers under the subjects of each naming strategy', () => expectSubjectsPerStrategy(table, format));

  it('fails, before writing anything, when the registry refuses a schema', () => expectRefusalNamed(table, format));

  it('names the value record after the table, in a namespace Avro accepts', () => {
    expect(() => avro.Type.forSchema(envelopeSchema('my.table-1') as avro.Schema)).not.toThrow();
    expect(envelopeSchema('my.table-1').namespace).toBe('io.confluent.connect.dynamodb._x_my_x2e_table_x2d_1');
  });
});
