import { schemaRegistryClient } from '../adapters/schema-registry/registry-client.js';
import type { SourceConfig } from '../config/source-config.js';
import { ConfigError, keyProblem } from '../config/errors.js';
import { confluentAvroFormat } from './avro/confluent-avro.js';
import { confluentJsonFormat } from './confluent-json.js';
import type { RecordFormat } from './ports.js';
import { trustpilotJsonFormat } from './trustpilot-json.js';

/** The record format a source connector's configuration asks for (a registry format connects its client). */
export async function sourceRecordFormat(output: SourceConfig['output']): Promise<RecordFormat> {
  const { dataFormat, keyFormat, registry } = output;
  if (dataFormat === 'JSON' && (keyFormat === 'JSON' || keyFormat === 'STRING')) {
    if (output.envelope === 'trustpilot') return trustpilotJsonFormat();
    return confluentJsonFormat({ document: output.documentFormat, tombstones: output.tombstones });
  }
  const unsupported = (key: string, value: string, why: string) => new ConfigError(keyProblem(key, `${value} is not supported yet: ${why}`));
  if (output.envelope === 'trustpilot') throw unsupported('output.data.format', dataFormat, 'output.envelope=trustpilot is written as JSON only');
  if (dataFormat !== 'AVRO') throw unsupported('output.data.format', dataFormat, 'the registry formats written today are AVRO (and JSON without a registry)');
  if (keyFormat !== 'AVRO' && keyFormat !== 'JSON' && keyFormat !== 'STRING') {
    throw unsupported('output.data.key.format', keyFormat, 'keys are written as AVRO, JSON or STRING');
  }
  if (!registry) throw new ConfigError(keyProblem('schema.registry.url', 'required: output.data.format=AVRO writes through a Schema Registry'));
  return confluentAvroFormat({
    registry: await schemaRegistryClient(registry),
    document: output.documentFormat,
    tombstones: output.tombstones,
    avroKeys: keyFormat === 'AVRO',
    keySubjects: { strategy: registry.keySubjects, ...(registry.context ? { context: registry.context } : {}) },
    valueSubjects: { strategy: registry.valueSubjects, ...(registry.context ? { context: registry.context } : {}) },
  });
}
