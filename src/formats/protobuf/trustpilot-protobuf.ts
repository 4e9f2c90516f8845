// trustpilot's record shape (src/formats/trustpilot-json.ts) in Protobuf, in Confluent's wire format: the header,
// the message-indexes [0] (the single byte 0: the file's first message) and protobuf's binary encoding of the
// messages in proto-schemas.ts (trustpilotEnvelopeProto, trustpilotKeyProto). The fields hold what the JSON form
// holds: a consumer decoding them with the registered schema reads the JSON form's fields and values, a null
// init_sync_* as an unset optional. As in every form, a delete is followed by a tombstone.
import type { Item } from '../../domain/attribute-codec.js';
import type { TableInfo } from '../../domain/table-info.js';
import type { ChangeEncoder, RecordFormat } from '../ports.js';
import type { RegistryFormatOptions } from '../registry/registration.js';
import { keyWriter, TRUSTPILOT_NAMESPACE, trustpilotFieldsEncoder, trustpilotIdentifier, trustpilotKeyObject } from '../trustpilot-json.js';
import { registeredProto } from './confluent-protobuf.js';
import { trustpilotEnvelopeProto, trustpilotKeyProto } from './proto-schemas.js';

export function trustpilotProtobufFormat(options: RegistryFormatOptions): RecordFormat {
  return {
    description: `PROTOBUF (trustpilot's record shape) through the Schema Registry at ${options.registry.location}`,
    forTable: (table, topic) => trustpilotProtobufEncoder(options, table, topic),
  };
}

async function trustpilotProtobufEncoder(options: RegistryFormatOptions, table: TableInfo, topic: string): Promise<ChangeEncoder> {
  const { type, prefix } = await registeredProto(options, topic, false, trustpilotEnvelopeProto(), `${TRUSTPILOT_NAMESPACE}.envelope`);
  // Otherwise the JSON form's key text (output.data.key.format JSON or STRING).
  const encodeKey = options.registryKeys ? await protobufKeyEncoder(options, table, topic) : keyWriter(table.keySchema);
  // protobufjs leaves out an optional field holding null (init_sync_end while snapshotting), and takes whole
  // milliseconds as int64 numbers.
  return trustpilotFieldsEncoder(encodeKey, (value) => framed(prefix, type.encode(value).finish()));
}

async function protobufKeyEncoder(options: RegistryFormatOptions, table: TableInfo, topic: string): Promise<(item: Item) => Buffer> {
  const { fullName, text } = trustpilotKeyProto(table, topic);
  const { type, prefix } = await registeredProto(options, topic, true, text, fullName);
  const keyObject = trustpilotKeyObject(table, trustpilotIdentifier);
  return (item) => framed(prefix, type.encode(keyObject(item)).finish());
}

function framed(prefix: Buffer, body: Uint8Array): Buffer {
  return Buffer.concat([prefix, body], prefix.length + body.length);
}
