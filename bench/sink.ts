/** Sink benchmarks for `npm run bench`: throughput against raw BatchWriteItem, and replication lag. */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, createStreamsClient, type DynamoDbConnection } from '../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../src/adapters/kafka/client.js';
import { parseSinkConfig } from '../src/config/sink.js';
import { dynamodbConnection } from '../src/runtime/connections.js';
import { createLogger } from '../src/runtime/logger.js';
import { SINK_WRITES_IN_FLIGHT, SinkConnector } from '../src/runtime/sink-connector.js';
import { SourceConnector } from '../src/runtime/source-connector.js';
import { confluentJsonFormat } from '../src/formats/confluent-json.js';
import { sourcePorts } from '../src/runtime/connections.js';
import { includeListFinder } from '../src/source/discovery.js';
import type { StackEndpoints } from '../src/stack/stack.js';
import { cpuMicrosSince, cpuRatio, percentile, waitUntil, type MeasuredRun } from './measure.js';
import { batchWrite, type Baseline } from './baselines.js';
import { benchDatabase, createBenchTable, dropBenchTable } from './tables.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../src/config/source.js';

/** The sink connector has at most SINK_WRITES_IN_FLIGHT (32) BatchWriteItem calls in flight; raw writes use as many. */
const SINK_CONCURRENCY = SINK_WRITES_IN_FLIGHT;
const say = (line: string) => process.stderr.write(`${line}\n`);

function sinkConnector(stack: StackEndpoints, connection: DynamoDbConnection, topic: string, extra: Record<string, string> = {}) {
  const name = `bench-sink-${randomUUID().slice(0, 8)}`;
  const credentials = connection.credentials as { accessKeyId: string; secretAccessKey: string };
  const config = parseSinkConfig(name, {
    'connector.class': 'DynamoDbSink',
    topics: topic,
    'tasks.max': '4',
    'bootstrap.servers': stack.kafka.bootstrapServers,
    'aws.dynamodb.endpoint': connection.endpoint!,
    'aws.dynamodb.region': connection.region,
    'aws.access.key.id': credentials.accessKeyId,
    'aws.secret.access.key': credentials.secretAccessKey,
    'aws.dynamodb.pk.hash': 'value.id',
    'aws.dynamodb.pk.sort': '',
    ...extra,
  });
  const kafkaConnection = { bootstrapServers: stack.kafka.bootstrapServers, clientId: name };
  const kafka = createKafka(kafkaConnection, logLevel.ERROR);
  const admin = kafka.admin();
  const dynamodb = createDynamoDbClient(dynamodbConnection(config));
  const connector = new SinkConnector(config, { kafka, kafkaConnection, admin, dynamodb }, createLogger(name, 'warn'));
  return {
    connector,
    async start() {
      await admin.connect();
      await connector.start();
    },
    async stop() {
      await connector.stop();
      await admin.disconnect();
      dynamodb.destroy();
    },
  };
}

export async function benchSinkThroughput(stack: StackEndpoints, count: number) {
  const topic = await produceBenchRecords(stack, count, 'JSON');

  // DynamoDB Local's speed drifts within a run, so the raw writes are timed before and after the connector;
  // an untimed round first lets its JIT warm up, which would otherwise count against the first raw run only.
  await rawBatchWrite(stack, Math.min(count, 20_000), 'sdk', 'warming up DynamoDB Local');
  const rawBefore = await rawBatchWrite(stack, count, 'sdk');
  const floorBefore = await rawBatchWrite(stack, count, 'floor');
  say('sink: connector (4 tasks, offsets committed after each write)…');
  const json = await timedSink(stack, topic, count);
  // The same records in each Schema Registry format, written by Confluent's own serializer for it.
  const registryUrl = stack.schemaRegistry?.url;
  const registryRuns: Array<[RegistryFormat, TimedSink]> = [];
  for (const format of registryUrl ? REGISTRY_FORMATS : []) {
    const formatTopic = await produceBenchRecords(stack, count, format);
    say(`sink: connector reading ${format} through the Schema Registry…`);
    registryRuns.push([format, await timedSink(stack, formatTopic, count, { 'input.data.format': format, 'input.key.format': 'STRING', 'schema.registry.url': registryUrl! })]);
  }
  // JSON again after the registry formats: DynamoDB Local slows as the run goes on, and a slower run spreads the
  // clients' fixed per-second work over the same records, so each format is compared with JSON on both sides.
  const jsonAfter = registryRuns.length > 0 ? await timedSink(stack, topic, count) : json;
  const jsonCpuMicrosPerItem = (json.cpuMicrosPerItem + jsonAfter.cpuMicrosPerItem) / 2;
  const jsonItemsPerSecond = (json.itemsPerSecond + jsonAfter.itemsPerSecond) / 2;
  const floorAfter = await rawBatchWrite(stack, count, 'floor');
  const rawAfter = await rawBatchWrite(stack, count, 'sdk');
  const rawItemsPerSecond = (rawBefore.recordsPerSecond + rawAfter.recordsPerSecond) / 2;
  const sdkCpu = (rawBefore.cpuMicrosPerRecord + rawAfter.cpuMicrosPerRecord) / 2;
  const floorCpu = (floorBefore.cpuMicrosPerRecord + floorAfter.cpuMicrosPerRecord) / 2;
  return {
    records: count,
    rawItemsPerSecond: Math.round(rawItemsPerSecond),
    rawRunsItemsPerSecond: [rawBefore.recordsPerSecond, rawAfter.recordsPerSecond],
    floorItemsPerSecond: Math.round((floorBefore.recordsPerSecond + floorAfter.recordsPerSecond) / 2),
    // This process's CPU time (all its threads) per item written: what the connector adds to the raw calls.
    nodeCpuMicrosPerItem: { connector: Math.round(jsonCpuMicrosPerItem), raw: Math.round(sdkCpu) },
    cpu: { connectorMicros: Number(jsonCpuMicrosPerItem.toFixed(1)), sdkMicros: Number(sdkCpu.toFixed(1)), floorMicros: Number(floorCpu.toFixed(1)), toSdk: cpuRatio(jsonCpuMicrosPerItem, sdkCpu), toFloor: cpuRatio(jsonCpuMicrosPerItem, floorCpu) },
    connectorItemsPerSecond: Math.round(jsonItemsPerSecond),
    jsonRuns: [json, jsonAfter].map((run) => ({ itemsPerSecond: Math.round(run.itemsPerSecond), cpuMicrosPerItem: Math.round(run.cpuMicrosPerItem) })),
    startupMs: json.startupMs,
    ratio: Number((jsonItemsPerSecond / rawItemsPerSecond).toFixed(3)),
    // avro, jsonSr, protobuf: each against the raw writes and against JSON.
    ...Object.fromEntries(
      registryRuns.map(([format, run]) => [
        RESULT_KEYS[format],
        {
          itemsPerSecond: Math.round(run.itemsPerSecond),
          ratio: Number((run.itemsPerSecond / rawItemsPerSecond).toFixed(3)),
          ratioToJson: Number((run.itemsPerSecond / jsonItemsPerSecond).toFixed(2)),
          cpuMicrosPerItem: Math.round(run.cpuMicrosPerItem),
          cpuRatioToJson: Number((run.cpuMicrosPerItem / jsonCpuMicrosPerItem).toFixed(2)),
        },
      ]),
    ) as Partial<Record<(typeof RESULT_KEYS)[RegistryFormat], RegistrySinkResult>>,
  };
}

export const REGISTRY_FORMATS = ['AVRO', 'JSON_SR', 'PROTOBUF'] as const;
export type RegistryFormat = (typeof REGISTRY_FORMATS)[number];
/** Where each format's figures sit in the result (bench-results/*.json): `avro` as before, then the others. */
export const RESULT_KEYS = { AVRO: 'avro', JSON_SR: 'jsonSr', PROTOBUF: 'protobuf' } as const;
/** Which of Confluent's serializers wrote each format's records, for the printed table. */
export const SERIALIZERS: Record<RegistryFormat, string> = { AVRO: 'AvroSerializer', JSON_SR: 'JsonSerializer', PROTOBUF: 'ProtobufSerializer' };

interface RegistrySinkResult {
  itemsPerSecond: number;
  ratio: number;
  ratioToJson: number;
  cpuMicrosPerItem: number;
  cpuRatioToJson: number;
}

/** The bench records ({id, n, payload} of ~200 bytes) in a new topic of 4 partitions, as JSON or a registry format. */
async function produceBenchRecords(stack: StackEndpoints, count: number, format: 'JSON' | RegistryFormat): Promise<string> {
  const topic = `bench-sink-${randomUUID().slice(0, 8)}`;
  say(`sink: producing ${count.toLocaleString('en')} ${format} records to ${topic} (4 partitions)…`);
  const kafka = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId: 'bench-sink-producer' }, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] });
  await admin.disconnect();
  const encode = format === 'JSON' ? async (value: BenchRecord) => JSON.stringify(value) : await registryEncoder(stack.schemaRegistry!.url, topic, format);
  const producer = kafka.producer({ 'linger.ms': 5, 'batch.num.messages': 100_000, kafkaJS: { idempotent: true } });
  await producer.connect();
  for (let start = 0; start < count; start += 10_000) {
    const values = Array.from({ length: Math.min(10_000, count - start) }, (_, offset) => ({ id: `item-${String(start + offset).padStart(8, '0')}`, n: start + offset, payload: 'x'.repeat(150) }));
    await producer.send({ topic, messages: await Promise.all(values.map(async (value, offset) => ({ key: `item-${start + offset}`, value: await encode(value) }))) });
  }
  await producer.disconnect();
  return topic;
}

interface BenchRecord {
  id: string;
  n: number;
  payload: string;
}

/**
 * Confluent's own serializer of the format, as a producer of the user's would write the records: the schema is
 * registered under the topic's subject first, and each serializer writes with the subject's latest.
 */
async function registryEncoder(registryUrl: string, topic: string, format: RegistryFormat): Promise<(value: BenchRecord) => Promise<Buffer>> {
  const { AvroSerializer, JsonSerializer, ProtobufSerializer, SchemaRegistryClient, SerdeType } = await import('@confluentinc/schemaregistry');
  const client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
  const subject = `${topic}-value`;
  if (format === 'AVRO') {
    const schema = { type: 'record', name: 'BenchItem', namespace: 'bench', fields: [{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'payload', type: 'string' }] };
    await client.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(schema) });
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    return (value) => serializer.serialize(topic, value);
  }
  if (format === 'JSON_SR') {
    const schema = { type: 'object', title: 'bench.BenchItem', properties: { id: { type: 'string' }, n: { type: 'integer' }, payload: { type: 'string' } }, required: ['id', 'n', 'payload'] };
    await client.register(subject, { schemaType: 'JSON', schema: JSON.stringify(schema) });
    const serializer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    return (value) => serializer.serialize(topic, value);
  }
  await client.register(subject, { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\npackage bench;\n\nmessage BenchItem {\n  string id = 1;\n  int64 n = 2;\n  string payload = 3;\n}\n' });
  const { create, registry, benchItem } = await benchItemDescriptor();
  const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, registry });
  return (value) => serializer.serialize(topic, create(benchItem, { id: value.id, n: BigInt(value.n), payload: value.payload }));
}

/** The Protobuf message BenchItem as a descriptor (@bufbuild/protobuf's, what Confluent's serializer takes). */
async function benchItemDescriptor() {
  const { create, createFileRegistry, createMutableRegistry } = await import('@bufbuild/protobuf');
  const { FieldDescriptorProto_Label: Label, FieldDescriptorProto_Type: Type, FileDescriptorProtoSchema } = await import('@bufbuild/protobuf/wkt');
  const field = (name: string, number: number, type: (typeof Type)[keyof typeof Type]) => ({ name, number, type, label: Label.OPTIONAL, jsonName: name });
  const file = create(FileDescriptorProtoSchema, {
    name: 'bench.proto',
    package: 'bench',
    syntax: 'proto3',
    messageType: [{ name: 'BenchItem', field: [field('id', 1, Type.STRING), field('n', 2, Type.INT64), field('payload', 3, Type.STRING)] }],
  });
  const benchItem = createFileRegistry(file, () => undefined).getMessage('bench.BenchItem')!;
  return { create, registry: createMutableRegistry(benchItem), benchItem };
}

interface TimedSink {
  itemsPerSecond: number;
  cpuMicrosPerItem: number;
  startupMs: number;
}

/** The sink connector (in this process) writing the topic into a new table, timed once every task writes. */
async function timedSink(stack: StackEndpoints, topic: string, count: number, extra: Record<string, string> = {}): Promise<TimedSink> {
  const sinkConnection = benchDatabase(stack, 'sinkwrite');
  const sinkClient = createDynamoDbClient(sinkConnection);
  await createBenchTable(sinkClient, topic, false);
  const sink = sinkConnector(stack, sinkConnection, topic, extra);
  const launched = performance.now();
  await sink.start();
  const written = () => sink.connector.status().tasks.reduce((sum, task) => sum + task.recordsWritten, 0);
  // Throughput is timed once every task has its partitions and has written: the consumer group's joins and
  // rebalances before that are start-up, reported on their own.
  await waitUntil(() => sink.connector.status().tasks.every((task) => task.recordsWritten > 0), 120_000, 'every sink task to write');
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const before = written();
  await waitUntil(() => written() >= count, 30 * 60_000, 'every record written');
  const seconds = (performance.now() - started) / 1000;
  const cpuMicrosPerItem = cpuMicrosSince(cpuAtStart) / (count - before);
  await sink.stop();
  await dropBenchTable(sinkClient, topic);
  sinkClient.destroy();
  return { itemsPerSecond: (count - before) / seconds, cpuMicrosPerItem, startupMs: Math.round(started - launched) };
}

/** `count` bench items written into a new table by a baseline's BatchWriteItem calls, as many in flight as the sink's. */
async function rawBatchWrite(stack: StackEndpoints, count: number, baseline: Baseline, purpose = `${SINK_CONCURRENCY} concurrent`): Promise<MeasuredRun> {
  say(`sink: ${baseline === 'sdk' ? 'SDK' : 'floor (signed HTTP, JSON.parse)'} BatchWriteItem, ${purpose}…`);
  const rawConnection = benchDatabase(stack, 'rawwrite');
  const rawTable = `bench-raw-${randomUUID().slice(0, 8)}`;
  const client = createDynamoDbClient(rawConnection);
  await createBenchTable(client, rawTable, false);
  const run = await batchWrite(baseline, client, rawTable, count, SINK_CONCURRENCY);
  await dropBenchTable(client, rawTable);
  client.destroy();
  return run;
}

/** Source on table A → Kafka → sink into table B of another database: write to A, time until B has it. */
export async function benchReplicationLag(stack: StackEndpoints, samples: number) {
  const sourceConnection = benchDatabase(stack, 'replsrc');
  const targetConnection = benchDatabase(stack, 'repldst');
  const table = `bench-repl-${randomUUID().slice(0, 8)}`;
  const setup = createDynamoDbClient(sourceConnection);
  await createBenchTable(setup, table, true);
  setup.destroy();
  const name = `bench-repl-${randomUUID().slice(0, 8)}`;
  const kafka = createKafka({ bootstrapServers: stack.kafka.bootstrapServers, clientId: name }, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  const sourceDb = createDynamoDbClient(sourceConnection);
  const streams = createStreamsClient(sourceConnection);
  const source = new SourceConnector(
    {
      name,
      finder: includeListFinder([table]),
      settingsFor: () => ({
        connector: name,
        syncMode: 'CDC',
        topic: table,
        maxBatchSize: 10_000,
        records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
        snapshot: { maxPollRecords: 1000, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN' },
        cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 100, gapPolicy: 'resnapshot' },
      }),
      format: confluentJsonFormat({ document: 'dynamodb-json', tombstones: true }),
      exactlyOnce: true,
      offsetsTopic: `${name}-offsets`,
      topic: { partitions: 1, replicationFactor: 1 },
      tasks: 1,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      maxRecordsPerWrite: 10_000,
    },
    sourcePorts({ kafka, connection: { bootstrapServers: stack.kafka.bootstrapServers }, admin, dynamodb: sourceDb, streams }),
    createLogger(name, 'warn'),
  );
  source.start();
  await waitUntil(() => source.status().tables[0]?.state === 'STREAMING', 60_000, 'the source to stream');
  const sink = sinkConnector(stack, targetConnection, table, { 'aws.dynamodb.pk.hash': 'partition', 'aws.dynamodb.pk.sort': 'offset', 'tasks.max': '1' });
  await sink.start();
  const targetDb = createDynamoDbClient(targetConnection);

  say(`replication lag: ${samples} writes…`);
  const lags: number[] = [];
  for (let index = 0; index < samples; index++) {
    const id = `lag-${index}`;
    await sourceDb.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: String(index) } } }));
    const written = performance.now();
    for (;;) {
      const found = await targetDb.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } })).catch(() => undefined);
      if (found?.Item) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    lags.push(performance.now() - written);
  }
  await sink.stop();
  await source.stop();
  await admin.disconnect();
  await dropBenchTable(sourceDb, table);
  await dropBenchTable(targetDb, table);
  sourceDb.destroy();
  streams.destroy();
  targetDb.destroy();
  const sorted = [...lags].sort((a, b) => a - b);
  return { samples, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)) };
}
