// Reading Protobuf records in Confluent's wire format (magic byte 0, the schema id as a big-endian int32, the
// message-indexes, then protobuf's binary encoding) as DynamoDB attributes. The registry's .proto text is parsed
// once per id (protobufjs); `load` fetches a batch's ids (RegistrySchemaCache), then `read` decodes synchronously.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import protobuf from 'protobufjs';
import { at } from '../../domain/attribute-path.js';
import { ConversionError } from '../../domain/conversion-error.js';
import { checkDynamoDbNumber } from '../../domain/number-text.js';
import type { RegistrySchema, SchemaReference, SchemaRegistry } from '../registry/ports.js';
import { RegistrySchemaCache, type CompiledSchema, type RegistryRetry } from '../registry/schema-cache.js';
import { HEADER_BYTES } from '../registry/wire-format.js';
import { compileMessage, isMapEntry, type ProtoToAttribute } from './protobuf-attributes.js';
import { NUMBER_KEY_MARK } from './proto-schemas.js';

/** A .proto file made ready to read: its top-level messages in file order, each converted when first named. */
interface ProtoFile {
  messages: protobuf.Type[];
  converters: Map<protobuf.Type, ProtoToAttribute>;
}

/** The schema cache of Protobuf records (its `load` fetches a batch's ids), and their reading. */
export class ProtobufReader extends RegistrySchemaCache<ProtoFile> {
  constructor(registry: SchemaRegistry, retry: RegistryRetry) {
    super(registry, retry, 'Protobuf', compiled);
  }

  /** One record's bytes as an attribute; ConversionError naming the schema id when they cannot be read. */
  read(bytes: Buffer, what: string): AttributeValue {
    const { id, schema } = this.resolve(bytes, what);
    let type: protobuf.Type;
    let message: unknown;
    try {
      // protobufjs's Buffer reader cuts a string short at the end of a truncated record; its plain reader refuses.
      const reader = new protobuf.Reader(bytes.subarray(HEADER_BYTES));
      type = messageAt(schema.messages, messageIndexes(reader));
      message = type.decode(reader);
    } catch (error) {
      throw new ConversionError(`${what} does not decode with schema id ${id}: ${(error as Error).message}`);
    }
    return converter(schema, type)(message, what);
  }
}

async function compiled({ schemaType, schema, references }: RegistrySchema, registry: SchemaRegistry): Promise<CompiledSchema<ProtoFile>> {
  if (schemaType !== 'PROTOBUF') return { refused: `it is a${schemaType === 'AVRO' ? 'n' : ''} ${schemaType} schema, not Protobuf` };
  // A reference the registry cannot give fails the fetch: retried, or refused naming its subject and version.
  const files = await referencedFiles(registry, references ?? []);
  try {
    return { compiled: parseProtoFile(schema, files) };
  } catch (error) {
    return { refused: `the registry's .proto cannot be read: ${(error as Error).message}` };
  }
}

/**
 * The .proto text of every schema the references name, and of those their own references name, by the name they
 * are imported by (Confluent's references: name, subject, version).
 */
async function referencedFiles(registry: SchemaRegistry, references: readonly SchemaReference[], files = new Map<string, string>()): Promise<Map<string, string>> {
  for (const { name, subject, version } of references) {
    if (files.has(name)) continue;
    const referenced = await registry.schemaByVersion(subject, version);
    files.set(name, referenced.schema);
    await referencedFiles(registry, referenced.references ?? [], files);
  }
  return files;
}

/**
 * Parses a .proto file. Its imports are the files given (the schema's references, by import name) or well-known
 * files supplied here (google/protobuf/*, google/type/date and timeofday, confluent/type/decimal); any other
 * import is not read, so a type it defines is refused by name.
 */
export function parseProtoFile(text: string, files: ReadonlyMap<string, string> = new Map()): ProtoFile {
  const root = new protobuf.Root();
  const parsed = protobuf.parse(text, root, { keepCase: true });
  // This file's top-level messages, taken before its imports are added: one of the same package adds its own.
  const scope = parsed.package ? root.lookup(parsed.package) : root;
  const messages = scope instanceof protobuf.Namespace ? messagesOf(scope) : [];
  if (messages.length === 0) throw new Error('it defines no message');
  addImports(root, parsed, files, new Set());
  root.resolveAll();
  return { messages, converters: new Map() };
}

function addImports(root: protobuf.Root, parsed: protobuf.IParserResult, files: ReadonlyMap<string, string>, added: Set<string>): void {
  for (const file of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
    if (added.has(file)) continue;
    added.add(file);
    const text = files.get(file);
    if (text === undefined) addWellKnown(root, file);
    else addImports(root, protobuf.parse(text, root, { keepCase: true }), files, added);
  }
}

const BUNDLED: Record<string, string> = {
  'google/type/date.proto': 'syntax = "proto3"; package google.type; message Date { int32 year = 1; int32 month = 2; int32 day = 3; }',
  'google/type/timeofday.proto': 'syntax = "proto3"; package google.type; message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3; int32 nanos = 4; }',
  'confluent/type/decimal.proto': 'syntax = "proto3"; package confluent.type; message Decimal { bytes value = 1; uint32 precision = 2; int32 scale = 3; }',
};

function addWellKnown(root: protobuf.Root, file: string): void {
  const common = protobuf.common.get(file) as { nested?: Record<string, protobuf.AnyNestedObject> } | null;
  if (common?.nested) root.addJSON(common.nested);
  else if (BUNDLED[file] !== undefined) protobuf.parse(BUNDLED[file], root, { keepCase: true });
  // Any other import (confluent/meta.proto's options, a reference) is left out: only its types would be missed.
}

/** Confluent's message-indexes: a zigzag count then that many zigzag indexes; the count 0 alone means [0]. */
export function messageIndexes(reader: protobuf.Reader): number[] {
  const count = reader.sint32();
  if (count === 0) return [0];
  if (count < 0 || count > 100) throw new Error(`message-indexes count ${count} is not plausible`);
  return Array.from({ length: count }, () => reader.sint32());
}

/**
 * The message the indexes name: the file's top-level message, then nested messages, in declaration order. A map
 * field's entry message is not counted, as Confluent's serializers (Java's from the schema text, JavaScript's
 * from @bufbuild/protobuf's descriptors) do not count it.
 */
export function messageAt(messages: protobuf.Type[], indexes: number[]): protobuf.Type {
  let type: protobuf.Type | undefined;
  let choices = messages;
  for (const index of indexes) {
    type = choices[index];
    if (type === undefined) throw new Error(`message-indexes [${indexes.join(', ')}] name no message of the schema`);
    choices = messagesOf(type);
  }
  return type!;
}

/** The messages declared in a namespace or message, in order; map entries (explicit `option map_entry`) left out. */
function messagesOf(scope: protobuf.NamespaceBase): protobuf.Type[] {
  return scope.nestedArray.filter((nested): nested is protobuf.Type => nested instanceof protobuf.Type && !isMapEntry(nested));
}

/** The message's converter; string fields the message marks as numbers (our source's key fields) become N. */
function converter(file: ProtoFile, type: protobuf.Type): ProtoToAttribute {
  let convert = file.converters.get(type);
  if (convert !== undefined) return convert;
  const plain = compileMessage(type, file.converters);
  const numbers = (type.reserved ?? []).filter((name): name is string => typeof name === 'string' && name.startsWith(NUMBER_KEY_MARK)).map((name) => name.slice(NUMBER_KEY_MARK.length));
  convert = numbers.length === 0
    ? plain
    : (value, path) => {
        const attribute = plain(value, path);
        for (const name of numbers) {
          const text = attribute.M?.[name]?.S;
          if (text !== undefined) attribute.M![name] = { N: checkDynamoDbNumber(text, at(path, name)) };
        }
        return attribute;
      };
  file.converters.set(type, convert);
  return convert;
}
