import type { SourceConfig } from '../config/source-config.js';
import { confluentJsonFormat } from './confluent-json.js';
import type { RecordFormat } from './ports.js';
import { trustpilotJsonFormat } from './trustpilot-json.js';

/** The record format a source connector's configuration asks for. */
export function sourceRecordFormat(output: SourceConfig['output']): RecordFormat {
  if (output.envelope === 'trustpilot') return trustpilotJsonFormat();
  return confluentJsonFormat({ document: output.documentFormat, tombstones: output.tombstones });
}
