// What every registry format's encoder does when it is made: register the table's key and value schemas for the
// topic, under the subjects their naming strategies give, and write records behind the ids' wire headers.
import type { RecordBytes } from '../../domain/outgoing-message.js';
import { subjectName, type SubjectNaming } from '../../domain/subject-names.js';
import type { ChangeEncoder, EncodedRecord } from '../ports.js';
import type { RegistrySchema, SchemaRegistry } from './ports.js';
import { wireHeader } from './wire-format.js';

export interface RegistryTarget {
  registry: SchemaRegistry;
  keySubjects: SubjectNaming;
  valueSubjects: SubjectNaming;
}

/** A registry format's options when nothing else is chosen: where to register, and whether keys are in it too. */
export interface RegistryFormatOptions extends RegistryTarget {
  /** Keys in the registry format too, or as the JSON form's key text. */
  registryKeys: boolean;
}

/**
 * Registers the schema (or finds it registered) and returns the wire header of its id. `fullName` is the
 * schema's full record name, which RecordNameStrategy and TopicRecordNameStrategy name the subject by.
 */
export async function registeredHeader(target: RegistryTarget, topic: string, isKey: boolean, fullName: string, schema: RegistrySchema): Promise<Buffer> {
  const naming = isKey ? target.keySubjects : target.valueSubjects;
  return wireHeader(await target.registry.register(subjectName(naming, topic, isKey, fullName), schema));
}

/** A text encoder's records behind wire headers: each value's (a tombstone stays null) and, when given, each key's. */
export function framedEncoder(text: ChangeEncoder, valueHeader: Buffer, keyHeader: Buffer | undefined): ChangeEncoder {
  const framed = (record: EncodedRecord): EncodedRecord => ({
    key: keyHeader ? withHeader(keyHeader, record.key) : record.key,
    value: record.value === null ? null : withHeader(valueHeader, record.value),
    timestampMs: record.timestampMs,
  });
  return {
    snapshotPage: (items, page) => text.snapshotPage(items, page).map(framed),
    streamChange: (change) => text.streamChange(change).map(framed),
  };
}

export function withHeader(header: Buffer, body: RecordBytes): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([header, bytes], header.length + bytes.length);
}
