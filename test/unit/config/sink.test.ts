import { describe, expect, it } from 'vitest';
import { parseConnectorJson, parseProperties } from '../../../src/config/connector-file.js';
import { ConfigError } from '../../../src/config/errors.js';
import {
  describeSinkConfig,
  isSinkConnectorClass,
  isSourceConnectorClass,
  parseSinkConfig,
  tableFor,
  type SinkConfig,
} from '../../../src/config/sink.js';
import { parseKeyReference, type KeyReference } from '../../../src/domain/key-reference.js';

/** The parsed form config keeps of a key reference. */
const reference = (text: string) => parseKeyReference(text) as KeyReference;

const env = { AWS_REGION: 'eu-west-1' };
const minimal = { 'connector.class': 'DynamoDbSink', topics: 'orders' };

function parse(extra: Record<string, string>, options: { env?: Record<string, string> } = {}): SinkConfig {
  return parseSinkConfig('test-sink', { ...minimal, ...extra }, { env: options.env ?? env });
}

/** The ConfigError thrown for `raw` (fails the test when nothing is thrown). */
function errorFor(raw: Record<string, string>, options: { env?: Record<string, string>; name?: string } = {}): ConfigError {
  try {
    parseSinkConfig(options.name ?? 'test-sink', raw, { env: options.env ?? env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const problemLines = (error: ConfigError): string[] => error.problems.map((problem) => problem.message);
const problemsFor = (extra: Record<string, string>): string[] => problemLines(errorFor({ ...minimal, ...extra }));

describe('parseSinkConfig: defaults', () => {
  it('fills every default from a minimal config', () => {
    expect(parse({})).toEqual({
      name: 'test-sink',
      connectorClass: 'DynamoDbSink',
      tasksMax: 1,
      topics: { names: ['orders'] },
      kafka: { bootstrapServers: undefined, properties: {}, consumerProperties: {}, groupId: 'connect-test-sink' },
      keys: { hash: reference('partition'), sort: reference('offset') },
      tableNameFormat: '${topic}',
      aws: { region: 'eu-west-1', endpoint: undefined, credentials: { kind: 'default' }, assumeRole: undefined },
      tableCreation: { enabled: true, billing: { mode: 'PAY_PER_REQUEST' } },
      inputFormat: 'JSON',
      keyFormat: 'JSON',
      nullValues: 'delete',
      batchSize: 25,
      retry: { maxRetryTimeMs: 60_000, retryBackoffMs: 100 },
      errors: { tolerance: 'none', deadLetterReplicationFactor: -1, contextHeaders: false },
      warnings: [],
    });
  });

  it('reads every setting when given', () => {
    const config = parse({
      'tasks.max': '3',
      topics: 'orders, users,orders',
      'bootstrap.servers': 'broker:9092',
      'client.id': 'sink',
      'consumer.override.auto.offset.reset': 'latest',
      'consumer.override.group.id': 'my-group',
      'aws.dynamodb.pk.hash': 'value.order.id:orderId',
      'aws.dynamodb.pk.sort': 'key',
      'table.name.format': 'kafka-${topic}-v1',
      'aws.dynamodb.region': 'us-east-2',
      'aws.dynamodb.endpoint': 'http://localhost:8000',
      'aws.access.key.id': 'AKIAEXAMPLE',
      'aws.secret.access.key': 'secret',
      'aws.dynamodb.table.create': 'false',
      'input.data.format': 'string',
      'behavior.on.null.values': 'IGNORE',
      'batch.size': '10',
      'max.retry.time.ms': '0',
      'retry.backoff.ms': '250',
      'errors.tolerance': 'ALL',
      'errors.deadletterqueue.topic.name': 'orders-dlq',
      'errors.deadletterqueue.topic.replication.factor': '3',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    expect(config).toMatchObject({
      tasksMax: 3,
      topics: { names: ['orders', 'users'] },
      kafka: { bootstrapServers: 'broker:9092', properties: { 'client.id': 'sink' }, consumerProperties: { 'auto.offset.reset': 'latest' }, groupId: 'my-group' },
      keys: { hash: reference('value.order.id:orderId'), sort: reference('key') },
      tableNameFormat: 'kafka-${topic}-v1',
      aws: { region: 'us-east-2', endpoint: 'http://localhost:8000', credentials: { kind: 'static', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } },
      tableCreation: { enabled: false, billing: { mode: 'PAY_PER_REQUEST' } },
      inputFormat: 'STRING',
      nullValues: 'ignore',
      batchSize: 10,
      retry: { maxRetryTimeMs: 0, retryBackoffMs: 250 },
      errors: { tolerance: 'all', deadLetterTopic: 'orders-dlq', deadLetterReplicationFactor: 3, contextHeaders: true },
      warnings: [],
    });
    expect(tableFor(config, 'orders')).toBe('kafka-orders-v1');
  });

  it('takes the region from AWS_DEFAULT_REGION, and requires one', () => {
    expect(parse({}, { env: { AWS_DEFAULT_REGION: 'ap-south-1' } }).aws.region).toBe('ap-south-1');
    expect(problemLines(errorFor(minimal, { env: {} }))).toEqual(['aws.dynamodb.region: required (or set the AWS_REGION environment variable)']);
  });

  it('lists every problem in one error, under the connector name', () => {
    const error = errorFor({ topics: 'orders', 'batch.size': '26', 'behavior.on.null.values': 'drop' }, { env: {} });
    expect(error.message.split('\n')[0]).toBe('invalid configuration for connector "test-sink":');
    expect(problemLines(error)).toEqual([
      'batch.size: expected an integer from 1 to 25, got "26"',
      'behavior.on.null.values: expected one of delete, ignore, fail, got "drop"',
      'connector.class: required: one of DynamoDbSink, io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector, DynamoDbSinkConnector',
      'aws.dynamodb.region: required (or set the AWS_REGION environment variable)',
    ]);
  });

  it('requires a name and warns when the name key differs', () => {
    expect(problemLines(errorFor(minimal, { name: ' ' }))).toEqual(['name: required: the connector needs a name']);
    expect(parse({ name: 'other' }).warnings).toEqual(['name "other" in the config is ignored: the connector is named "test-sink"']);
  });
});

describe("parseSinkConfig: Confluent's quick start", () => {
  // From Confluent's DynamoDB Sink quick start, with <region> filled in as it instructs.
  const quickStart = `name=dynamodb-sink
connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector
tasks.max=1
topics=dynamodb_topic

# use the region to populate the next two properties
aws.dynamodb.region=us-east-2
aws.dynamodb.endpoint=https://dynamodb.us-east-2.amazonaws.com

confluent.topic.bootstrap.servers=localhost:9092
confluent.topic.replication.factor=1
`;
  const expected = {
    name: 'dynamodb-sink',
    connectorClass: 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector',
    tasksMax: 1,
    topics: { names: ['dynamodb_topic'] },
    kafka: { bootstrapServers: undefined, groupId: 'connect-dynamodb-sink' },
    keys: { hash: reference('partition'), sort: reference('offset') },
    aws: { region: 'us-east-2', endpoint: 'https://dynamodb.us-east-2.amazonaws.com', credentials: { kind: 'default' } },
    warnings: [
      'confluent.topic.bootstrap.servers is ignored: no Confluent license (nor its license topic) is needed',
      'confluent.topic.replication.factor is ignored: no Confluent license (nor its license topic) is needed',
    ],
  };

  it('parses the .properties file unchanged, into the table named after the topic', () => {
    const file = parseProperties(quickStart, 'quickstart-dynamodb.properties');
    const config = parseSinkConfig(file.name, file.config, { env: {} });
    expect(config).toMatchObject(expected);
    expect(tableFor(config, 'dynamodb_topic')).toBe('dynamodb_topic');
  });

  it('parses the REST payload the CLI prints', () => {
    const file = parseConnectorJson(
      JSON.stringify({
        name: 'dynamodb-sink',
        config: {
          'connector.class': 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector',
          'tasks.max': '1',
          topics: 'dynamodb_topic',
          'aws.dynamodb.region': 'us-east-2',
          'aws.dynamodb.endpoint': 'https://dynamodb.us-east-2.amazonaws.com',
          'confluent.topic.bootstrap.servers': 'localhost:9092',
          'confluent.topic.replication.factor': '1',
          name: 'dynamodb-sink',
        },
      }),
      'dynamodb-sink.json',
    );
    expect(parseSinkConfig(file.name, file.config, { env: {} })).toMatchObject(expected);
  });

  it("reads the pk.hash / pk.sort cases of Confluent's page", () => {
    expect(parse({ 'aws.dynamodb.pk.hash': 'value.orderid', 'aws.dynamodb.pk.sort': '' }).keys).toEqual({ hash: reference('value.orderid') });
    expect(parse({ 'aws.dynamodb.pk.hash': 'value.orderid', 'aws.dynamodb.pk.sort': 'value.ordertime' }).keys).toEqual({
      hash: reference('value.orderid'),
      sort: reference('value.ordertime'),
    });
    expect(parse({ 'aws.dynamodb.pk.sort': 'value.campaignUUId:myCampaignUUId' }).keys.sort?.text).toBe('value.campaignUUId:myCampaignUUId');
  });
});

describe('parseSinkConfig: connector classes', () => {
  it.each(['DynamoDbSink', 'DynamoDbSinkConnector', 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector'])('accepts %s', (connectorClass) => {
    expect(isSinkConnectorClass(connectorClass)).toBe(true);
    expect(isSourceConnectorClass(connectorClass)).toBe(false);
    expect(parse({ 'connector.class': connectorClass }).connectorClass).toBe(connectorClass);
  });

  it('tells sink from source classes', () => {
    for (const source of ['DynamoDbSource', 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector', 'DynamoDBSourceConnector']) {
      expect(isSourceConnectorClass(source)).toBe(true);
      expect(isSinkConnectorClass(source)).toBe(false);
    }
    expect(isSourceConnectorClass('constructor')).toBe(false);
    expect(isSinkConnectorClass('')).toBe(false);
  });

  it('rejects a source class with a hint', () => {
    expect(problemsFor({ 'connector.class': 'DynamoDbSource' })).toEqual([
      'connector.class: expected one of DynamoDbSink, io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector, DynamoDbSinkConnector (that is a source connector class), got "DynamoDbSource"',
    ]);
  });
});

describe('parseSinkConfig: topics', () => {
  it('reads topics.regex', () => {
    expect(parseSinkConfig('s', { 'connector.class': 'DynamoDbSink', 'topics.regex': 'orders-.*' }, { env }).topics).toEqual({ regex: 'orders-.*' });
  });

  it('takes exactly one of topics and topics.regex', () => {
    expect(problemsFor({ 'topics.regex': 'orders-.*' })).toEqual(['topics.regex: set either topics or topics.regex, not both']);
    expect(problemLines(errorFor({ 'connector.class': 'DynamoDbSink' }))).toEqual([
      'topics: required: the topics to write to DynamoDB, comma-separated (or topics.regex)',
    ]);
    expect(problemLines(errorFor({ 'connector.class': 'DynamoDbSink', topics: '' }))).toEqual([
      'topics: required: the topics to write to DynamoDB, comma-separated (or topics.regex)',
    ]);
  });

  it('reports a regex that does not compile, once', () => {
    const lines = problemLines(errorFor({ 'connector.class': 'DynamoDbSink', 'topics.regex': 'orders-(' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^topics\.regex: expected a regular expression \(.+\), got "orders-\("$/);
  });

  it('rejects empty lists and bad topic names', () => {
    expect(problemsFor({ topics: ' , ' })).toEqual(['topics: lists no topic: name the topics to write to DynamoDB, comma-separated']);
    expect(problemsFor({ topics: 'orders,bad topic' })).toEqual([
      'topics: expected Kafka topic names (letters, digits, ".", "_", "-"; at most 249), got "bad topic"',
    ]);
  });
});

describe('parseSinkConfig: key references', () => {
  it.each(['partition', 'offset', 'key', 'value', 'key.id', 'value.a.b.c', 'partition:p', 'value.id:orderId', 'key: kafkaKey'])('accepts %s', (reference) => {
    expect(parse({ 'aws.dynamodb.pk.hash': reference, 'aws.dynamodb.pk.sort': '' }).keys.hash.text).toBe(reference.trim());
  });

  it.each([
    ['topic', 'expected partition, offset, key, key.<field>, value or value.<field> (nested fields as a.b.c), optionally followed by :<alias>'],
    ['values.id', 'expected partition, offset, key, key.<field>, value or value.<field> (nested fields as a.b.c), optionally followed by :<alias>'],
    ['value.', 'the field path has an empty segment: expected value.<field>[.<field>…]'],
    ['key..id', 'the field path has an empty segment: expected key.<field>[.<field>…]'],
    ['value.id:', 'the alias after ":" is empty'],
    [`value.id:${'a'.repeat(256)}`, "the attribute name is longer than DynamoDB's 255 bytes for a key attribute; give a shorter :<alias>"],
  ])('rejects %s, naming the key', (reference, expected) => {
    const shown = reference.length > 120 ? `${reference.slice(0, 120)}…` : reference;
    expect(problemsFor({ 'aws.dynamodb.pk.hash': reference })).toEqual([`aws.dynamodb.pk.hash: ${expected}, got ${JSON.stringify(shown)}`]);
    expect(problemsFor({ 'aws.dynamodb.pk.sort': reference })).toEqual([`aws.dynamodb.pk.sort: ${expected}, got ${JSON.stringify(shown)}`]);
  });

  it('defaults an empty hash, and reads an empty sort as "no sort key"', () => {
    expect(parse({ 'aws.dynamodb.pk.hash': ' ', 'aws.dynamodb.pk.sort': ' ' }).keys).toEqual({ hash: reference('partition') });
  });

  it('rejects a hash and a sort naming the same attribute', () => {
    const message =
      'aws.dynamodb.pk.sort: names the same attribute "id" as aws.dynamodb.pk.hash=value.id: give one of them an :<alias>, or set aws.dynamodb.pk.sort= (empty) for no sort key';
    expect(problemsFor({ 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': 'key.id' })).toEqual([message]);
    expect(parse({ 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': 'key.id:keyId' }).keys.sort?.text).toBe('key.id:keyId');
    expect(problemsFor({ 'aws.dynamodb.pk.hash': 'offset' })[0]).toMatch(/^aws\.dynamodb\.pk\.sort: names the same attribute "offset"/);
  });
});

describe('parseSinkConfig: table.name.format', () => {
  it('substitutes every ${topic}', () => {
    expect(tableFor(parse({ 'table.name.format': '${topic}.${topic}_copy' }), 'orders')).toBe('orders.orders_copy');
    expect(tableFor(parse({ 'table.name.format': 'all-events' }), 'orders')).toBe('all-events');
  });

  it('rejects characters DynamoDB does not allow and other placeholders', () => {
    expect(problemsFor({ 'table.name.format': 'kafka/${topic}' })).toEqual([
      'table.name.format: expected ${topic} and letters, digits, "_", "-" or "." (the characters DynamoDB allows in table names), got "kafka/${topic}"',
    ]);
    expect(problemsFor({ 'table.name.format': '${topic}-${partition}' })).toEqual([
      'table.name.format: expected text around ${topic} (the only placeholder), found ${partition}, got "${topic}-${partition}"',
    ]);
  });

  it('checks lengths: a fixed name, the text, and the listed topics', () => {
    expect(problemsFor({ 'table.name.format': 'ab' })).toEqual([
      'table.name.format: expected a table name of 3 to 255 characters (or a format with ${topic}), got "ab"',
    ]);
    expect(problemsFor({ 'table.name.format': `${'t'.repeat(255)}\${topic}` })[0]).toMatch(
      /^table\.name\.format: expected a table name of at most 255 characters once \$\{topic\} is filled in/,
    );
    expect(problemsFor({ topics: 't1,orders' })).toEqual([
      'table.name.format: gives the table name "t1" for topic "t1", but DynamoDB table names have 3 to 255 characters',
    ]);
    expect(parse({ topics: 't1', 'table.name.format': 'kafka_${topic}' }).tableNameFormat).toBe('kafka_${topic}');
  });
});

describe('parseSinkConfig: AWS and its aliases', () => {
  it('reads aws.region and dynamodb.service.endpoint as aliases', () => {
    expect(parse({ 'aws.region': 'us-west-2', 'dynamodb.service.endpoint': 'http://localhost:8000' }).aws).toMatchObject({
      region: 'us-west-2',
      endpoint: 'http://localhost:8000',
    });
    expect(parse({ 'aws.region': 'us-west-2', 'aws.dynamodb.region': 'us-west-2' }).aws.region).toBe('us-west-2');
  });

  it('rejects an alias set to a different value', () => {
    expect(problemsFor({ 'aws.region': 'us-west-2', 'aws.dynamodb.region': 'us-east-1' })).toEqual([
      'aws.region: is another name for aws.dynamodb.region, and the two are set to different values: keep one',
    ]);
    expect(problemsFor({ 'aws.dynamodb.endpoint': 'http://a:1', 'dynamodb.service.endpoint': 'http://b:1' })).toEqual([
      'dynamodb.service.endpoint: is another name for aws.dynamodb.endpoint, and the two are set to different values: keep one',
    ]);
  });

  it('rejects an endpoint that is not a URL', () => {
    expect(problemsFor({ 'aws.dynamodb.endpoint': 'localhost:8000' })).toEqual([
      'aws.dynamodb.endpoint: expected an http:// or https:// URL, got "localhost:8000"',
    ]);
  });

  it('takes static credentials as both keys or neither', () => {
    expect(parse({ 'aws.access.key.id': 'AKIA', 'aws.secret.access.key': 's', 'aws.session.token': 't' }).aws.credentials).toEqual({
      kind: 'static',
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
      sessionToken: 't',
    });
    expect(problemsFor({ 'aws.access.key.id': 'AKIA' })).toEqual(['aws.secret.access.key: required with aws.access.key.id: set both or neither']);
    expect(problemsFor({ 'aws.secret.access.key': 's' })).toEqual(['aws.access.key.id: required with aws.secret.access.key: set both or neither']);
  });

  it('assumes a role with our keys', () => {
    expect(
      parse({ 'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/sink', 'aws.sts.role.external.id': 'ext', 'aws.sts.role.session.name': 'sess' }).aws
        .assumeRole,
    ).toEqual({ roleArn: 'arn:aws:iam::012345678901:role/sink', externalId: 'ext', sessionName: 'sess' });
    expect(parse({ 'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/sink' }).aws.assumeRole).toEqual({
      roleArn: 'arn:aws:iam::012345678901:role/sink',
      sessionName: 'dynamodb-kafka',
    });
  });

  it("assumes a role with Confluent's credentials provider keys", () => {
    const config = parse({
      'aws.dynamodb.credentials.provider.class': 'io.confluent.connect.aws.dynamodb.auth.AwsAssumeRoleCredentialsProvider',
      'aws.dynamodb.credentials.provider.sts.role.arn': 'arn:aws:iam::012345678901:role/my-restricted-role',
      'aws.dynamodb.credentials.provider.sts.role.session.name': 'session-name',
      'aws.dynamodb.credentials.provider.sts.role.external.id': 'external-id',
    });
    expect(config.aws.assumeRole).toEqual({ roleArn: 'arn:aws:iam::012345678901:role/my-restricted-role', externalId: 'external-id', sessionName: 'session-name' });
    expect(config.aws.credentials).toEqual({ kind: 'default' });
    expect(config.warnings).toEqual([]);
  });

  it('reads the default chain provider classes, and refuses other classes', () => {
    expect(parse({ 'aws.dynamodb.credentials.provider.class': 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain' }).aws.credentials).toEqual({
      kind: 'default',
    });
    expect(parse({ 'aws.dynamodb.credentials.provider.class': 'com.amazon.auth.DefaultAWSCredentialsProviderChain' }).aws.assumeRole).toBeUndefined();
    expect(problemsFor({ 'aws.dynamodb.credentials.provider.class': 'com.example.MyProvider' })[0]).toMatch(
      /^aws\.dynamodb\.credentials\.provider\.class: expected .*Java credential provider classes cannot be loaded.*, got "com\.example\.MyProvider"$/,
    );
  });

  it('checks the provider class against the role', () => {
    expect(problemsFor({ 'aws.dynamodb.credentials.provider.class': 'io.confluent.connect.aws.dynamodb.auth.AwsAssumeRoleCredentialsProvider' })).toEqual([
      'aws.dynamodb.credentials.provider.sts.role.arn: required with aws.dynamodb.credentials.provider.class=…AwsAssumeRoleCredentialsProvider',
    ]);
    expect(
      problemsFor({
        'aws.dynamodb.credentials.provider.class': 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain',
        'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/sink',
      }),
    ).toEqual(['aws.dynamodb.credentials.provider.class: is the default chain, which assumes no role, but aws.sts.role.arn is set: remove one of them']);
  });

  it('rejects role aliases set to different values, and warns about role settings without a role', () => {
    expect(
      problemsFor({
        'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/a',
        'aws.dynamodb.credentials.provider.sts.role.arn': 'arn:aws:iam::012345678901:role/b',
      }),
    ).toEqual([
      'aws.dynamodb.credentials.provider.sts.role.arn: is another name for aws.sts.role.arn, and the two are set to different values: keep one',
    ]);
    expect(parse({ 'aws.dynamodb.credentials.provider.sts.role.session.name': 'sess' }).warnings).toEqual([
      'aws.dynamodb.credentials.provider.sts.role.session.name ignored: no role to assume (aws.sts.role.arn is unset)',
    ]);
  });
});

describe('parseSinkConfig: table creation, formats, writes', () => {
  it('creates PROVISIONED tables with 5/5 units unless told', () => {
    expect(parse({ 'aws.dynamodb.billing.mode': 'provisioned' }).tableCreation).toEqual({
      enabled: true,
      billing: { mode: 'PROVISIONED', readCapacity: 5, writeCapacity: 5 },
    });
    expect(
      parse({ 'aws.dynamodb.billing.mode': 'PROVISIONED', 'aws.dynamodb.read.capacity.units': '10', 'aws.dynamodb.write.capacity.units': '20' })
        .tableCreation,
    ).toEqual({ enabled: true, billing: { mode: 'PROVISIONED', readCapacity: 10, writeCapacity: 20 } });
    expect(problemsFor({ 'aws.dynamodb.write.capacity.units': '0' })).toEqual(['aws.dynamodb.write.capacity.units: expected an integer ≥ 1, got "0"']);
  });

  it('warns about capacity settings that do not apply', () => {
    expect(parse({ 'aws.dynamodb.read.capacity.units': '10' }).warnings).toEqual([
      'aws.dynamodb.read.capacity.units ignored: aws.dynamodb.billing.mode is PAY_PER_REQUEST',
    ]);
    expect(parse({ 'aws.dynamodb.table.create': 'false', 'aws.dynamodb.billing.mode': 'PROVISIONED' }).warnings).toEqual([
      'aws.dynamodb.billing.mode ignored: aws.dynamodb.table.create is false (the tables must exist)',
    ]);
  });

  it('reads input.data.format in any case and refuses formats it does not know', () => {
    expect(parse({ 'input.data.format': 'bytes' }).inputFormat).toBe('BYTES');
    expect(parse({ 'input.data.format': 'Json' }).inputFormat).toBe('JSON');
    expect(problemsFor({ 'input.data.format': 'XML' })).toEqual(['input.data.format: expected one of JSON, STRING, BYTES, AVRO, JSON_SR, PROTOBUF, got "XML"']);
  });

  it('reads PROTOBUF through the Schema Registry, values or keys', () => {
    expect(parse({ 'input.data.format': 'protobuf', 'schema.registry.url': 'http://r:8081' })).toMatchObject({ inputFormat: 'PROTOBUF', keyFormat: 'PROTOBUF' });
    expect(problemsFor({ 'input.key.format': 'PROTOBUF' })).toEqual([
      "schema.registry.url: required: input.key.format=PROTOBUF reads each record's schema from a Schema Registry",
    ]);
  });

  it('reads JSON_SR through the Schema Registry, values or keys', () => {
    expect(parse({ 'input.data.format': 'json_sr', 'schema.registry.url': 'http://r:8081' })).toMatchObject({ inputFormat: 'JSON_SR', keyFormat: 'JSON_SR' });
    expect(parse({ 'input.key.format': 'JSON_SR', 'schema.registry.url': 'http://r:8081' })).toMatchObject({ inputFormat: 'JSON', keyFormat: 'JSON_SR' });
    expect(problemsFor({ 'input.key.format': 'JSON_SR' })).toEqual([
      "schema.registry.url: required: input.key.format=JSON_SR reads each record's schema from a Schema Registry",
    ]);
  });

  it('reads AVRO through the Schema Registry, keys as the values unless input.key.format says otherwise', () => {
    const config = parse({ 'input.data.format': 'avro', 'schema.registry.url': 'http://registry:8081', 'schema.registry.basic.auth.user.info': 'me:secret' });
    expect(config).toMatchObject({ inputFormat: 'AVRO', keyFormat: 'AVRO' });
    expect(config.registry).toMatchObject({ url: 'http://registry:8081', basicAuth: { source: 'USER_INFO', userInfo: 'me:secret' } });
    expect(JSON.stringify(describeSinkConfig(config))).not.toContain('secret');
    expect(parse({ 'input.data.format': 'AVRO', 'input.key.format': 'STRING', 'schema.registry.url': 'http://r:8081' }).keyFormat).toBe('STRING');
    expect(parse({ 'input.key.format': 'AVRO', 'schema.registry.url': 'http://r:8081' })).toMatchObject({ inputFormat: 'JSON', keyFormat: 'AVRO' });
    expect(problemsFor({ 'input.data.format': 'AVRO' })).toEqual([
      "schema.registry.url: required: input.data.format=AVRO reads each record's schema from a Schema Registry",
    ]);
    expect(problemsFor({ 'input.key.format': 'AVRO' })).toEqual([
      "schema.registry.url: required: input.key.format=AVRO reads each record's schema from a Schema Registry",
    ]);
  });

  it('warns about converters, transforms and other Kafka Connect keys', () => {
    expect(
      parse({
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'header.converter': 'x',
        transforms: 'a',
        'transforms.a.type': 'x',
        'config.action.reload': 'restart',
        'errors.retry.timeout': '0',
      }).warnings,
    ).toEqual([
      'key.converter is ignored: records are decoded as input.data.format and input.key.format say (JSON, STRING, BYTES, AVRO, JSON_SR, PROTOBUF), not by a converter',
      'value.converter is ignored: records are decoded as input.data.format and input.key.format say (JSON, STRING, BYTES, AVRO, JSON_SR, PROTOBUF), not by a converter',
      'value.converter.schemas.enable is ignored: records are decoded as input.data.format and input.key.format say (JSON, STRING, BYTES, AVRO, JSON_SR, PROTOBUF), not by a converter',
      'header.converter is ignored: record headers are not written to DynamoDB',
      'transforms is ignored: single message transforms are not supported',
      'transforms.a.type is ignored: single message transforms are not supported',
      'config.action.reload is ignored: a Kafka Connect worker setting',
      "errors.retry.timeout is ignored: of Kafka Connect's errors.* settings only errors.tolerance and errors.deadletterqueue.* apply; writes are retried for max.retry.time.ms",
    ]);
  });

  it('bounds batch.size and the retry settings', () => {
    expect(problemsFor({ 'batch.size': '0', 'retry.backoff.ms': '-1', 'max.retry.time.ms': 'soon' })).toEqual([
      'batch.size: expected an integer from 1 to 25, got "0"',
      'retry.backoff.ms: expected an integer ≥ 0, got "-1"',
      'max.retry.time.ms: expected an integer ≥ 0, got "soon"',
    ]);
  });

  it("reads Confluent's aws.dynamodb.max.retry.time.seconds", () => {
    expect(parse({ 'aws.dynamodb.max.retry.time.seconds': '5' }).retry.maxRetryTimeMs).toBe(5000);
    expect(parse({ 'aws.dynamodb.max.retry.time.seconds': '5', 'max.retry.time.ms': '5000' }).retry.maxRetryTimeMs).toBe(5000);
    expect(problemsFor({ 'aws.dynamodb.max.retry.time.seconds': '5', 'max.retry.time.ms': '100' })).toEqual([
      'aws.dynamodb.max.retry.time.seconds: is max.retry.time.ms in seconds, and the two are set to different values: keep one',
    ]);
  });
});

describe('parseSinkConfig: errors and the dead-letter topic', () => {
  it('requires a dead-letter topic with errors.tolerance=all', () => {
    expect(problemsFor({ 'errors.tolerance': 'all' })).toEqual([
      'errors.deadletterqueue.topic.name: required with errors.tolerance=all: records that cannot be written are sent there (they are never dropped without a copy)',
    ]);
    expect(problemsFor({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'bad topic' })).toEqual([
      'errors.deadletterqueue.topic.name: expected a Kafka topic name (letters, digits, ".", "_", "-"; at most 249), got "bad topic"',
    ]);
    expect(problemsFor({ 'errors.tolerance': 'some' })).toEqual(['errors.tolerance: expected one of none, all, got "some"']);
  });

  it('refuses a dead-letter topic the connector reads', () => {
    expect(problemsFor({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'orders' })).toEqual([
      'errors.deadletterqueue.topic.name: "orders" is also a topic this connector reads: dead letters would be read back',
    ]);
    const regex = { 'connector.class': 'DynamoDbSink', 'topics.regex': 'orders.*', 'errors.tolerance': 'all' };
    expect(problemLines(errorFor({ ...regex, 'errors.deadletterqueue.topic.name': 'orders-dlq' }))).toHaveLength(1);
    expect(parseSinkConfig('s', { ...regex, 'errors.deadletterqueue.topic.name': 'dlq-orders' }, { env }).errors.deadLetterTopic).toBe('dlq-orders');
  });

  it('warns about dead-letter settings with errors.tolerance=none, and leaves the topic out', () => {
    const config = parse({ 'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true' });
    expect(config.errors).toEqual({ tolerance: 'none', deadLetterReplicationFactor: -1, contextHeaders: true });
    expect(config.warnings).toEqual([
      'errors.deadletterqueue.topic.name, errors.deadletterqueue.context.headers.enable ignored: errors.tolerance is none (a record that cannot be written stops the task)',
    ]);
  });

  it('accepts the errors.log.* keys, with a warning when they ask for logging', () => {
    expect(parse({ 'errors.log.enable': 'false', 'errors.log.include.messages': 'false' }).warnings).toEqual([]);
    expect(parse({ 'errors.log.enable': 'true', 'errors.log.include.messages': 'true' }).warnings).toEqual([
      'errors.log.enable, errors.log.include.messages ignored: failed records are not logged one by one; they stop the task (errors.tolerance=none) or go to the dead-letter topic, with the error in its headers when errors.deadletterqueue.context.headers.enable=true',
    ]);
    expect(problemsFor({ 'errors.log.enable': 'yes' })).toEqual(['errors.log.enable: expected true or false, got "yes"']);
  });
});

describe('parseSinkConfig: Kafka client and consumer settings', () => {
  it('translates Confluent Cloud API keys and JAAS as the source does', () => {
    expect(parse({ 'kafka.api.key': 'KEY', 'kafka.api.secret': 'SECRET' }).kafka.properties).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'KEY',
      'sasl.password': 'SECRET',
    });
    expect(
      parse({ 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";' }).kafka.properties,
    ).toEqual({ 'sasl.username': 'u', 'sasl.password': 'p', 'sasl.mechanisms': 'PLAIN' });
    expect(problemsFor({ 'security.protocol': 'TLS' })).toEqual(['security.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"']);
  });

  it('passes consumer.override.* to the consumer without the prefix', () => {
    const config = parse({
      'consumer.override.fetch.min.bytes': '1024',
      'consumer.override.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="c" password="cp";',
      'consumer.override.max.poll.records': '100',
    });
    expect(config.kafka.consumerProperties).toEqual({ 'fetch.min.bytes': '1024', 'sasl.username': 'c', 'sasl.password': 'cp', 'sasl.mechanisms': 'PLAIN' });
    expect(config.kafka.groupId).toBe('connect-test-sink');
    expect(config.warnings).toEqual([
      'consumer.override.max.poll.records is ignored: a Java consumer setting; each task reads rounds of up to 4000 records',
    ]);
  });

  it('refuses overrides of the offset commits, and names overridden keys in problems', () => {
    expect(problemsFor({ 'consumer.override.enable.auto.commit': 'true', 'consumer.override.security.protocol': 'TLS' })).toEqual([
      'consumer.override.enable.auto.commit: cannot be overridden: the connector commits offsets itself, after each batch is written',
      'consumer.override.security.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"',
    ]);
  });
});

describe('parseSinkConfig: secrets', () => {
  const secrets = {
    'aws.secret.access.key': 'TOPSECRET-AWS',
    'aws.dynamodb.credentials.provider.sts.role.external.id': 'TOPSECRET-EXT',
    'aws.sts.role.external.id': 'TOPSECRET-OTHER-EXT',
    'kafka.api.secret': 'TOPSECRET-KAFKA',
    'sasl.jaas.config': 'org.example.UnknownLoginModule required password="TOPSECRET-JAAS";',
    'consumer.override.sasl.jaas.config': 'broken TOPSECRET-CONSUMER-JAAS',
    'consumer.override.ssl.key.password': 'TOPSECRET-SSL',
  };

  it('never shows a secret in an error', () => {
    const error = errorFor({ ...minimal, ...secrets, 'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/sink' });
    expect(error.problems.length).toBeGreaterThanOrEqual(5);
    expect(error.message).not.toMatch(/TOPSECRET/);
    expect(error.message).toContain('aws.access.key.id: required with aws.secret.access.key: set both or neither');
    expect(error.message).toContain('consumer.override.sasl.jaas.config:');
  });

  it('hides secrets in describeSinkConfig', () => {
    const config = parse({
      'aws.access.key.id': 'AKIA-SECRET',
      'aws.secret.access.key': 'TOPSECRET-AWS',
      'aws.sts.role.arn': 'arn:aws:iam::012345678901:role/sink',
      'aws.dynamodb.credentials.provider.sts.role.external.id': 'TOPSECRET-EXT',
      'kafka.api.key': 'KEY-SECRET',
      'kafka.api.secret': 'TOPSECRET-KAFKA',
      'consumer.override.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="TOPSECRET-C";',
    });
    const described = describeSinkConfig(config);
    expect(JSON.stringify(described)).not.toMatch(/SECRET/);
    expect(described.aws.credentials).toEqual({ kind: 'static', accessKeyId: '[hidden]', secretAccessKey: '[hidden]' });
    expect(described.aws.assumeRole?.externalId).toBe('[hidden]');
    expect(described.kafka.consumerProperties['sasl.password']).toBe('[hidden]');
    expect(config.kafka.properties['sasl.password']).toBe('TOPSECRET-KAFKA');
  });
});

describe('parseSinkConfig: unknown keys', () => {
  it('rejects unknown keys with a suggestion', () => {
    expect(problemsFor({ 'aws.dynamodb.pk.hsah': 'value.id' })).toEqual(['unknown key "aws.dynamodb.pk.hsah" (did you mean "aws.dynamodb.pk.hash"?)']);
    expect(problemsFor({ 'table.name.fromat': '${topic}' })).toEqual(['unknown key "table.name.fromat" (did you mean "table.name.format"?)']);
    expect(problemsFor({ 'billing.mode': 'PROVISIONED' })).toEqual(['unknown key "billing.mode" (did you mean "aws.dynamodb.billing.mode"?)']);
    expect(problemsFor({ 'topic.regex': 'x' })).toEqual(['unknown key "topic.regex" (did you mean "topics.regex"?)']);
    expect(problemsFor({ 'something.else.entirely': '1' })).toEqual(['unknown key "something.else.entirely"']);
  });

  it('rejects source-only keys', () => {
    expect(problemsFor({ 'dynamodb.table.includelist': 'orders' })).toEqual(['unknown key "dynamodb.table.includelist"']);
  });
});
