import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../src/config/source-config.js';
import { sourceRecordFormat } from '../../../src/runtime/record-formats.js';

const output = (overrides: Partial<SourceConfig['output']>): SourceConfig['output'] => ({
  dataFormat: 'JSON',
  keyFormat: 'JSON',
  envelope: 'confluent',
  documentFormat: 'dynamodb-json',
  tombstones: true,
  maxBatchSize: 500,
  oversizedRecords: 'fail',
  ...overrides,
} as SourceConfig['output']);
const registry = { url: 'http://registry.test:8081', keySubjects: 'TopicNameStrategy', valueSubjects: 'TopicNameStrategy' } as const;

describe('sourceRecordFormat: output.envelope=trustpilot', () => {
  it("writes trustpilot's shape in JSON, AVRO, JSON_SR and PROTOBUF", async () => {
    expect((await sourceRecordFormat(output({ envelope: 'trustpilot' }))).description).toBe("JSON (trustpilot's record shape)");
    expect((await sourceRecordFormat(output({ envelope: 'trustpilot', dataFormat: 'AVRO', keyFormat: 'AVRO', registry }))).description).toBe(
      "AVRO (trustpilot's record shape) through the Schema Registry at http://registry.test:8081",
    );
    expect((await sourceRecordFormat(output({ envelope: 'trustpilot', dataFormat: 'JSON_SR', keyFormat: 'STRING', registry }))).description).toMatch(/^JSON_SR \(trustpilot's record shape\)/);
    expect((await sourceRecordFormat(output({ envelope: 'trustpilot', dataFormat: 'PROTOBUF', keyFormat: 'PROTOBUF', registry }))).description).toBe(
      "PROTOBUF (trustpilot's record shape) through the Schema Registry at http://registry.test:8081",
    );
    await expect(sourceRecordFormat(output({ envelope: 'trustpilot', dataFormat: 'PROTOBUF', keyFormat: 'AVRO', registry }))).rejects.toThrow(/keys are written as PROTOBUF, JSON or STRING/);
  });
});

describe('sourceRecordFormat: output.data.format=PROTOBUF', () => {
  it("writes Confluent's envelope, keys as PROTOBUF or JSON, and refuses other key formats", async () => {
    expect((await sourceRecordFormat(output({ dataFormat: 'PROTOBUF', keyFormat: 'PROTOBUF', registry }))).description).toBe(
      'PROTOBUF (confluent envelope, dynamodb-json documents) through the Schema Registry at http://registry.test:8081',
    );
    expect((await sourceRecordFormat(output({ dataFormat: 'PROTOBUF', keyFormat: 'JSON', registry }))).description).toMatch(/^PROTOBUF /);
    await expect(sourceRecordFormat(output({ dataFormat: 'PROTOBUF', keyFormat: 'AVRO', registry }))).rejects.toThrow(/keys are written as PROTOBUF, JSON or STRING/);
    await expect(sourceRecordFormat(output({ dataFormat: 'PROTOBUF', keyFormat: 'PROTOBUF' }))).rejects.toThrow(/schema.registry.url: required/);
  });
});
