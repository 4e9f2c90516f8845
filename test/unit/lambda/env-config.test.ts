import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { readEnvConfig, resolveEnvConfig, sourceConfigFromEnv, variableFor } from '../../../src/lambda/env-config.js';

const BASE = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-to-kafka',
  AWS_REGION: 'eu-west-1',
  DYNAMODB_KAFKA_BOOTSTRAP_SERVERS: 'broker1:9092',
  DYNAMODB_KAFKA_DYNAMODB_TABLE_INCLUDELIST: 'orders',
  PATH: '/usr/bin',
};
const noSecrets = async (arn: string): Promise<string> => {
  throw new Error(`no secret ${arn}`);
};

describe('lambda: configuration from the environment', () => {
  it('maps DYNAMODB_KAFKA_<KEY> to the connector key, and back', () => {
    expect(variableFor('bootstrap.servers')).toBe('DYNAMODB_KAFKA_BOOTSTRAP_SERVERS');
    expect(readEnvConfig({ ...BASE, DYNAMODB_KAFKA_HOME: '/tmp/x', DYNAMODB_KAFKA_LOG_LEVEL: 'warn' })).toEqual({
      values: { 'bootstrap.servers': 'broker1:9092', 'dynamodb.table.includelist': 'orders' },
      secretArns: {},
    });
  });

  it('parses with the source connector parser: name from the function, class implied, region from AWS_REGION', async () => {
    const config = await sourceConfigFromEnv({ ...BASE, DYNAMODB_KAFKA_MAX_BATCH_SIZE: '500' }, noSecrets);
    expect(config.name).toBe('orders-to-kafka');
    expect(config.connectorClass).toBe('DynamoDbSource');
    expect(config.aws.region).toBe('eu-west-1');
    expect(config.discovery).toEqual({ mode: 'INCLUDELIST', tables: ['orders'] });
    expect(config.kafka.bootstrapServers).toBe('broker1:9092');
    expect(config.output.maxBatchSize).toBe(500);
  });

  it('names the key of a bad value or an unknown key', async () => {
    await expect(sourceConfigFromEnv({ ...BASE, DYNAMODB_KAFKA_MAX_BATCH_SIZE: 'lots' }, noSecrets)).rejects.toThrow(/max\.batch\.size/);
    await expect(sourceConfigFromEnv({ ...BASE, DYNAMODB_KAFKA_BOOTSTRAP_SERVER: 'x:1' }, noSecrets)).rejects.toThrow(/bootstrap\.server".*bootstrap\.servers/);
  });

  it('reads secrets given as ARNs (a whole secret or a field of a JSON one) and never echoes them', async () => {
    const secrets: Record<string, string> = {
      'arn:aws:secretsmanager:eu-west-1:1:secret:kafka': JSON.stringify({ username: 'key', password: 'hunter2-very-secret' }),
      'arn:aws:secretsmanager:eu-west-1:1:secret:aws': 'aws-secret-value',
    };
    const env = {
      ...BASE,
      DYNAMODB_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      DYNAMODB_KAFKA_SASL_MECHANISMS: 'PLAIN',
      DYNAMODB_KAFKA_SASL_USERNAME: 'key',
      DYNAMODB_KAFKA_SASL_PASSWORD_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:kafka#password',
      DYNAMODB_KAFKA_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      DYNAMODB_KAFKA_AWS_SECRET_ACCESS_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:aws',
    };
    const config = await sourceConfigFromEnv(env, async (arn) => secrets[arn]!);
    expect(config.kafka.properties['sasl.password']).toBe('hunter2-very-secret');
    expect(config.aws.credentials).toEqual({ kind: 'static', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'aws-secret-value' });

    const failing = resolveEnvConfig(readEnvConfig(env), async () => {
      throw new Error('AccessDeniedException');
    });
    await expect(failing).rejects.toThrow(ConfigError);
    await expect(failing).rejects.toThrow(/sasl\.password: could not read secret arn:aws:secretsmanager:eu-west-1:1:secret:kafka: AccessDeniedException/);
  });

  it('refuses a key given twice, a secret reference to a non-secret key, and a missing JSON field', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:1:secret:s';
    const fetch = async () => '{"password":"p"}';
    await expect(resolveEnvConfig(readEnvConfig({ DYNAMODB_KAFKA_SASL_PASSWORD: 'a', DYNAMODB_KAFKA_SASL_PASSWORD_SECRET_ARN: arn }), fetch)).rejects.toThrow(/sasl\.password: given twice/);
    await expect(resolveEnvConfig(readEnvConfig({ DYNAMODB_KAFKA_BOOTSTRAP_SERVERS_SECRET_ARN: arn }), fetch)).rejects.toThrow(/bootstrap\.servers: .* is for secrets/);
    await expect(resolveEnvConfig(readEnvConfig({ DYNAMODB_KAFKA_SASL_PASSWORD_SECRET_ARN: `${arn}#user` }), fetch)).rejects.toThrow(/has no string field "user"/);
  });
});
