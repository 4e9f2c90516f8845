import type { SourceConfig } from '../config/source-config.js';
import { confluentJsonFormat } from './confluent-json.js';
import type { RecordFormat } from './ports.js';

/** The record format a source connector's configuration asks for. */
export function sourceRecordFormat(output: SourceConfig['output']): RecordFormat {
  return confluentJsonFormat({ document: output.documentFormat, tombstones: output.tombstones });
}
