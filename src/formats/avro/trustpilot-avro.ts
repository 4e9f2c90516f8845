// trustpilot's record shape (src/formats/trustpilot-json.ts) in Avro, through the Schema Registry: the schemas are
// the ones Kafka Connect's AvroConverter makes of trustpilot's Connect schemas (RecordConverter, SourceInfo), so a
// trustpilot user whose worker wrote Avro reads our records as before. The fields hold what the JSON form holds.
//
//   value  record com.trustpilot.connector.dynamodb.envelope {version, document, source, op, ts_ms}; `document` is
//          the DynamoDB JSON text (Connect's logical name com.trustpilot.connector.dynamodb.json); `source` the
//          record com.trustpilot.connector.dynamodb.source. One difference: init_sync_start is optional here (trustpilot
//          declares it required), as the JSON form writes null for it when there is no snapshot
//          (dynamodb.table.sync.mode=CDC, which trustpilot lacks). Such a union still reads with trustpilot's schema
//          whenever the value is a long, and the registry's default (BACKWARD) check accepts it after trustpilot's.
//   key    record `<topic>.Key` (made an Avro full name as trustpilot does) with the key attributes as string fields.
import avro from 'avsc';
import type { Item } from '../../domain/attribute-codec.js';
import type { TableInfo } from '../../domain/table-info.js';
import type { ChangeEncoder, RecordFormat } from '../ports.js';
import type { RegistryFormatOptions } from '../registry/registration.js';
import { keyWriter, TRUSTPILOT_NAMESPACE, trustpilotFieldsEncoder, trustpilotKeyFields, trustpilotKeyObject, trustpilotIdentifier, trustpilotKeyRecordName } from '../trustpilot-json.js';
import { registeredAvroSchema } from './confluent-avro.js';

export function trustpilotAvroFormat(options: RegistryFormatOptions): RecordFormat {
  return {
    description: `AVRO (trustpilot's record shape) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => trustpilotAvroEncoder(options, table, topic),
  };
}

const optionalLong = { type: ['null', 'long'], default: null };

/** The value schema: trustpilot's envelope as Connect's AvroConverter writes it. */
export function trustpilotValueSchema() {
  return {
    type: 'record',
    name: 'envelope',
    namespace: TRUSTPILOT_NAMESPACE,
    fields: [
      { name: 'version', type: 'string' },
      { name: 'document', type: { type: 'string', 'connect.version': 1, 'connect.name': `${TRUSTPILOT_NAMESPACE}.json` } },
      {
        name: 'source',
        type: {
          type: 'record',
          name: 'source',
          fields: [
            { name: 'version', type: 'string' },
            { name: 'table_name', type: 'string' },
            { name: 'init_sync', type: 'boolean' },
            { name: 'init_sync_state', type: 'string' },
            { name: 'init_sync_start', ...optionalLong },
            { name: 'init_sync_end', ...optionalLong },
            { name: 'init_sync_count', ...optionalLong },
          ],
        },
      },
      { name: 'op', type: 'string' },
      { name: 'ts_ms', type: 'long' },
    ],
  };
}

/** The key schema: the key attributes, under trustpilot's names, as strings (hash key first). */
export function trustpilotKeySchema(table: TableInfo, topic: string) {
  const fullName = trustpilotKeyRecordName(topic);
  const dot = fullName.lastIndexOf('.');
  return {
    type: 'record',
    name: fullName.slice(dot + 1),
    namespace: fullName.slice(0, dot),
    fields: trustpilotKeyFields(table.keySchema).map(({ field }) => ({ name: trustpilotIdentifier(field), type: 'string' })),
  };
}

async function trustpilotAvroEncoder(options: RegistryFormatOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const valueSchema = trustpilotValueSchema();
  const valueType = avro.Type.forSchema(valueSchema as avro.Schema);
  const valueHeader = await registeredAvroSchema(options, topic, false, valueSchema);
  // Otherwise the JSON form's key text (output.data.key.format JSON or STRING).
  const encodeKey = options.registryKeys ? await avroKeyEncoder(options, table, topic) : keyWriter(table.keySchema);
  return trustpilotFieldsEncoder(encodeKey, (value) => Buffer.concat([valueHeader, valueType.toBuffer(value)]));
}

async function avroKeyEncoder(options: RegistryFormatOptions, table: TableInfo, topic: string): Promise<(item: Item) => Buffer> {
  const schema = trustpilotKeySchema(table, topic);
  const type = avro.Type.forSchema(schema as avro.Schema);
  const header = await registeredAvroSchema(options, topic, true, schema);
  const keyObject = trustpilotKeyObject(table, trustpilotIdentifier);
  return (item) => Buffer.concat([header, type.toBuffer(keyObject(item))]);
}
