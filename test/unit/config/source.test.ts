import { describe, expect, it } from 'vitest';
import { parseConnectorJson, parseProperties } from '../../../src/config/connector-file.js';
import { ConfigError } from '../../../src/config/errors.js';
import { describeSourceConfig, parseSourceConfig, topicFor, type SourceConfig } from '../../../src/config/source.js';

const env = { AWS_REGION: 'eu-west-1' };
const minimal = { 'connector.class': 'DynamoDbSource', 'dynamodb.table.includelist': 'orders' };

function parse(extra: Record<string, string>, options: { env?: Record<string, string> } = {}): SourceConfig {
  return parseSourceConfig('test-connector', { ...minimal, ...extra }, { env: options.env ?? env });
}

/** The ConfigError thrown for `raw` (fails the test when nothing is thrown). */
function errorFor(raw: Record<string, string>, options: { env?: Record<string, string>; name?: string } = {}): ConfigError {
  try {
    parseSourceConfig(options.name ?? 'test-connector', raw, { env: options.env ?? env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const problemLines = (error: ConfigError): string[] => error.problems.map((problem) => problem.message);

describe('parseSourceConfig: defaults', () => {
  it('fills every default from a minimal config', () => {
    expect(parse({})).toEqual({
      name: 'test-connector',
      connectorClass: 'DynamoDbSource',
      tasksMax: 1,
      discovery: { mode: 'INCLUDELIST', tables: ['orders'] },
      syncMode: 'SNAPSHOT_CDC',
      aws: { region: 'eu-west-1', endpoint: undefined, credentials: { kind: 'default' }, assumeRole: undefined },
      kafka: { bootstrapServers: undefined, properties: {} },
      topics: { prefix: '', suffix: '', map: {}, partitions: 1, replicationFactor: -1, maxMessageBytes: 8 * 1024 * 1024 },
      snapshot: { maxPollRecords: 1000, segments: undefined, maxRcuPercentage: 50, maxRcu: undefined, consistentRead: false, method: 'SCAN' },
      cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 100, gapPolicy: 'resnapshot' },
      output: {
        envelope: 'confluent',
        documentFormat: 'dynamodb-json',
        tombstones: true,
        dataFormat: 'JSON',
        keyFormat: 'JSON',
        maxBatchSize: 10_000,
        oversizedRecords: 'drop-before',
      },
      exactlyOnce: true,
      offsetStorageTopic: 'dynamodb-kafka-offsets',
      warnings: [],
    });
  });

  it('reads every setting when given', () => {
    const config = parse({
      'tasks.max': '4',
      'dynamodb.service.endpoint': 'http://localhost:8000',
      'bootstrap.servers': 'localhost:9092, [::1]:9093',
      'client.id': 'cdc',
      'kafka.topic.prefix': 'cdc.',
      'kafka.topic.suffix': '.v1',
      'topic.creation.partitions': '6',
      'topic.creation.replication.factor': '3',
      'dynamodb.snapshot.max.poll.records': '500',
      'dynamodb.snapshot.segments': '16',
      'dynamodb.snapshot.max.rcu.percentage': '80',
      'dynamodb.snapshot.max.rcu': '2500.5',
      'dynamodb.snapshot.consistent.read': 'TRUE',
      'dynamodb.table.sync.mode': 'cdc',
      'dynamodb.cdc.initial.stream.position': 'LATEST',
      'dynamodb.cdc.max.poll.records': '250',
      'dynamodb.cdc.poll.interval.ms': '0',
      'dynamodb.cdc.gap.policy': 'fail',
      'output.document.format': 'json',
      'tombstones.on.delete': 'False',
      'max.batch.size': '50',
      'exactly.once.support': 'disabled',
      'offset.storage.topic': 'my-offsets',
    });
    expect(config).toMatchObject({
      tasksMax: 4,
      syncMode: 'CDC',
      aws: { endpoint: 'http://localhost:8000' },
      kafka: { bootstrapServers: 'localhost:9092,[::1]:9093', properties: { 'client.id': 'cdc' } },
      topics: { prefix: 'cdc.', suffix: '.v1', partitions: 6, replicationFactor: 3 },
      snapshot: { maxPollRecords: 500, segments: 16, maxRcuPercentage: 80, maxRcu: 2500.5, consistentRead: true },
      cdc: { initialPosition: 'LATEST', maxPollRecords: 250, pollIntervalMs: 0, gapPolicy: 'fail' },
      output: { documentFormat: 'json', tombstones: false, maxBatchSize: 50 },
      exactlyOnce: false,
      offsetStorageTopic: 'my-offsets',
      warnings: [],
    });
  });

  it('treats empty values as unset', () => {
    const config = parse({ 'aws.access.key.id': '', 'aws.secret.access.key': ' ', 'tasks.max': '', 'dynamodb.service.endpoint': '' });
    expect(config.aws.credentials).toEqual({ kind: 'default' });
    expect(config.tasksMax).toBe(1);
    expect(config.aws.endpoint).toBeUndefined();
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, and requires one', () => {
    expect(parse({}, { env: { AWS_DEFAULT_REGION: 'us-west-2' } }).aws.region).toBe('us-west-2');
    expect(parse({ 'aws.region': 'ap-south-1' }).aws.region).toBe('ap-south-1');
    expect(problemLines(errorFor(minimal, { env: {} }))).toEqual(['aws.region: required (or set the AWS_REGION environment variable)']);
  });
});

describe('parseSourceConfig: connector class and name', () => {
  it.each([
    'DynamoDbSource',
    'DynamoDbCdcSource',
    'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector',
    'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector',
    'DynamoDBSourceConnector',
  ])('accepts %s', (connectorClass) => {
    expect(parse({ 'connector.class': connectorClass }).connectorClass).toBe(connectorClass);
  });

  it('lists the accepted class names for another', () => {
    const error = errorFor({ ...minimal, 'connector.class': 'io.debezium.connector.mysql.MySqlConnector' });
    expect(error.key).toBe('connector.class');
    expect(error.message).toContain('expected one of DynamoDbSource, DynamoDbCdcSource, io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector');
    expect(error.message).toContain('got "io.debezium.connector.mysql.MySqlConnector"');
  });

  it('requires the class', () => {
    expect(errorFor({ 'dynamodb.table.includelist': 'orders' }).message).toMatch(/connector\.class: required: one of DynamoDbSource/);
  });

  it("lets the file's name win over the name key, with a warning", () => {
    const config = parse({ name: 'other' });
    expect(config.name).toBe('test-connector');
    expect(config.warnings).toEqual(['name "other" in the config is ignored: the connector is named "test-connector"']);
    expect(parseSourceConfig('', { ...minimal, name: 'from-key' }, { env }).name).toBe('from-key');
    expect(errorFor(minimal, { name: '' }).key).toBe('name');
  });

  it('checks tasks.max', () => {
    expect(errorFor({ ...minimal, 'tasks.max': '0' }).message).toContain('tasks.max: expected an integer ≥ 1, got "0"');
    expect(errorFor({ ...minimal, 'tasks.max': '1.5' }).key).toBe('tasks.max');
  });
});

describe('parseSourceConfig: tables', () => {
  it('trims the include list, drops empty entries and duplicates', () => {
    expect(parse({ 'dynamodb.table.includelist': ' orders, users,,orders ' }).discovery).toEqual({ mode: 'INCLUDELIST', tables: ['orders', 'users'] });
  });

  it("takes trustpilot's dynamodb.table.whitelist as the include list", () => {
    const config = parseSourceConfig('c', { 'connector.class': 'DynamoDBSourceConnector', 'dynamodb.table.whitelist': 'a-table,b-table' }, { env });
    expect(config.discovery).toEqual({ mode: 'INCLUDELIST', tables: ['a-table', 'b-table'] });
  });

  it('accepts both names when they list the same tables, refuses them when they differ', () => {
    expect(parse({ 'dynamodb.table.whitelist': 'orders' }).discovery).toEqual({ mode: 'INCLUDELIST', tables: ['orders'] });
    expect(problemLines(errorFor({ ...minimal, 'dynamodb.table.whitelist': 'users' }))).toEqual([
      'dynamodb.table.whitelist: is another name for dynamodb.table.includelist, and the two are set to different values: keep one',
    ]);
  });

  it('refuses an include list with no table, naming the key', () => {
    expect(problemLines(errorFor({ ...minimal, 'dynamodb.table.includelist': ' , ' }))).toEqual([
      'dynamodb.table.includelist: lists no table: name the tables to capture, comma-separated (or use dynamodb.table.discovery.mode=TAG)',
    ]);
    const explicit = errorFor({ 'connector.class': 'DynamoDbSource', 'dynamodb.table.discovery.mode': 'INCLUDELIST' });
    expect(explicit.key).toBe('dynamodb.table.includelist');
  });

  it('refuses names DynamoDB would not accept', () => {
    expect(errorFor({ ...minimal, 'dynamodb.table.includelist': 'orders,a b' }).message).toContain(
      'dynamodb.table.includelist: expected DynamoDB table names (letters, digits, "_", "-", "."), got "a b"',
    );
  });

  it('discovers by tag when no table is listed', () => {
    const config = parseSourceConfig('c', { 'connector.class': 'DynamoDbSource', 'dynamodb.table.tag.filters': 'team:data,ml;cdc' }, { env });
    expect(config.discovery).toEqual({
      mode: 'TAG',
      filters: [
        { key: 'team', values: ['data', 'ml'] },
        { key: 'cdc', values: [] },
      ],
      taggingEndpoint: undefined,
      rediscoveryPeriodMs: 60_000,
    });
  });

  it("reads the tagging endpoint under both names and trustpilot's rediscovery period", () => {
    const base = { 'connector.class': 'DynamoDbCdcSource', 'dynamodb.table.discovery.mode': 'TAG', 'dynamodb.table.tag.filters': 'cdc' };
    const confluent = parseSourceConfig('c', { ...base, 'aws.resource.tagging.endpoint': 'https://tagging.example:4566' }, { env });
    const trustpilot = parseSourceConfig('c', { ...base, 'resource.tagging.service.endpoint': 'https://tagging.example:4566', 'connect.dynamodb.rediscovery.period': '5000' }, { env });
    expect(confluent.discovery).toMatchObject({ mode: 'TAG', taggingEndpoint: 'https://tagging.example:4566', rediscoveryPeriodMs: 60_000 });
    expect(trustpilot.discovery).toMatchObject({ mode: 'TAG', taggingEndpoint: 'https://tagging.example:4566', rediscoveryPeriodMs: 5000 });
  });

  it("applies trustpilot's tag discovery, with its defaults under its class", () => {
    const defaults = parseSourceConfig('c', { 'connector.class': 'DynamoDBSourceConnector' }, { env });
    expect(defaults.discovery).toMatchObject({
      mode: 'TAG',
      filters: [
        { key: 'datalake-ingest', values: [] },
        { key: 'environment', values: ['dev'] },
      ],
    });
    const custom = parseSourceConfig(
      'c',
      { 'connector.class': 'DynamoDbSource', 'dynamodb.table.ingestion.tag.key': 'ingest', 'dynamodb.table.env.tag.key': 'env', 'dynamodb.table.env.tag.value': 'prod' },
      { env },
    );
    expect(custom.discovery).toMatchObject({ filters: [{ key: 'ingest', values: [] }, { key: 'env', values: ['prod'] }] });
  });

  it('requires tag filters for TAG discovery', () => {
    const error = errorFor({ 'connector.class': 'DynamoDbSource', 'dynamodb.table.discovery.mode': 'TAG' });
    expect(problemLines(error)).toEqual(['dynamodb.table.tag.filters: required with dynamodb.table.discovery.mode=TAG, e.g. key1:v1,v2;key2']);
    expect(errorFor({ 'connector.class': 'DynamoDbSource' }).key).toBe('dynamodb.table.includelist');
  });

  it('reports a malformed tag filter', () => {
    expect(errorFor({ 'connector.class': 'DynamoDbSource', 'dynamodb.table.tag.filters': 'a:1;a:2' }).message).toContain(
      'dynamodb.table.tag.filters: expected key1:v1,v2;key2:v3 — tag key "a" appears twice',
    );
  });

  it('warns about the settings the other discovery mode ignores', () => {
    expect(parse({ 'dynamodb.table.tag.filters': 'cdc' }).warnings).toEqual([
      'dynamodb.table.tag.filters ignored: tables are listed in dynamodb.table.includelist (discovery mode INCLUDELIST)',
    ]);
    expect(parse({ 'dynamodb.table.discovery.mode': 'TAG', 'dynamodb.table.tag.filters': 'cdc' }).warnings).toEqual([
      'dynamodb.table.includelist ignored: dynamodb.table.discovery.mode is TAG',
    ]);
  });
});

describe('parseSourceConfig: sync mode', () => {
  it("takes trustpilot's init.sync.skip=true as CDC from the latest record", () => {
    const config = parse({ 'init.sync.skip': 'true' });
    expect(config.syncMode).toBe('CDC');
    expect(config.cdc.initialPosition).toBe('LATEST');
    expect(parse({ 'init.sync.skip': 'false' }).syncMode).toBe('SNAPSHOT_CDC');
    expect(parse({ 'init.sync.skip': 'true', 'dynamodb.table.sync.mode': 'CDC', 'dynamodb.cdc.initial.stream.position': 'TRIM_HORIZON' }).cdc.initialPosition).toBe('TRIM_HORIZON');
  });

  it('refuses init.sync.skip contradicting the sync mode', () => {
    expect(problemLines(errorFor({ ...minimal, 'init.sync.skip': 'true', 'dynamodb.table.sync.mode': 'SNAPSHOT' }))).toEqual([
      'init.sync.skip: contradicts dynamodb.table.sync.mode=SNAPSHOT (init.sync.skip=true means CDC only): keep one',
    ]);
    expect(errorFor({ ...minimal, 'init.sync.skip': 'false', 'dynamodb.table.sync.mode': 'CDC' }).key).toBe('init.sync.skip');
  });

  it('checks the sync mode', () => {
    expect(errorFor({ ...minimal, 'dynamodb.table.sync.mode': 'FULL' }).message).toContain(
      'dynamodb.table.sync.mode: expected one of SNAPSHOT_CDC, SNAPSHOT, CDC, got "FULL"',
    );
  });
});

describe('parseSourceConfig: AWS', () => {
  it('reads static credentials, with a session token', () => {
    expect(parse({ 'aws.access.key.id': 'AKIAEXAMPLE', 'aws.secret.access.key': 'wJalr', 'aws.session.token': 'tok' }).aws.credentials).toEqual({
      kind: 'static',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalr',
      sessionToken: 'tok',
    });
  });

  it("takes trustpilot's aws.secret.key as the secret access key", () => {
    expect(parse({ 'aws.access.key.id': 'AKIAEXAMPLE', 'aws.secret.key': 'wJalr' }).aws.credentials).toEqual({
      kind: 'static',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalr',
    });
  });

  it('needs both halves of the key pair', () => {
    expect(problemLines(errorFor({ ...minimal, 'aws.access.key.id': 'AKIAEXAMPLE' }))).toEqual([
      'aws.secret.access.key: required with aws.access.key.id: set both or neither',
    ]);
    expect(errorFor({ ...minimal, 'aws.secret.access.key': 'wJalr' }).key).toBe('aws.access.key.id');
    expect(errorFor({ ...minimal, 'aws.session.token': 'tok' }).key).toBe('aws.session.token');
  });

  it('assumes a role, under either name', () => {
    const arn = 'arn:aws:iam::123456789012:role/cdc-reader';
    expect(parse({ 'aws.sts.role.arn': arn, 'aws.sts.role.external.id': 'ext' }).aws.assumeRole).toEqual({
      roleArn: arn,
      externalId: 'ext',
      sessionName: 'dynamodb-kafka',
    });
    expect(parse({ 'aws.assume.role.arn': arn, 'aws.sts.role.session.name': 'mine' }).aws.assumeRole).toEqual({ roleArn: arn, sessionName: 'mine' });
    expect(errorFor({ ...minimal, 'aws.sts.role.arn': 'cdc-reader' }).message).toContain(
      'aws.sts.role.arn: expected an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "cdc-reader"',
    );
    expect(parse({ 'aws.sts.role.external.id': 'ext' }).warnings).toEqual([
      'aws.sts.role.external.id ignored: no role to assume (aws.sts.role.arn is unset)',
    ]);
  });

  it('checks the endpoint', () => {
    expect(errorFor({ ...minimal, 'dynamodb.service.endpoint': 'localhost:8000' }).message).toContain(
      'dynamodb.service.endpoint: expected an http:// or https:// URL, got "localhost:8000"',
    );
  });
});

describe('parseSourceConfig: Kafka', () => {
  it('passes the client keys through', () => {
    const properties = { 'security.protocol': 'SSL', 'ssl.ca.location': '/ca.pem', 'sasl.mechanisms': 'PLAIN', 'client.id': 'x' };
    expect(parse(properties).kafka.properties).toEqual(properties);
  });

  it("maps Confluent Cloud's API key", () => {
    const config = parse({ 'kafka.auth.mode': 'KAFKA_API_KEY', 'kafka.api.key': 'KEY', 'kafka.api.secret': 'SECRET' });
    expect(config.kafka.properties).toEqual({ 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'KEY', 'sasl.password': 'SECRET' });
  });

  it('checks the broker list', () => {
    expect(errorFor({ ...minimal, 'bootstrap.servers': 'localhost' }).message).toContain('bootstrap.servers: expected host:port[,host:port…], got "localhost"');
  });

  it('names topics from prefix, table (or its mapped name) and suffix', () => {
    const config = parse({ 'kafka.topic.prefix': 'cdc.', 'kafka.topic.suffix': '-v1', 'kafka.topic.map': '{"orders": "sales"}' });
    expect(topicFor(config, 'orders')).toBe('cdc.sales-v1');
    expect(topicFor(config, 'users')).toBe('cdc.users-v1');
    expect(topicFor(parse({}), 'orders')).toBe('orders');
    expect(errorFor({ ...minimal, 'kafka.topic.prefix': 'cdc/' }).key).toBe('kafka.topic.prefix');
    expect(errorFor({ ...minimal, 'kafka.topic.map': '["orders"]' }).key).toBe('kafka.topic.map');
  });

  it("keeps trustpilot's topic prefix default under its class", () => {
    const config = parseSourceConfig('c', { 'connector.class': 'DynamoDBSourceConnector', 'dynamodb.table.whitelist': 'orders' }, { env });
    expect(topicFor(config, 'orders')).toBe('dynamodb-orders');
  });

  it("reads topic creation settings under ours and Kafka Connect's names", () => {
    expect(parse({ 'topic.creation.default.partitions': '3', 'topic.creation.default.replication.factor': '-1' }).topics).toMatchObject({
      partitions: 3,
      replicationFactor: -1,
    });
    expect(errorFor({ ...minimal, 'topic.creation.replication.factor': '0' }).message).toContain(
      'topic.creation.replication.factor: expected -1 (the broker default) or an integer ≥ 1, got "0"',
    );
  });
});

describe('parseSourceConfig: CDC start position', () => {
  const atTimestamp = { 'dynamodb.table.sync.mode': 'CDC', 'dynamodb.cdc.initial.stream.position': 'AT_TIMESTAMP' };

  it('reads the timestamp in the default format', () => {
    expect(parse({ ...atTimestamp, 'cdc.start.position.timestamp': '2024-01-31T12:00:00Z' }).cdc).toMatchObject({
      initialPosition: 'AT_TIMESTAMP',
      startTimestampMs: Date.UTC(2024, 0, 31, 12),
    });
  });

  it('reads the timestamp in a custom format with milliseconds and an offset', () => {
    const config = parse({
      ...atTimestamp,
      'cdc.start.position.timestamp': '2024-01-31 12:00:00.250+0100',
      'cdc.start.position.timestamp.format': 'yyyy-MM-dd HH:mm:ss.SSSZ',
    });
    expect(config.cdc.startTimestampMs).toBe(Date.UTC(2024, 0, 31, 11, 0, 0, 250));
  });

  it('reads epoch milliseconds', () => {
    expect(parse({ ...atTimestamp, 'cdc.start.position.timestamp': '1706702400000' }).cdc.startTimestampMs).toBe(1706702400000);
  });

  it('requires a readable timestamp with AT_TIMESTAMP', () => {
    expect(problemLines(errorFor({ ...minimal, ...atTimestamp }))).toEqual([
      'cdc.start.position.timestamp: required with dynamodb.cdc.initial.stream.position=AT_TIMESTAMP',
    ]);
    expect(problemLines(errorFor({ ...minimal, ...atTimestamp, 'cdc.start.position.timestamp': '31/01/2024' }))).toEqual([
      `cdc.start.position.timestamp: expected a time in the format "yyyy-MM-dd'T'HH:mm:ss'Z'" or epoch milliseconds, got "31/01/2024"`,
    ]);
    const badFormat = errorFor({ ...minimal, ...atTimestamp, 'cdc.start.position.timestamp': 'Mon', 'cdc.start.position.timestamp.format': 'EEE' });
    expect(problemLines(badFormat)).toHaveLength(1); // one mistake, one message
    expect(badFormat.message).toContain(
      'cdc.start.position.timestamp.format: expected a java.time DateTimeFormatter pattern: the pattern letters "EEE" are not supported',
    );
  });

  it('warns when the start position cannot apply', () => {
    expect(parse({ 'dynamodb.cdc.initial.stream.position': 'LATEST' }).warnings).toEqual([
      "dynamodb.cdc.initial.stream.position ignored: it applies to dynamodb.table.sync.mode=CDC only (after a snapshot, changes are read from the snapshot's start)",
    ]);
    expect(parse({ 'dynamodb.table.sync.mode': 'CDC', 'cdc.start.position.timestamp': '1706702400000' }).warnings).toEqual([
      'cdc.start.position.timestamp ignored: dynamodb.cdc.initial.stream.position is TRIM_HORIZON, not AT_TIMESTAMP',
    ]);
  });

  it("lowers dynamodb.cdc.max.poll.records to GetRecords' limit, with a warning", () => {
    const config = parse({ 'dynamodb.cdc.max.poll.records': '5000' });
    expect(config.cdc.maxPollRecords).toBe(1000);
    expect(config.warnings).toEqual([
      "dynamodb.cdc.max.poll.records lowered from 5000 to 1000, the most DynamoDB Streams' GetRecords returns",
    ]);
  });
});

describe('parseSourceConfig: output and guarantees', () => {
  it('accepts JSON output formats, and asks for a registry where a format needs one', () => {
    expect(parse({ 'output.data.format': 'JSON', 'output.data.key.format': 'json' }).warnings).toEqual([]);
    expect(problemLines(errorFor({ ...minimal, 'output.data.format': 'AVRO', 'output.data.key.format': 'PROTOBUF' }))).toEqual([
      'schema.registry.url: required: output.data.format=AVRO writes through a Schema Registry',
    ]);
    expect(problemLines(errorFor({ ...minimal, 'output.data.key.format': 'AVRO' }))).toEqual([
      'schema.registry.url: required: output.data.key.format=AVRO writes through a Schema Registry',
    ]);
    expect(problemLines(errorFor({ ...minimal, 'output.data.format': 'XML' }))).toEqual([
      'output.data.format: expected one of AVRO, JSON_SR, PROTOBUF, JSON, got "XML"',
    ]);
  });

  it('writes AVRO keys and values by default once a Schema Registry is set, as Confluent does; JSON without one', () => {
    const withRegistry = parse({ 'schema.registry.url': 'http://127.0.0.1:8081' }).output;
    expect(withRegistry).toMatchObject({
      dataFormat: 'AVRO',
      keyFormat: 'AVRO',
      registry: { url: 'http://127.0.0.1:8081', keySubjects: 'TopicNameStrategy', valueSubjects: 'TopicNameStrategy' },
    });
    expect(parse({ 'schema.registry.url': 'http://r:8081', 'output.data.key.format': 'STRING' }).output).toMatchObject({ dataFormat: 'AVRO', keyFormat: 'STRING' });
    expect(parse({}).output).toMatchObject({ dataFormat: 'JSON', keyFormat: 'JSON' });
    expect(parse({}).output.registry).toBeUndefined();
  });

  it('hides the registry credentials when the configuration is described', () => {
    const withUserInfo = describeSourceConfig(parse({ 'schema.registry.url': 'http://r:8081', 'schema.registry.basic.auth.user.info': 'svc:s3cret' }));
    expect(JSON.stringify(withUserInfo)).not.toContain('s3cret');
    const inUrl = describeSourceConfig(parse({ 'schema.registry.url': 'http://svc:pw123@r:8081', 'basic.auth.credentials.source': 'URL' }));
    expect(JSON.stringify(inUrl)).not.toContain('pw123');
  });

  it('reads the registry settings as Confluent names them, and never quotes the credentials', () => {
    const { registry } = parse({
      'schema.registry.url': 'https://a:8081, https://b:8081',
      'basic.auth.credentials.source': 'USER_INFO',
      'schema.registry.basic.auth.user.info': 'svc:s3cret',
      'schema.context.name': 'prod',
      'key.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
      'value.subject.name.strategy': 'TopicRecordNameStrategy',
    }).output;
    expect(registry).toEqual({
      url: 'https://a:8081,https://b:8081',
      basicAuth: { source: 'USER_INFO', userInfo: 'svc:s3cret' },
      context: 'prod',
      keySubjects: 'RecordNameStrategy',
      valueSubjects: 'TopicRecordNameStrategy',
    });
    const refused = errorFor({ ...minimal, 'schema.registry.url': 'ftp://user:pw@x', 'schema.registry.basic.auth.user.info': 'no-colon-secret' });
    expect(refused.message).not.toContain('pw');
    expect(refused.message).not.toContain('no-colon-secret');
    expect(problemLines(errorFor({ ...minimal, 'schema.registry.url': 'http://r', 'basic.auth.credentials.source': 'USER_INFO' }))).toEqual([
      'schema.registry.basic.auth.user.info: required with basic.auth.credentials.source=USER_INFO',
    ]);
    expect(problemLines(errorFor({ ...minimal, 'schema.registry.url': 'http://r', 'key.subject.name.strategy': 'Mine' }))[0]).toMatch(
      /^key.subject.name.strategy: expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy/,
    );
  });

  it('writes the confluent envelope, or trustpilot\'s record shape under its class name or when asked', () => {
    expect(parse({}).output.envelope).toBe('confluent');
    expect(parse({ 'connector.class': 'DynamoDbCdcSource' }).output.envelope).toBe('confluent');
    const trustpilot = { 'connector.class': 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector', 'dynamodb.table.whitelist': 'orders' };
    expect(parseSourceConfig('c', trustpilot, { env }).output).toMatchObject({ envelope: 'trustpilot', tombstones: true });
    expect(parseSourceConfig('c', { ...trustpilot, 'output.envelope': 'confluent' }, { env }).output.envelope).toBe('confluent');
    expect(parse({ 'output.envelope': 'TrustPilot' }).output.envelope).toBe('trustpilot');
    expect(problemLines(errorFor({ ...minimal, 'output.envelope': 'debezium' }))).toEqual([
      'output.envelope: expected one of confluent, trustpilot, got "debezium"',
    ]);
  });

  it("keeps trustpilot's document form and tombstones, saying so when the config asks otherwise", () => {
    const config = parse({ 'output.envelope': 'trustpilot', 'output.document.format': 'json', 'tombstones.on.delete': 'false' });
    expect(config.output).toMatchObject({ envelope: 'trustpilot', documentFormat: 'dynamodb-json', tombstones: true });
    expect(config.warnings).toEqual([
      'output.document.format ignored: output.envelope=trustpilot writes its document as trustpilot does (DynamoDB JSON, lower-case type tags)',
      'tombstones.on.delete=false ignored: output.envelope=trustpilot follows every delete with a tombstone, as trustpilot does',
    ]);
    expect(parse({ 'output.envelope': 'trustpilot', 'tombstones.on.delete': 'true' }).warnings).toEqual([]);
  });

  it("takes Kafka Connect's exactly.once.support values", () => {
    expect(parse({ 'exactly.once.support': 'required' }).exactlyOnce).toBe(true);
    expect(parse({ 'exactly.once.support': 'REQUESTED' }).exactlyOnce).toBe(true);
    expect(parse({ 'exactly.once.support': 'disabled' }).exactlyOnce).toBe(false);
    expect(errorFor({ ...minimal, 'exactly.once.support': 'yes' }).key).toBe('exactly.once.support');
  });

  it('reads the record size limit under both names, and the oversized-record policy with its dead-letter topic', () => {
    expect(parse({ 'topic.creation.max.message.bytes': '2097152' }).topics.maxMessageBytes).toBe(2_097_152);
    expect(parse({ 'topic.creation.default.max.message.bytes': '2097152' }).topics.maxMessageBytes).toBe(2_097_152);
    expect(errorFor({ ...minimal, 'topic.creation.max.message.bytes': '1000' }).key).toBe('topic.creation.max.message.bytes');
    expect(parse({ 'oversized.record.policy': 'fail' }).output.oversizedRecords).toBe('fail');
    expect(parse({ 'oversized.record.policy': 'dead-letter', 'errors.deadletterqueue.topic.name': 'orders-dlq' }).output).toMatchObject({
      oversizedRecords: 'dead-letter',
      deadLetterTopic: 'orders-dlq',
    });
    const missingTopic = errorFor({ ...minimal, 'oversized.record.policy': 'dead-letter' });
    expect(missingTopic.key).toBe('errors.deadletterqueue.topic.name');
    expect(missingTopic.message).toContain('required by oversized.record.policy=dead-letter');
    expect(errorFor({ ...minimal, 'oversized.record.policy': 'skip' }).message).toContain('oversized.record.policy: expected one of');
  });

  it('reads the snapshot method, requiring the export bucket with EXPORT and ignoring the export keys with SCAN', () => {
    const s3 = { 'dynamodb.snapshot.export.s3.bucket': 'exports-bucket', 'dynamodb.snapshot.export.s3.prefix': 'orders/', 'dynamodb.snapshot.export.s3.endpoint': 'http://127.0.0.1:5000' };
    expect(parse({ 'dynamodb.snapshot.method': 'EXPORT', ...s3 }).snapshot).toMatchObject({
      method: 'EXPORT',
      export: { bucket: 'exports-bucket', prefix: 'orders/', endpoint: 'http://127.0.0.1:5000' },
    });
    expect(parse({ 'dynamodb.snapshot.method': 'EXPORT', 'dynamodb.snapshot.export.s3.bucket': 'b-1' }).snapshot.export).toEqual({ bucket: 'b-1' });
    const missingBucket = errorFor({ ...minimal, 'dynamodb.snapshot.method': 'EXPORT' });
    expect(missingBucket.key).toBe('dynamodb.snapshot.export.s3.bucket');
    expect(missingBucket.message).toContain('required with dynamodb.snapshot.method=EXPORT');
    expect(errorFor({ ...minimal, 'dynamodb.snapshot.method': 'EXPORT', 'dynamodb.snapshot.export.s3.bucket': 'Not_A_Bucket' }).message).toContain(
      'dynamodb.snapshot.export.s3.bucket: expected an S3 bucket name',
    );
    expect(errorFor({ ...minimal, 'dynamodb.snapshot.method': 'COPY' }).message).toContain('dynamodb.snapshot.method: expected one of');
    expect(errorFor({ ...minimal, 'dynamodb.snapshot.method': 'EXPORT', ...s3, 'dynamodb.snapshot.export.s3.endpoint': 'not a url' }).key).toBe(
      'dynamodb.snapshot.export.s3.endpoint',
    );
    const scan = parse(s3);
    expect(scan.snapshot).toMatchObject({ method: 'SCAN' });
    expect(scan.snapshot.export).toBeUndefined();
    expect(scan.warnings).toContain('dynamodb.snapshot.export.s3.bucket is ignored: it applies to dynamodb.snapshot.method=EXPORT only');
  });

  it("takes Kafka Connect's per-connector offsets.storage.topic", () => {
    expect(parse({ 'offsets.storage.topic': 'connect-offsets' }).offsetStorageTopic).toBe('connect-offsets');
  });

  it('checks booleans and ranges', () => {
    expect(errorFor({ ...minimal, 'tombstones.on.delete': 'yes' }).message).toContain('tombstones.on.delete: expected true or false, got "yes"');
    expect(errorFor({ ...minimal, 'max.batch.size': '10001' }).message).toContain('max.batch.size: expected an integer from 1 to 10000, got "10001"');
    expect(parse({ 'poll.linger.ms': '-1' }).warnings).toEqual([
      'poll.linger.ms is ignored: records are written as soon as they are read: each write takes whatever is queued, up to max.batch.size',
    ]);
    expect(errorFor({ ...minimal, 'dynamodb.snapshot.max.rcu.percentage': '101' }).key).toBe('dynamodb.snapshot.max.rcu.percentage');
    expect(errorFor({ ...minimal, 'dynamodb.snapshot.max.rcu': '0' }).message).toContain('dynamodb.snapshot.max.rcu: expected a number > 0, got "0"');
  });
});

describe('parseSourceConfig: keys without effect and unknown keys', () => {
  it('accepts Kafka Connect, Confluent and trustpilot keys that do nothing here, with warnings', () => {
    const config = parse({
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'header.converter': 'x',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'x',
      predicates: 'p',
      'errors.tolerance': 'all',
      'config.action.reload': 'restart',
      'dynamodb.cdc.checkpointing.table.prefix': 'connect-KCL-',
      'dynamodb.cdc.table.billing.mode': 'PROVISIONED',
      'dynamodb.cdc.checkpointing.table.read.capacity': '50',
      'dynamodb.cdc.checkpointing.table.write.capacity': '50',
      'kcl.table.billing.mode': 'PROVISIONED',
      'init.sync.delay.period': '60',
    });
    expect(config.warnings).toHaveLength(14);
    expect(config.warnings).toContain('dynamodb.cdc.checkpointing.table.prefix is ignored: checkpoints are kept in Kafka (offset.storage.topic), not in a DynamoDB table');
    expect(config.warnings).toContain('transforms is ignored: single message transforms are not supported');
  });

  it('refuses an unknown key, suggesting the closest one', () => {
    expect(problemLines(errorFor({ ...minimal, 'dynamodb.tabel.includelist': 'users' }))).toEqual([
      'unknown key "dynamodb.tabel.includelist" (did you mean "dynamodb.table.includelist"?)',
    ]);
    expect(problemLines(errorFor({ ...minimal, 'snapshot.segments': '4' }))).toEqual(['unknown key "snapshot.segments" (did you mean "dynamodb.snapshot.segments"?)']);
    expect(problemLines(errorFor({ ...minimal, 'something.else.entirely': '4' }))).toEqual(['unknown key "something.else.entirely"']);
  });

  it('reports every problem at once, one per line', () => {
    const error = errorFor(
      {
        'connector.class': 'DynamoDbSource',
        'dynamodb.table.includelist': 'orders',
        'dynamodb.snapshot.segments': 'abc',
        'tombstones.on.delete': 'maybe',
        'dynamodb.tabel.includelist': 'users',
        'aws.access.key.id': 'AKIAEXAMPLE',
      },
      { env: {} },
    );
    expect(error.message.split('\n')).toEqual([
      'invalid configuration for connector "test-connector":',
      '  - unknown key "dynamodb.tabel.includelist" (did you mean "dynamodb.table.includelist"?)',
      '  - dynamodb.snapshot.segments: expected an integer from 1 to 1000000, got "abc"',
      '  - tombstones.on.delete: expected true or false, got "maybe"',
      '  - aws.region: required (or set the AWS_REGION environment variable)',
      '  - aws.secret.access.key: required with aws.access.key.id: set both or neither',
    ]);
    expect(error.key).toBeUndefined();
  });
});

describe('secrets', () => {
  const secrets = {
    'aws.access.key.id': 'AKIA-SECRET-MARKER-1',
    'aws.secret.key': 'SECRET-MARKER-2',
    'aws.secret.access.key': 'SECRET-MARKER-3',
    'aws.session.token': 'SECRET-MARKER-4',
    'kafka.api.key': 'SECRET-MARKER-5',
    'sasl.jaas.config': 'SECRET-MARKER-6 required username="u" password="SECRET-MARKER-7";',
    'ssl.key.password': 'SECRET-MARKER-8',
    'aws.sts.role.external.id': 'SECRET-MARKER-9',
  };

  it('never appear in error messages', () => {
    const error = errorFor({ ...secrets, 'connector.class': 'Nope', 'dynamodb.snapshot.segments': '0' }, { env: {} });
    expect(error.problems.length).toBeGreaterThanOrEqual(5);
    expect(error.message).not.toMatch(/SECRET-MARKER/);
    expect(error.message).toContain('aws.secret.key: is another name for aws.secret.access.key');
    expect(error.message).toContain('kafka.api.secret: required with kafka.api.key');
  });

  it('are hidden by describeSourceConfig', () => {
    const config = parse({
      'aws.access.key.id': 'AKIA-SECRET-MARKER-1',
      'aws.secret.access.key': 'SECRET-MARKER-3',
      'aws.session.token': 'SECRET-MARKER-4',
      'aws.sts.role.arn': 'arn:aws:iam::123456789012:role/r',
      'aws.sts.role.external.id': 'SECRET-MARKER-9',
      'kafka.api.key': 'SECRET-MARKER-5',
      'kafka.api.secret': 'SECRET-MARKER-10',
      'ssl.key.password': 'SECRET-MARKER-8',
    });
    const described = describeSourceConfig(config);
    expect(JSON.stringify(described)).not.toMatch(/SECRET-MARKER/);
    expect(described.aws.credentials).toEqual({ kind: 'static', accessKeyId: '[hidden]', secretAccessKey: '[hidden]', sessionToken: '[hidden]' });
    expect(described.kafka.properties).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': '[hidden]',
      'sasl.password': '[hidden]',
      'ssl.key.password': '[hidden]',
    });
    expect(described.aws.assumeRole).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/r', externalId: '[hidden]', sessionName: 'dynamodb-kafka' });
    expect(config.aws.credentials).toMatchObject({ accessKeyId: 'AKIA-SECRET-MARKER-1' }); // the original is untouched
  });
});

describe('connector files into parseSourceConfig', () => {
  it("reads Confluent's documented CLI example", () => {
    const file = parseConnectorJson(
      JSON.stringify({
        config: {
          'connector.class': 'DynamoDbCdcSource',
          name: 'DynamoDbCdcSourceConnector_0',
          'kafka.auth.mode': 'KAFKA_API_KEY',
          'kafka.api.key': '<my-kafka-api-key>',
          'kafka.api.secret': '<my-kafka-api-secret>',
          'schema.context.name': 'default',
          'aws.access.key.id': '<my-aws-access-key-id>',
          'aws.secret.access.key': '<my-aws-secret-access-key>',
          'output.data.format': 'JSON',
          'dynamodb.service.endpoint': 'http://localhost:8080',
          'dynamodb.table.discovery.mode': 'INCLUDELIST',
          'dynamodb.table.sync.mode': 'SNAPSHOT_CDC',
          'dynamodb.table.includelist': 't1, t2',
          'max.batch.size': '1000',
          'poll.linger.ms': '5000',
          'dynamodb.snapshot.max.poll.records': '1000',
          'dynamodb.cdc.checkpointing.table.prefix': 'connect-KCL-',
          'dynamodb.cdc.table.billing.mode': 'PROVISIONED',
          'dynamodb.cdc.max.poll.records': '5000',
          'tasks.max': '1',
        },
      }),
      'confluent.json',
    );
    const config = parseSourceConfig(file.name, file.config, { env });
    expect(config.name).toBe('DynamoDbCdcSourceConnector_0');
    expect(config.discovery).toEqual({ mode: 'INCLUDELIST', tables: ['t1', 't2'] });
    expect(config.kafka.properties['sasl.username']).toBe('<my-kafka-api-key>');
    expect(config.warnings).toHaveLength(4); // two checkpoint keys, poll.linger.ms, cdc.max.poll.records lowered
  });

  it("reads a trustpilot properties file, its empty values meaning unset", () => {
    const file = parseProperties(
      [
        'name=dynamodb-source',
        'connector.class=com.trustpilot.connector.dynamodb.DynamoDBSourceConnector',
        'tasks.max=2',
        'aws.region=eu-west-1',
        'aws.access.key.id=',
        'aws.secret.key=',
        'dynamodb.table.env.tag.key=environment',
        'dynamodb.table.env.tag.value=prod',
        'dynamodb.table.ingestion.tag.key=datalake-ingest',
        'kafka.topic.prefix=dynamodb-',
        'init.sync.delay.period=60',
        'connect.dynamodb.rediscovery.period=60000',
      ].join('\n'),
      'trustpilot.properties',
    );
    const config = parseSourceConfig(file.name, file.config, { env: {} });
    expect(config).toMatchObject({
      name: 'dynamodb-source',
      tasksMax: 2,
      discovery: { mode: 'TAG', filters: [{ key: 'datalake-ingest', values: [] }, { key: 'environment', values: ['prod'] }] },
      aws: { region: 'eu-west-1', credentials: { kind: 'default' } },
      topics: { prefix: 'dynamodb-' },
      output: { envelope: 'trustpilot' },
    });
    expect(config.warnings).toEqual([
      'init.sync.delay.period is ignored: the snapshot starts at once; its progress is committed with every batch, so a rebalance loses nothing',
    ]);
  });

  it('reads JSON numbers and booleans as values', () => {
    const file = parseConnectorJson(
      JSON.stringify({ name: 'n', config: { 'connector.class': 'DynamoDbSource', 'dynamodb.table.includelist': 'orders', 'tasks.max': 3, 'tombstones.on.delete': false, 'dynamodb.snapshot.max.rcu': 12.5 } }),
      'n.json',
    );
    expect(parseSourceConfig(file.name, file.config, { env })).toMatchObject({ tasksMax: 3, output: { tombstones: false }, snapshot: { maxRcu: 12.5 } });
  });
});
