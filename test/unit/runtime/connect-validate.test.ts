import { describe, expect, it } from 'vitest';
import { validateConnectorConfig } from '../../../src/runtime/connect-validate.js';

const env = {};
const source = {
  'connector.class': 'DynamoDbSource',
  name: 'orders-source',
  'dynamodb.table.includelist': 'orders',
  'aws.region': 'eu-west-1',
  'aws.access.key.id': 'AKIAEXAMPLE',
  'aws.secret.access.key': 'notToBeSeen/secret',
};

describe('validate a connector config for a plugin', () => {
  it('answers error_count 0 for a config that run would accept', () => {
    const outcome = validateConnectorConfig('DynamoDbSource', source, env);
    expect(outcome).toMatchObject({ status: 200, body: { name: 'DynamoDbSource', error_count: 0 } });
    expect(JSON.stringify(outcome)).not.toContain('notToBeSeen');
  });

  it('puts a misspelled key and a bad value on their keys (numbers and booleans read as text, as Connect does)', () => {
    const outcome = validateConnectorConfig('DynamoDbSource', { ...source, 'dynamodb.snapshot.segmnts': 4, 'tombstones.on.delete': 'maybe', 'tasks.max': 2 }, env);
    if (outcome.status !== 200) throw new Error(`unexpected ${outcome.status}`);
    const errors = Object.fromEntries(outcome.body.configs.filter((entry) => entry.value.errors.length > 0).map((entry) => [entry.value.name, entry.value.errors]));
    expect(errors).toEqual({
      'tombstones.on.delete': ['tombstones.on.delete: expected true or false, got "maybe"'],
      'dynamodb.snapshot.segmnts': ['unknown key "dynamodb.snapshot.segmnts" (did you mean "dynamodb.snapshot.segments"?)'],
    });
    expect(outcome.body.error_count).toBe(2);
  });

  it("reads a sink config with the sink's keys, under Confluent's class name or its alias", () => {
    const sink = { 'connector.class': 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector', name: 's', topics: 'orders', 'aws.dynamodb.region': 'eu-west-1' };
    expect(validateConnectorConfig('DynamoDbSinkConnector', sink, env)).toMatchObject({ status: 200, body: { error_count: 0 } });
    const outcome = validateConnectorConfig('DynamoDbSink', { ...sink, 'connector.class': 'DynamoDbSink', topics: '' }, env);
    expect(outcome.status === 200 && outcome.body.configs.find((entry) => entry.value.name === 'topics')?.value.errors).toEqual([
      'topics: required: the topics to write to DynamoDB, comma-separated (or topics.regex)',
    ]);
  });

  it('refuses what Kafka Connect refuses: an unknown plugin (404), a body that is not a config object, another plugin\'s class, no class (400)', () => {
    expect(validateConnectorConfig('FileStreamSource', source, env)).toEqual({ status: 404, message: 'Unknown connector plugin FileStreamSource' });
    for (const body of [[], 'text', null, 42]) expect(validateConnectorConfig('DynamoDbSource', body, env).status).toBe(400);
    expect(validateConnectorConfig('DynamoDbSource', { ...source, nested: { a: 1 } }, env)).toMatchObject({ status: 400, message: expect.stringContaining('"nested"') });
    expect(validateConnectorConfig('DynamoDbSource', { ...source, 'connector.class': 'DynamoDbSink' }, env)).toEqual({
      status: 400,
      message: 'Included connector type DynamoDbSink does not match request type DynamoDbSource',
    });
    const { 'connector.class': _, ...classless } = source;
    const outcome = validateConnectorConfig('DynamoDbSource', classless, env);
    expect(outcome.status).toBe(400);
    expect(JSON.stringify(outcome)).not.toContain('notToBeSeen');
  });
});
