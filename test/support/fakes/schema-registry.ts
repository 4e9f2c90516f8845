import { SchemaRegistryError, type RegistrySchema, type SchemaRegistry } from '../../../src/formats/registry/ports.js';

/** A registry in memory: global ids, one list of schemas per subject, and subjects that refuse anything new. */
export class InMemorySchemaRegistry implements SchemaRegistry {
  readonly location = 'memory://registry';
  readonly subjects = new Map<string, number[]>();
  private readonly schemas: RegistrySchema[] = [];
  /** Subjects whose compatibility check fails for any schema they do not hold yet. */
  readonly refusing = new Set<string>();

  async register(subject: string, schema: RegistrySchema): Promise<number> {
    let id = this.schemas.findIndex((known) => known.schemaType === schema.schemaType && known.schema === schema.schema && JSON.stringify(known.references) === JSON.stringify(schema.references)) + 1;
    const versions = this.subjects.get(subject) ?? [];
    if (id > 0 && versions.includes(id)) return id;
    if (this.refusing.has(subject)) throw new SchemaRegistryError(`${this.location} refused subject ${subject}: incompatible`, true);
    if (id === 0) id = this.schemas.push(schema);
    this.subjects.set(subject, [...versions, id]);
    return id;
  }

  async schemaById(id: number): Promise<RegistrySchema> {
    const schema = this.schemas[id - 1];
    if (!schema) throw new SchemaRegistryError(`${this.location}: no schema with id ${id}`, true);
    return schema;
  }

  async schemaByVersion(subject: string, version: number): Promise<RegistrySchema> {
    const id = this.subjects.get(subject)?.[version - 1];
    if (id === undefined) throw new SchemaRegistryError(`${this.location}: subject ${subject} has no version ${version}`, true);
    return this.schemaById(id);
  }
}
