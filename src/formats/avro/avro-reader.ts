// Reading Avro records in Confluent's wire format (magic byte 0, the schema id as a big-endian int32, then Avro's
// binary encoding) as DynamoDB attributes. Fetching a schema is asynchronous and decoding is not: `load` fetches
// the schemas a batch of records names (each id once, for the life of the reader; concurrent first fetches share
// one request), then `read` decodes each record synchronously, without a promise per record.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import type avro from 'avsc';
import { backoffDelayMs } from '../../domain/retry.js';
import { ConversionError } from '../../sink/conversion-error.js';
import { SchemaRegistryError, type SchemaRegistry } from '../registry/ports.js';
import { HEADER_BYTES, MAGIC_BYTE } from '../registry/wire-format.js';
import { compileSchema, type AvroToAttribute } from './avro-attributes.js';

export interface RegistryRetry {
  /** Give up once the registry has not answered for this long. */
  maxRetryTimeMs: number;
  /** First wait; doubles per attempt, with full jitter, capped at 10 s. */
  retryBackoffMs: number;
}

/** A schema read: its converter, or why it cannot be (the registry refused it: no such id, not Avro, unreadable). */
type SchemaEntry = { type: avro.Type; toAttribute: AvroToAttribute } | { refused: string };

export class AvroReader {
  private readonly schemas = new Map<number, SchemaEntry>();
  private readonly fetching = new Map<number, Promise<void>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly retry: RegistryRetry,
  ) {}

  /** Where the schemas come from, for messages (no credentials). */
  get location(): string {
    return this.registry.location;
  }

  /**
   * Fetches the schemas of these record bytes not read yet. A registry that does not answer is asked again (with
   * backoff) for up to retry.maxRetryTimeMs, then the error, naming the registry, is thrown: the caller stops
   * without committing. A refused id fails its records' decoding, and is asked again with the next batch that
   * names it: a registry replica may not have a new schema yet.
   */
  async load(records: Iterable<Buffer | null>): Promise<void> {
    const ids = new Set<number>();
    for (const bytes of records) {
      const id = schemaIdOf(bytes);
      if (id !== undefined && !this.readable(id)) ids.add(id);
    }
    await Promise.all([...ids].map((id) => this.fetch(id)));
  }

  /** One record's bytes as an attribute; ConversionError naming the schema id when they cannot be read. */
  read(bytes: Buffer, what: string): AttributeValue {
    const id = schemaIdOf(bytes);
    if (id === undefined) {
      throw new ConversionError(
        bytes.length < HEADER_BYTES
          ? `${what} is not Avro in Confluent's wire format: ${bytes.length} bytes, fewer than the 5-byte header`
          : `${what} is not Avro in Confluent's wire format: magic byte ${bytes[0]}, expected ${MAGIC_BYTE}`,
      );
    }
    const entry = this.schemas.get(id);
    if (entry === undefined) throw new Error(`schema id ${id} was not loaded before its record was read`);
    if ('refused' in entry) throw new ConversionError(`${what} has schema id ${id}, which cannot be read: ${entry.refused}`);
    let value: unknown;
    try {
      value = entry.type.fromBuffer(bytes.subarray(HEADER_BYTES));
    } catch (error) {
      throw new ConversionError(`${what} does not decode with schema id ${id}: ${(error as Error).message}`);
    }
    return entry.toAttribute(value, what);
  }

  /** Whether the bytes are wire-format Avro (magic byte and header), without reading them. */
  static isWireFormat(bytes: Buffer | null): boolean {
    return schemaIdOf(bytes) !== undefined;
  }

  private readable(id: number): boolean {
    const entry = this.schemas.get(id);
    return entry !== undefined && !('refused' in entry);
  }

  private fetch(id: number): Promise<void> {
    let pending = this.fetching.get(id);
    if (pending === undefined) {
      pending = this.fetchWithRetries(id).finally(() => this.fetching.delete(id));
      this.fetching.set(id, pending);
    }
    return pending;
  }

  private async fetchWithRetries(id: number): Promise<void> {
    const deadline = Date.now() + this.retry.maxRetryTimeMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const schema = await this.registry.schemaById(id);
        this.schemas.set(id, compiled(schema.schemaType, schema.schema));
        return;
      } catch (error) {
        if (error instanceof SchemaRegistryError && error.refused) {
          this.schemas.set(id, { refused: error.message });
          return;
        }
        if (Date.now() >= deadline) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`${reason} (tried for ${Math.round(this.retry.maxRetryTimeMs / 1000)} s, max.retry.time.ms)`, { cause: error });
        }
        await delay(Math.min(backoffDelayMs(attempt, Math.max(1, this.retry.retryBackoffMs)), Math.max(0, deadline - Date.now())));
      }
    }
  }
}

function compiled(schemaType: string, text: string): SchemaEntry {
  if (schemaType !== 'AVRO') return { refused: `it is a ${schemaType} schema, not Avro` };
  try {
    return compileSchema(text);
  } catch (error) {
    return { refused: `the registry's Avro schema cannot be read: ${(error as Error).message}` };
  }
}

/** The schema id of wire-format bytes; undefined when they are not (too short, or another magic byte). */
function schemaIdOf(bytes: Buffer | null): number | undefined {
  if (bytes === null || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return bytes.readInt32BE(1);
}
