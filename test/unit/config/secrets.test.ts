import { describe, expect, it } from 'vitest';
import { isSecretKey, redactConfig } from '../../../src/config/secrets.js';

describe('secrets', () => {
  it.each([
    'aws.access.key.id',
    'aws.secret.access.key',
    'aws.secret.key',
    'aws.session.token',
    'sasl.password',
    'sasl.jaas.config',
    'sasl.oauthbearer.client.secret',
    'ssl.key.password',
    'ssl.keystore.password',
    'ssl.truststore.password',
    'ssl.key.pem',
    'kafka.api.key',
    'kafka.api.secret',
    'some.vendor.password',
    'other.client.secret',
    'aws.dynamodb.credentials.provider.sts.role.external.id',
    'consumer.override.sasl.jaas.config',
    'producer.override.kafka.api.key',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['aws.region', 'consumer.override.group.id', 'sasl.username', 'kafka.topic.prefix', 'ssl.keystore.location', 'passwords.enabled'])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('hides secret values and keeps the rest', () => {
    expect(redactConfig({ 'aws.region': 'eu-west-1', 'sasl.password': 'p', 'aws.secret.access.key': 's' })).toEqual({
      'aws.region': 'eu-west-1',
      'sasl.password': '[hidden]',
      'aws.secret.access.key': '[hidden]',
    });
  });

  it("masks a connector config as GET /connectors/{c}/config answers it: client overrides and a registry URL's user info too", () => {
    expect(
      redactConfig({
        'connector.class': 'DynamoDbSink',
        'consumer.override.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
        'schema.registry.url': 'https://user:pass@registry:8081',
        'schema.registry.basic.auth.user.info': 'user:pass',
        'aws.sts.role.external.id': 'shared-guard',
        topics: 'orders',
      }),
    ).toEqual({
      'connector.class': 'DynamoDbSink',
      'consumer.override.sasl.jaas.config': '[hidden]',
      'schema.registry.url': '[hidden]',
      'schema.registry.basic.auth.user.info': '[hidden]',
      'aws.sts.role.external.id': '[hidden]',
      topics: 'orders',
    });
  });
});
