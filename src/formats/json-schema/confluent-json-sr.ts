// Confluent's envelope as JSON_SR: the JSON envelope's text (src/formats/confluent-json.ts, byte for byte) behind
// Confluent's wire-format header, with a JSON Schema registered per table, so Confluent's JSON Schema
// deserializer, ksqlDB and Schema-Registry-aware consumers read it.
import type { TableInfo } from '../../domain/table-info.js';
import { confluentJsonEncoder, type DocumentFormat } from '../confluent-json.js';
import type { ChangeEncoder, RecordFormat } from '../ports.js';
import type { SchemaRegistry } from '../registry/ports.js';
import { framedEncoder, registeredHeader, type RegistryTarget } from '../registry/registration.js';
import type { SubjectNaming } from '../../domain/subject-names.js';
import { avroName } from '../avro/names.js';

export interface ConfluentJsonSchemaOptions {
  registry: SchemaRegistry;
  document: DocumentFormat;
  tombstones: boolean;
  /** Keys as JSON_SR too, or as plain JSON text. */
  registryKeys: boolean;
  keySubjects: SubjectNaming;
  valueSubjects: SubjectNaming;
}

const VALUE_NAMESPACE = 'io.confluent.connect.dynamodb';

export function confluentJsonSchemaFormat(options: ConfluentJsonSchemaOptions): RecordFormat {
  return {
    description: `JSON_SR (confluent envelope, ${options.document} documents) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => confluentJsonSchemaEncoder(options, table, topic),
  };
}

async function confluentJsonSchemaEncoder(options: ConfluentJsonSchemaOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const valueHeader = await registeredJsonSchema(options, topic, false, envelopeJsonSchema(table.name));
  const keyHeader = options.registryKeys ? await registeredJsonSchema(options, topic, true, keyJsonSchema(table)) : undefined;
  return framedEncoder(confluentJsonEncoder({ document: options.document, tombstones: options.tombstones }), valueHeader, keyHeader);
}

/** Registers a JSON Schema, its title being the full name that RecordNameStrategy uses; the wire header of its id. */
export function registeredJsonSchema(target: RegistryTarget, topic: string, isKey: boolean, schema: { title: string }): Promise<Buffer> {
  return registeredHeader(target, topic, isKey, schema.title, { schemaType: 'JSON', schema: JSON.stringify(schema) });
}

const nullable = (type: string) => ({ oneOf: [{ type: 'null' }, { type }] });
const documentSide = { oneOf: [{ type: 'null' }, { type: 'object', properties: { document: { type: 'string' } }, required: ['document'], additionalProperties: false }] };

/** The JSON envelope's fields and types; titled with the Avro form's full name, which RecordNameStrategy uses. */
export function envelopeJsonSchema(tableName: string) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${VALUE_NAMESPACE}.${avroName(tableName)}.Envelope`,
    type: 'object',
    properties: {
      op: { type: 'string', enum: ['r', 'c', 'u', 'd'] },
      ts_ms: { type: 'integer' },
      ts_us: { type: 'integer' },
      ts_ns: { type: 'integer' },
      source: {
        type: 'object',
        properties: {
          version: nullable('string'),
          tableName: { type: 'string' },
          sync_mode: { type: 'string' },
          ts_ms: { type: 'integer' },
          ts_us: { type: 'integer' },
          ts_ns: { type: 'integer' },
          snapshotStartTime: nullable('integer'),
          snapshotCount: nullable('integer'),
          segment: nullable('integer'),
          totalSegments: nullable('integer'),
          shard_Id: nullable('string'),
          seq_No: nullable('string'),
          ttl_expired: nullable('boolean'),
        },
      },
      before: documentSide,
      after: documentSide,
    },
    required: ['op', 'ts_ms', 'source', 'before', 'after'],
  };
}

const KEY_JSON_TYPES = { S: 'string', N: 'number', B: 'string' } as const;

/** The key object: the key attributes, numbers as JSON numbers and binary as base64, as the JSON key writes them. */
export function keyJsonSchema(table: TableInfo) {
  const names = table.keySchema.rangeKey === undefined ? [table.keySchema.hashKey] : [table.keySchema.hashKey, table.keySchema.rangeKey];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${VALUE_NAMESPACE}.${avroName(table.name)}.Key`,
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: KEY_JSON_TYPES[table.keyTypes[name] ?? 'S'] }])),
    required: names,
  };
}
