// What a Schema Registry format needs from the registry (Confluent's REST API): register a subject's schema and
// learn its id, and read a schema by id. src/adapters/schema-registry implements it on Confluent's client.

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface RegistrySchema {
  schemaType: SchemaType;
  /** The schema's text: Avro JSON, a JSON Schema, or a .proto file. */
  schema: string;
  /** The registered schemas it imports (a .proto's `import "name"`), by subject and version. */
  references?: readonly SchemaReference[];
}

/** Confluent's schema reference: the name the schema imports it by, and where the registry holds it. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaRegistry {
  /** Where it is, for messages: never holds credentials. */
  readonly location: string;
  /** Registers the schema under the subject (or finds it there) and returns its global id. */
  register(subject: string, schema: RegistrySchema): Promise<number>;
  schemaById(id: number): Promise<RegistrySchema>;
  /** A subject's schema by version: how a schema's references are read. */
  schemaByVersion(subject: string, version: number): Promise<RegistrySchema>;
}

/** The registry refused or could not answer; the message names the registry, the subject or id, and why. */
export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';
  constructor(
    message: string,
    /** The registry answered and refused (a schema incompatible with the subject's): retrying will not help. */
    readonly refused: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
