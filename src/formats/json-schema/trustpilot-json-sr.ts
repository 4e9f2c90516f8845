// trustpilot's record shape as JSON_SR: the JSON form's text (src/formats/trustpilot-json.ts, byte for byte) behind
// Confluent's wire-format header, with JSON Schemas titled with the Avro form's full names (RecordNameStrategy
// names subjects by them): the value's shared by every table, the key's per topic.
import type { TableInfo } from '../../domain/table-info.js';
import type { ChangeEncoder, RecordFormat } from '../ports.js';
import { framedEncoder, type RegistryFormatOptions } from '../registry/registration.js';
import { TRUSTPILOT_NAMESPACE, trustpilotJsonEncoder, trustpilotKeyFields, trustpilotKeyRecordName } from '../trustpilot-json.js';
import { registeredJsonSchema } from './confluent-json-sr.js';

export function trustpilotJsonSchemaFormat(options: RegistryFormatOptions): RecordFormat {
  return {
    description: `JSON_SR (trustpilot's record shape) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => trustpilotJsonSchemaEncoder(options, table, topic),
  };
}

async function trustpilotJsonSchemaEncoder(options: RegistryFormatOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const valueHeader = await registeredJsonSchema(options, topic, false, trustpilotValueJsonSchema());
  const keyHeader = options.registryKeys ? await registeredJsonSchema(options, topic, true, trustpilotKeyJsonSchema(table, topic)) : undefined;
  return framedEncoder(trustpilotJsonEncoder(table.keySchema), valueHeader, keyHeader);
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const integer = { type: 'integer' };
const integerOrNull = { oneOf: [{ type: 'null' }, integer] };

/** The value's fields, types and order (the JSON form writes init_sync_start null when there was no snapshot). */
export function trustpilotValueJsonSchema() {
  return {
    $schema: DRAFT_07,
    title: `${TRUSTPILOT_NAMESPACE}.envelope`,
    type: 'object',
    properties: {
      version: { type: 'string' },
      document: { type: 'string' },
      source: {
        type: 'object',
        properties: {
          version: { type: 'string' },
          table_name: { type: 'string' },
          init_sync: { type: 'boolean' },
          init_sync_state: { type: 'string', enum: ['RUNNING', 'FINISHED', 'UNDEFINED'] },
          init_sync_start: integerOrNull,
          init_sync_end: integerOrNull,
          init_sync_count: integerOrNull,
        },
        required: ['version', 'table_name', 'init_sync', 'init_sync_state'],
      },
      op: { type: 'string', enum: ['r', 'c', 'u', 'd'] },
      ts_ms: integer,
    },
    required: ['version', 'document', 'source', 'op', 'ts_ms'],
  };
}

/** The key object: the key attributes under trustpilot's names, every value a string. */
export function trustpilotKeyJsonSchema(table: TableInfo, topic: string) {
  const fields = trustpilotKeyFields(table.keySchema).map(({ field }) => field);
  return {
    $schema: DRAFT_07,
    title: trustpilotKeyRecordName(topic),
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field, { type: 'string' }])),
    required: fields,
  };
}
