// The .proto files of the source's records: Confluent's envelope and the table's key, as proto3. Names and field
// order follow the Avro form (src/formats/avro/confluent-avro.ts); the package is that form's namespace.
//
// Nullable fields are proto3 `optional` (what Confluent's ProtobufConverter writes with optional.for.nullables):
// unlike a plain proto3 scalar they tell "unset" from 0 or "", and unlike google.protobuf wrappers they need no
// import, so the file has no references. Messages are nullable by nature. Source and Value are nested in Envelope,
// as Connect's ProtobufData nests a struct's structs, so Envelope is the file's only top-level message: its
// message-indexes are [0], the single 0 byte.
import type { KeyAttributeType, TableInfo } from '../../domain/table-info.js';
import { avroName } from '../avro/names.js';
import { TRUSTPILOT_NAMESPACE, trustpilotIdentifier, trustpilotKeyFields, trustpilotKeyRecordName } from '../trustpilot-json.js';

export const PROTO_NAMESPACE = 'io.confluent.connect.dynamodb';

/**
 * Reserved-name prefix marking a key field that holds a DynamoDB number as text: proto3 has no number with 38
 * digits. A reserved name is part of every parser's descriptor and invisible to consumers; kept field names start
 * with a letter and escaped ones with "_x_" (src/formats/avro/names.ts), so it names no real field.
 */
export const NUMBER_KEY_MARK = '_dynamodb_N_';

export function protoPackage(tableName: string): string {
  return `${PROTO_NAMESPACE}.${avroName(tableName)}`;
}

/** A proto3 file: its package, then its messages. */
function protoFile(packageName: string, messages: string): string {
  return `syntax = "proto3";\npackage ${packageName};\n\n${messages}`;
}

export function envelopeProto(tableName: string): string {
  return protoFile(
    protoPackage(tableName),
    `message Envelope {
  string op = 1;
  int64 ts_ms = 2;
  int64 ts_us = 3;
  int64 ts_ns = 4;
  Source source = 5;
  Value before = 6;
  Value after = 7;

  message Source {
    optional string version = 1;
    string tableName = 2;
    string sync_mode = 3;
    int64 ts_ms = 4;
    int64 ts_us = 5;
    int64 ts_ns = 6;
    optional int64 snapshotStartTime = 7;
    optional int64 snapshotCount = 8;
    optional int32 segment = 9;
    optional int32 totalSegments = 10;
    optional string shard_Id = 11;
    optional string seq_No = 12;
    optional bool ttl_expired = 13;
  }

  message Value {
    string document = 1;
  }
}
`,
  );
}

const KEY_FIELD_TYPES: Record<KeyAttributeType, string> = { S: 'string', N: 'string', B: 'bytes' };

/** The key message: the key attributes, hash key first, names made identifiers as Avro's are. */
export function keyProto(table: TableInfo): string {
  const names = table.keySchema.rangeKey === undefined ? [table.keySchema.hashKey] : [table.keySchema.hashKey, table.keySchema.rangeKey];
  const fields = names.map((name, i) => `  ${KEY_FIELD_TYPES[table.keyTypes[name] ?? 'S']} ${avroName(name)} = ${i + 1};`);
  const numbers = names.filter((name) => table.keyTypes[name] === 'N').map((name) => JSON.stringify(`${NUMBER_KEY_MARK}${avroName(name)}`));
  const reserved = numbers.length === 0 ? '' : `  reserved ${numbers.join(', ')};\n`;
  return protoFile(protoPackage(table.name), `message Key {\n${fields.join('\n')}\n${reserved}}\n`);
}

// ---------------------------------------------------------------------------------------------- trustpilot's shape

/**
 * trustpilot's envelope (src/formats/trustpilot-json.ts) as proto3: the file's first message, `envelope`, is named
 * as the Avro form's record (com.trustpilot.connector.dynamodb.envelope, which RecordNameStrategy names the subject
 * by), its fields in trustpilot's order. `source` is the nested message `Source` (a nested message cannot share its
 * field's name); the init_sync_* numbers the JSON form may write as null are proto3 `optional`. Shared by every
 * table, as the Avro and JSON Schema forms are.
 */
export function trustpilotEnvelopeProto(): string {
  return protoFile(
    TRUSTPILOT_NAMESPACE,
    `message envelope {
  string version = 1;
  string document = 2;
  Source source = 3;
  string op = 4;
  int64 ts_ms = 5;

  message Source {
    string version = 1;
    string table_name = 2;
    bool init_sync = 3;
    string init_sync_state = 4;
    optional int64 init_sync_start = 5;
    optional int64 init_sync_end = 6;
    optional int64 init_sync_count = 7;
  }
}
`,
  );
}

/** trustpilot's key as proto3: the message named as its Avro key record (`<topic>.Key`), every field a string. */
export function trustpilotKeyProto(table: TableInfo, topic: string): { fullName: string; text: string } {
  const fullName = trustpilotKeyRecordName(topic);
  const dot = fullName.lastIndexOf('.');
  const fields = trustpilotKeyFields(table.keySchema).map(({ field }, i) => `  string ${trustpilotIdentifier(field)} = ${i + 1};`);
  return { fullName, text: protoFile(fullName.slice(0, dot), `message ${fullName.slice(dot + 1)} {\n${fields.join('\n')}\n}\n`) };
}
