// The schemas that records in Confluent's wire format name, read from the registry by id for a sink's readers
// (AVRO, JSON_SR). Fetching is asynchronous and reading records is not: `load` fetches the ids a batch names (each
// once, for the life of the cache; concurrent first fetches share one request), then `resolve` finds each record's
// schema synchronously, without a promise per record.
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelayMs } from '../../domain/retry.js';
import { ConversionError } from '../../domain/conversion-error.js';
import { SchemaRegistryError, type RegistrySchema, type SchemaRegistry } from './ports.js';
import { HEADER_BYTES, MAGIC_BYTE } from './wire-format.js';

export interface RegistryRetry {
  /** Give up once the registry has not answered for this long. */
  maxRetryTimeMs: number;
  /** First wait; doubles per attempt, with full jitter, capped at 10 s. */
  retryBackoffMs: number;
}

/** A schema read: compiled, or why it cannot be (the registry refused the id; not this format's; unreadable). */
export type CompiledSchema<T> = { compiled: T } | { refused: string };

export class RegistrySchemaCache<T> {
  private readonly schemas = new Map<number, CompiledSchema<T>>();
  private readonly fetching = new Map<number, Promise<void>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly retry: RegistryRetry,
    /** How errors name the format: "value is not <format> in Confluent's wire format". */
    private readonly format: string,
    /** May ask the registry for more (a schema's references): its failures are retried as the fetch's own. */
    private readonly compile: (schema: RegistrySchema, registry: SchemaRegistry) => CompiledSchema<T> | Promise<CompiledSchema<T>>,
  ) {}

  /** Where the schemas come from, for messages (no credentials). */
  get location(): string {
    return this.registry.location;
  }

  /**
   * Fetches the schemas of these record bytes not read yet. A registry that does not answer is asked again (with
   * backoff) for up to retry.maxRetryTimeMs, then the error, naming the registry, is thrown: the caller stops
   * without committing. A refused id fails its records' reading, and is asked again with the next batch that
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

  /** The schema id and compiled schema the bytes name; ConversionError when they are not wire format or refused. */
  resolve(bytes: Buffer, what: string): { id: number; schema: T } {
    const id = schemaIdOf(bytes);
    if (id === undefined) {
      throw new ConversionError(
        bytes.length < HEADER_BYTES
          ? `${what} is not ${this.format} in Confluent's wire format: ${bytes.length} bytes, fewer than the 5-byte header`
          : `${what} is not ${this.format} in Confluent's wire format: magic byte ${bytes[0]}, expected ${MAGIC_BYTE}`,
      );
    }
    const entry = this.schemas.get(id);
    if (entry === undefined) throw new Error(`schema id ${id} was not loaded before its record was read`);
    if ('refused' in entry) throw new ConversionError(`${what} has schema id ${id}, which cannot be read: ${entry.refused}`);
    return { id, schema: entry.compiled };
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
        this.schemas.set(id, await this.compile(schema, this.registry));
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

/** The schema id of wire-format bytes; undefined when they are not (too short, or another magic byte). */
export function schemaIdOf(bytes: Buffer | null): number | undefined {
  if (bytes === null || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return bytes.readInt32BE(1);
}
