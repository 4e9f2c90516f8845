// Reading JSON_SR records (Confluent's wire format: magic byte 0, the schema id as a big-endian int32, then JSON
// text) for the sink: the header is checked and its id must name a JSON Schema in the registry; the JSON text
// after it is then read by the sink's JSON path, which keeps every digit of every number.
//
// The record is not validated against its schema, as Confluent's JSON Schema deserializer does not by default
// (json.fail.invalid.schema=false): the writer validated it, and validating here would mean a second, lossy
// parse of every record (ajv sees numbers as doubles).
import type { RegistrySchema, SchemaRegistry } from '../registry/ports.js';
import { RegistrySchemaCache, schemaIdOf, type CompiledSchema, type RegistryRetry } from '../registry/schema-cache.js';
import { HEADER_BYTES } from '../registry/wire-format.js';

export class JsonSchemaReader {
  private readonly schemas: RegistrySchemaCache<true>;

  constructor(registry: SchemaRegistry, retry: RegistryRetry) {
    this.schemas = new RegistrySchemaCache(registry, retry, 'JSON_SR', jsonSchema);
  }

  /** Where the schemas come from, for messages (no credentials). */
  get location(): string {
    return this.schemas.location;
  }

  /** Fetches the schemas of these record bytes not read yet (RegistrySchemaCache.load: retries, refusals). */
  load(records: Iterable<Buffer | null>): Promise<void> {
    return this.schemas.load(records);
  }

  /** The JSON text's bytes after the header; ConversionError (naming the schema id) when the header is refused. */
  payload(bytes: Buffer, what: string): Buffer {
    this.schemas.resolve(bytes, what);
    return bytes.subarray(HEADER_BYTES);
  }

  /** Whether the bytes have the wire format's header, without resolving its id. */
  static isWireFormat(bytes: Buffer | null): boolean {
    return schemaIdOf(bytes) !== undefined;
  }
}

function jsonSchema({ schemaType, schema }: RegistrySchema): CompiledSchema<true> {
  if (schemaType !== 'JSON') return { refused: `it is a${schemaType === 'AVRO' ? 'n' : ''} ${schemaType} schema, not a JSON Schema` };
  try {
    JSON.parse(schema);
  } catch (error) {
    return { refused: `the registry's JSON Schema cannot be read: ${(error as Error).message}` };
  }
  return { compiled: true };
}
