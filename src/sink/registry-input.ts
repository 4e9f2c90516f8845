// The seam between a batch and the Schema Registry: the schemas a batch's values and keys name are fetched here,
// asynchronously, once per batch, so that converting each record stays synchronous.
import type { SinkRecord } from './sink-record.js';

type SinkRecordBytes = Pick<SinkRecord, 'key' | 'value'>;

/** What every registry format's reader offers: fetching the schemas that wire-format records name. */
export interface SchemaLoader {
  load(records: Iterable<Buffer | null>): Promise<void>;
}

/** The readers of the conversion settings, by the input format each reads. */
export interface RegistryReaders {
  inputFormat: string;
  keyFormat?: string;
  avro?: SchemaLoader;
  jsonSr?: SchemaLoader;
  protobuf?: SchemaLoader;
}

/** Fetches the schemas a batch's registry-format values and keys name, before the batch is converted. */
export async function loadRegistrySchemas(records: readonly SinkRecordBytes[], settings: RegistryReaders): Promise<void> {
  const readers: Partial<Record<string, SchemaLoader>> = { AVRO: settings.avro, JSON_SR: settings.jsonSr, PROTOBUF: settings.protobuf };
  const values = readers[settings.inputFormat];
  const keys = readers[settings.keyFormat ?? settings.inputFormat];
  if (values === undefined && keys === undefined) return;
  if (values === keys) {
    await values!.load(both(records));
    return;
  }
  await Promise.all([values?.load(records.map((record) => record.value)), keys?.load(records.map((record) => record.key))]);
}

function* both(records: readonly SinkRecordBytes[]) {
  for (const record of records) {
    yield record.value;
    yield record.key;
  }
}
