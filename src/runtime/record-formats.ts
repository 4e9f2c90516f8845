import type { SourceConfig } from '../config/source-config.js';
import { ConfigError, keyProblem } from '../config/errors.js';
import { confluentJsonFormat } from '../formats/confluent-json.js';
import type { RecordFormat } from '../formats/ports.js';
import { trustpilotJsonFormat } from '../formats/trustpilot-json.js';

/** The record format a source connector's configuration asks for (a registry format connects its client). */
export async function sourceRecordFormat(output: SourceConfig['output']): Promise<RecordFormat> {
  const { dataFormat, keyFormat, registry } = output;
  if (dataFormat === 'JSON' && (keyFormat === 'JSON' || keyFormat === 'STRING')) {
    if (output.envelope === 'trustpilot') return trustpilotJsonFormat();
    return confluentJsonFormat({ document: output.documentFormat, tombstones: output.tombstones });
  }
  const unsupported = (key: string, value: string, why: string) => new ConfigError(keyProblem(key, `${value} is not supported yet: ${why}`));
  if (dataFormat !== 'AVRO' && dataFormat !== 'JSON_SR' && dataFormat !== 'PROTOBUF') throw unsupported('output.data.format', dataFormat, 'the registry formats written today are AVRO, JSON_SR and PROTOBUF');
  if (keyFormat !== dataFormat && keyFormat !== 'JSON' && keyFormat !== 'STRING') {
    throw unsupported('output.data.key.format', keyFormat, `with output.data.format=${dataFormat} keys are written as ${dataFormat}, JSON or STRING`);
  }
  if (!registry) throw new ConfigError(keyProblem('schema.registry.url', `required: output.data.format=${dataFormat} writes through a Schema Registry`));
  const context = registry.context ? { context: registry.context } : {};
  // Loaded only for a registry format: Confluent's Schema Registry client takes about a second to load, which a
  // JSON connector (and a Lambda container's cold start) need not pay.
  const [
    { schemaRegistryClient },
    { confluentAvroFormat },
    { confluentJsonSchemaFormat },
    { confluentProtobufFormat },
    { trustpilotAvroFormat },
    { trustpilotJsonSchemaFormat },
    { trustpilotProtobufFormat },
  ] = await Promise.all([
    import('../adapters/schema-registry/registry-client.js'),
    import('../formats/avro/confluent-avro.js'),
    import('../formats/json-schema/confluent-json-sr.js'),
    import('../formats/protobuf/confluent-protobuf.js'),
    import('../formats/avro/trustpilot-avro.js'),
    import('../formats/json-schema/trustpilot-json-sr.js'),
    import('../formats/protobuf/trustpilot-protobuf.js'),
  ]);
  const common = {
    registry: await schemaRegistryClient(registry),
    document: output.documentFormat,
    tombstones: output.tombstones,
    keySubjects: { strategy: registry.keySubjects, ...context },
    valueSubjects: { strategy: registry.valueSubjects, ...context },
  };
  if (output.envelope === 'trustpilot') {
    const options = { ...common, registryKeys: keyFormat === dataFormat };
    if (dataFormat === 'PROTOBUF') return trustpilotProtobufFormat(options);
    return dataFormat === 'AVRO' ? trustpilotAvroFormat(options) : trustpilotJsonSchemaFormat(options);
  }
  if (dataFormat === 'PROTOBUF') return confluentProtobufFormat({ ...common, protobufKeys: keyFormat === 'PROTOBUF' });
  return dataFormat === 'AVRO'
    ? confluentAvroFormat({ ...common, avroKeys: keyFormat === 'AVRO' })
    : confluentJsonSchemaFormat({ ...common, registryKeys: keyFormat === 'JSON_SR' });
}
