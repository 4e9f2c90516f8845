import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../../src/domain/table-info.js';
import { AvroReader } from '../../../src/formats/avro/avro-reader.js';
import { trustpilotAvroFormat } from '../../../src/formats/avro/trustpilot-avro.js';
import { JsonSchemaReader } from '../../../src/formats/json-schema/json-sr-reader.js';
import { trustpilotJsonSchemaFormat } from '../../../src/formats/json-schema/trustpilot-json-sr.js';
import type { RecordFormat } from '../../../src/formats/ports.js';
import type { RegistryFormatOptions } from '../../../src/formats/registry/registration.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { convertRecord, type ConverterSettings } from '../../../src/sink/record-converter.js';
import { loadRegistrySchemas } from '../../../src/sink/registry-input.js';
import { InMemorySchemaRegistry } from '../../support/fakes/schema-registry.js';
import { ordersRecord } from '../../support/format-fixtures.js';

const TABLE = { name: 'orders', keySchema: { hashKey: 'id', rangeKey: 'order-no' }, keyTypes: { id: 'S', 'order-no': 'N' } } as Partial<TableInfo> as TableInfo;
const ITEM = { id: { S: 'a' }, 'order-no': { N: '12345678901234567890123456789012345678' }, 'attribute-1': { SS: ['x'] } };
const KEY = { id: { S: 'a' }, orderno: { N: '12345678901234567890123456789012345678' } };
const RETRY = { maxRetryTimeMs: 1_000, retryBackoffMs: 1 };

/** The sink's writes for trustpilot's records of a snapshot read and a delete (its record and its tombstone). */
async function replicate(make: (options: RegistryFormatOptions) => RecordFormat, inputFormat: 'AVRO' | 'JSON_SR') {
  const registry = new InMemorySchemaRegistry();
  const subjects = { strategy: 'TopicNameStrategy' } as const;
  const encoder = await make({ registry, keySubjects: subjects, valueSubjects: subjects, registryKeys: true }).forTable(TABLE, 'orders');
  const page = { tableName: 'orders', keySchema: TABLE.keySchema, snapshotStartTime: 1, snapshotCount: 1, segment: 0, totalSegments: 1, readAtMs: 1, nowMs: 2 };
  const keys = { id: ITEM.id, 'order-no': ITEM['order-no'] };
  const encoded = [
    ...encoder.snapshotPage([ITEM], page),
    ...encoder.streamChange({ op: 'd', tableName: 'orders', keySchema: TABLE.keySchema, keys, before: null, after: null, changedAtMs: 3, nowMs: 4, shardId: 's', sequenceNumber: '1', ttlExpired: false }),
  ];
  const records = encoded.map((record) => ordersRecord(record.value as Buffer | null, record.key as Buffer));
  const settings: ConverterSettings = {
    inputFormat,
    hash: parseKeyReference('partition', 'h'),
    sort: parseKeyReference('offset', 's'),
    tableNameFormat: '${topic}',
    nullValues: 'delete',
    avro: new AvroReader(registry, RETRY),
    jsonSr: new JsonSchemaReader(registry, RETRY),
    // The copy's key, as trustpilot names it: its number is text in trustpilot's key.
    keySchemaOf: () => ({ hashKey: 'id', rangeKey: 'orderno', types: { id: 'S', orderno: 'N' } }),
  };
  await loadRegistrySchemas(records, settings);
  return records.map((record) => convertRecord(record, settings));
}

describe("the sink reads trustpilot's record shape from the registry formats", () => {
  for (const [inputFormat, make] of [['AVRO', trustpilotAvroFormat], ['JSON_SR', trustpilotJsonSchemaFormat]] as const) {
    it(`puts the document and deletes by the delete record and by the tombstone (${inputFormat})`, async () => {
      const [put, remove, forget] = await replicate(make, inputFormat);
      expect(put).toMatchObject({ kind: 'put', table: 'orders', key: KEY, item: { ...KEY, attribute1: { SS: ['x'] } } });
      expect(remove).toMatchObject({ kind: 'delete', table: 'orders', key: KEY });
      expect(forget).toMatchObject({ kind: 'delete', table: 'orders', key: KEY });
    });
  }
});
