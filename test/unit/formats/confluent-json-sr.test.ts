import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/domain/attribute-codec.js';
import type { TableInfo } from '../../../src/domain/table-info.js';
import { confluentJsonEncoder } from '../../../src/formats/confluent-json.js';
import { confluentJsonSchemaFormat } from '../../../src/formats/json-schema/confluent-json-sr.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';

const table: TableInfo = {
  name: 'orders',
  arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
  keySchema: { hashKey: 'id', rangeKey: 'n' },
  keyTypes: { id: 'S', n: 'N' },
  status: 'ACTIVE',
  itemCount: 0,
  sizeBytes: 0,
  billingMode: 'PAY_PER_REQUEST',
};
const item: Item = { id: { S: 'a' }, n: { N: '7' }, big: { N: '12345678901234567890123456789012345678' } };
const page = { tableName: 'orders', keySchema: table.keySchema, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: 2, nowMs: 3 };

describe('the confluent envelope as JSON_SR', () => {
  it("is the JSON envelope's exact text behind the wire-format header, and conforms to the registered schema", async () => {
    const registry = new InMemorySchemaRegistry();
    const subjects = { strategy: 'TopicNameStrategy' } as const;
    const format = confluentJsonSchemaFormat({ registry, document: 'dynamodb-json', tombstones: true, registryKeys: true, keySubjects: subjects, valueSubjects: subjects });
    const [record] = (await format.forTable(table, 'orders')).snapshotPage([item], page);
    const [plain] = confluentJsonEncoder({ document: 'dynamodb-json', tombstones: true }).snapshotPage([item], page);
    const value = record!.value as Buffer;
    expect(value[0]).toBe(0);
    expect(value.subarray(5).toString()).toBe(plain!.value);
    expect((record!.key as Buffer).subarray(5).toString()).toBe(plain!.key);

    const ajv = new Ajv({ strict: false });
    for (const [bytes, subject] of [[value, 'orders-value'], [record!.key as Buffer, 'orders-key']] as const) {
      const registered = await registry.schemaById(bytes.readInt32BE(1));
      expect(registered.schemaType).toBe('JSON');
      expect(registry.subjects.get(subject)).toEqual([bytes.readInt32BE(1)]);
      const validate = ajv.compile(JSON.parse(registered.schema));
      expect(validate(JSON.parse(bytes.subarray(5).toString())), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});
