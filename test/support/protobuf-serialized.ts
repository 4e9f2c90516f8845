// Confluent's JavaScript ProtobufDeserializer asks the registry for a schema as a serialized FileDescriptorProto
// (?format=serialized). Apicurio 2.6's ccompat API ignores the parameter and answers the .proto text, so this
// client makes the descriptor from that text itself: protobufjs parses it (the one step shared with our encoder);
// the wire format, message-indexes and binary decoding stay Confluent's and @bufbuild/protobuf's.
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

type DescriptorMessage = { field?: Array<Record<string, unknown>>; nestedType?: DescriptorMessage[] };

export function serializedProtobufClient(url: string): SchemaRegistryClient {
  const client = new SchemaRegistryClient({ baseURLs: [url] });
  const byId = client.getBySubjectAndId.bind(client);
  client.getBySubjectAndId = async (subject, id, format) => {
    const info = await byId(subject, id);
    if (format !== 'serialized' || info.schemaType !== 'PROTOBUF') return info;
    return { ...info, schema: serializedDescriptor(info.schema) };
  };
  return client;
}

/** The .proto text's FileDescriptorProto, base64, as Confluent's registry serves it. */
function serializedDescriptor(text: string): string {
  const root = protobuf.parse(text, { keepCase: true }).root as protobuf.Root & { toDescriptor(syntax: string): { file: Array<{ messageType: DescriptorMessage[] }> } };
  const [file] = root.toDescriptor('proto3').file;
  // protobufjs names the flag proto3_optional where its own descriptor type calls it proto3Optional: it would be lost.
  const mark = (message: DescriptorMessage): void => {
    for (const field of message.field ?? []) if (field.proto3_optional) field.proto3Optional = true;
    message.nestedType?.forEach(mark);
  };
  file!.messageType.forEach(mark);
  const type = (descriptor as unknown as { FileDescriptorProto: protobuf.Type }).FileDescriptorProto;
  return Buffer.from(type.encode(file!).finish()).toString('base64');
}
