// Reading Avro records in Confluent's wire format (magic byte 0, the schema id as a big-endian int32, then Avro's
// binary encoding) as DynamoDB attributes. `load` fetches the schemas a batch of records names (RegistrySchemaCache:
// each id once), then `read` decodes each record synchronously, without a promise per record.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type avro from 'avsc';
import { ConversionError } from '../../domain/conversion-error.js';
import type { RegistrySchema, SchemaRegistry } from '../registry/ports.js';
import { RegistrySchemaCache, schemaIdOf, type CompiledSchema, type RegistryRetry } from '../registry/schema-cache.js';
import { HEADER_BYTES } from '../registry/wire-format.js';
import { compileSchema, type AvroToAttribute } from './avro-attributes.js';

export type { RegistryRetry } from '../registry/schema-cache.js';

type AvroSchema = { type: avro.Type; toAttribute: AvroToAttribute };

export class AvroReader {
  private readonly schemas: RegistrySchemaCache<AvroSchema>;

  constructor(registry: SchemaRegistry, retry: RegistryRetry) {
    this.schemas = new RegistrySchemaCache(registry, retry, 'Avro', compiled);
  }

  /** Where the schemas come from, for messages (no credentials). */
  get location(): string {
    return this.schemas.location;
  }

  /** Fetches the schemas of these record bytes not read yet (RegistrySchemaCache.load: retries, refusals). */
  load(records: Iterable<Buffer | null>): Promise<void> {
    return this.schemas.load(records);
  }

  /** One record's bytes as an attribute; ConversionError naming the schema id when they cannot be read. */
  read(bytes: Buffer, what: string): AttributeValue {
    const { id, schema } = this.schemas.resolve(bytes, what);
    let value: unknown;
    try {
      value = schema.type.fromBuffer(bytes.subarray(HEADER_BYTES));
    } catch (error) {
      throw new ConversionError(`${what} does not decode with schema id ${id}: ${(error as Error).message}`);
    }
    return schema.toAttribute(value, what);
  }

  /** Whether the bytes are wire-format Avro (magic byte and header), without reading them. */
  static isWireFormat(bytes: Buffer | null): boolean {
    return schemaIdOf(bytes) !== undefined;
  }
}

function compiled({ schemaType, schema }: RegistrySchema): CompiledSchema<AvroSchema> {
  if (schemaType !== 'AVRO') return { refused: `it is a ${schemaType} schema, not Avro` };
  try {
    return { compiled: compileSchema(schema) };
  } catch (error) {
    return { refused: `the registry's Avro schema cannot be read: ${(error as Error).message}` };
  }
}
