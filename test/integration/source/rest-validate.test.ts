import { describe, expect, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { listeningAddresses } from '../../support/proc.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable } from '../../support/tables.js';

describe('run --rest-port: connector plugins and config validation', () => {
  const { connection, dynamodb, defer } = suiteResources('restvalidate');

  it('lists the plugins and validates configs in Kafka Connect\'s shapes, never echoing a secret, on 127.0.0.1 only', async () => {
    const table = uniqueName('rest-validate');
    await createTable(dynamodb, table);
    const name = uniqueName('restvalidate');
    const running = stackSourceConfig(connection, { tables: table, offsetsTopic: `${name}-offsets`, secretAccessKey: 'runningSecretKey1234567890' });
    const run = ConnectorProcess.start(name, running, ['--rest-port', '0']);
    defer(async () => void (await run.stop('SIGKILL')));
    await expect.poll(() => /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)?.[1], { timeout: 60_000 }).toBeDefined();
    const base = /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)![1]!;
    expect(listeningAddresses(Number(new URL(base).port))).toEqual(['127.0.0.1']);

    const secret = 'validateSecretKey0987654321';
    const call = async (path: string, body?: string) => {
      const response = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
      const text = await response.text();
      expect(text).not.toContain(secret);
      return { code: response.status, body: JSON.parse(text) };
    };
    const validate = (plugin: string, config: unknown) => call(`/connector-plugins/${encodeURIComponent(plugin)}/config/validate`, JSON.stringify(config));

    const plugins = await call('/connector-plugins');
    expect(plugins.code).toBe(200);
    expect(plugins.body).toEqual(
      expect.arrayContaining([
        { class: 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector', type: 'source', version: expect.any(String) },
        { class: 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector', type: 'source', version: expect.any(String) },
        { class: 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector', type: 'sink', version: expect.any(String) },
      ]),
    );
    expect((await call('/connector-plugins?connectorsOnly=false')).body).toEqual(plugins.body);

    const config = { ...running, name: 'candidate', 'aws.secret.access.key': secret };
    const valid = await validate('DynamoDbSource', config);
    expect(valid.code).toBe(200);
    expect(valid.body).toMatchObject({ name: 'DynamoDbSource', error_count: 0, groups: [] });
    const entry = (body: any, key: string) => body.configs.find((config: { value: { name: string } }) => config.value.name === key);
    expect(entry(valid.body, 'aws.secret.access.key')).toMatchObject({ definition: { type: 'PASSWORD' }, value: { value: '[hidden]', errors: [] } });
    expect(entry(valid.body, 'dynamodb.snapshot.max.poll.records')).toMatchObject({
      definition: { type: 'INT', default_value: '1000', required: false },
      value: { value: '1000' },
    });

    // Confluent's class by its alias; a misspelled key and a bad value land on their keys and are counted.
    const invalid = await validate('DynamoDbCdcSource', {
      ...config,
      'connector.class': 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector',
      'dynamodb.tabel.includelist': table,
      'dynamodb.snapshot.max.poll.records': 'lots',
    });
    expect(invalid.code).toBe(200);
    expect(invalid.body.error_count).toBe(2);
    expect(entry(invalid.body, 'dynamodb.tabel.includelist').value.errors).toEqual([
      'unknown key "dynamodb.tabel.includelist" (did you mean "dynamodb.table.includelist"?)',
    ]);
    expect(entry(invalid.body, 'dynamodb.snapshot.max.poll.records').value.errors).toEqual([
      'dynamodb.snapshot.max.poll.records: expected an integer from 1 to 10000, got "lots"',
    ]);

    expect(await validate('FileStreamSource', config)).toEqual({ code: 404, body: { error_code: 404, message: 'Unknown connector plugin FileStreamSource' } });
    expect(await validate('DynamoDbSource', ['not', 'an', 'object'])).toMatchObject({ code: 400, body: { error_code: 400 } });
    expect(await call('/connector-plugins/DynamoDbSource/config/validate', `{"aws.secret.access.key": "${secret}"`)).toEqual({
      code: 400,
      body: { error_code: 400, message: 'the request body is not valid JSON' },
    });
    expect(await validate('DynamoDbSink', config)).toEqual({
      code: 400,
      body: { error_code: 400, message: 'Included connector type DynamoDbSource does not match request type DynamoDbSink' },
    });
    expect(await run.stop()).toBe(0);
  });
});
