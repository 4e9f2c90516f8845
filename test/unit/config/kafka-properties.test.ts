import { describe, expect, it } from 'vitest';
import { isKafkaClientKey, kafkaClientProperties, parseJaasLogin } from '../../../src/config/kafka-properties.js';

describe('isKafkaClientKey', () => {
  it('passes security.protocol, client.id, sasl.* and ssl.* through', () => {
    for (const key of ['security.protocol', 'client.id', 'sasl.mechanisms', 'ssl.ca.location']) expect(isKafkaClientKey(key)).toBe(true);
    for (const key of ['bootstrap.servers', 'kafka.api.key', 'linger.ms']) expect(isKafkaClientKey(key)).toBe(false);
  });
});

describe('kafkaClientProperties', () => {
  it('maps a Confluent Cloud API key to SASL/PLAIN over TLS', () => {
    expect(kafkaClientProperties({}, { authMode: 'KAFKA_API_KEY', apiKey: 'KEY', apiSecret: 'SECRET' })).toEqual({
      properties: { 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'KEY', 'sasl.password': 'SECRET' },
      problems: [],
      warnings: [],
    });
  });

  it('lets explicit settings win over the API key, and says so', () => {
    const result = kafkaClientProperties(
      { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'me' },
      { apiKey: 'KEY', apiSecret: 'SECRET' },
    );
    expect(result.properties).toEqual({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.username': 'me',
      'sasl.password': 'SECRET',
    });
    expect(result.warnings).toEqual(['kafka.api.key is ignored: sasl.username is set explicitly']);
    expect(result.warnings.join()).not.toContain('KEY');
  });

  it('needs both the API key and its secret', () => {
    expect(kafkaClientProperties({}, { apiKey: 'KEY' }).problems.map((p) => p.message)).toEqual([
      'kafka.api.secret: required with kafka.api.key and kafka.api.secret: set both or neither',
    ]);
    expect(kafkaClientProperties({}, { authMode: 'KAFKA_API_KEY' }).problems).toHaveLength(1);
    expect(kafkaClientProperties({}, { authMode: 'SERVICE_ACCOUNT' }).problems[0]?.message).toMatch(/^kafka\.auth\.mode: SERVICE_ACCOUNT/);
  });

  it('translates a PLAIN JAAS login into librdkafka settings', () => {
    const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr\\"et";';
    expect(kafkaClientProperties({ 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': jaas }, {}).properties).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'alice',
      'sasl.password': 's3cr"et',
    });
  });

  it('needs sasl.mechanism with a SCRAM JAAS login, and refuses other login modules without quoting them', () => {
    const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=pw;';
    expect(kafkaClientProperties({ 'sasl.jaas.config': scram }, {}).problems.map((p) => p.key)).toEqual(['sasl.mechanism']);
    expect(kafkaClientProperties({ 'sasl.jaas.config': scram, 'sasl.mechanism': 'SCRAM-SHA-512' }, {}).problems).toEqual([]);
    const oauth = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientSecret="topsecret";';
    const [problem] = kafkaClientProperties({ 'sasl.jaas.config': oauth }, {}).problems;
    expect(problem?.message).toMatch(/^sasl\.jaas\.config: the login module .* cannot be translated/);
    expect(problem?.message).not.toContain('topsecret');
  });

  it('checks security.protocol', () => {
    expect(kafkaClientProperties({ 'security.protocol': 'sasl_ssl' }, {}).problems).toEqual([]);
    expect(kafkaClientProperties({ 'security.protocol': 'TLS' }, {}).problems[0]?.message).toBe(
      'security.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"',
    );
  });
});

describe('parseJaasLogin', () => {
  it('reads unquoted and quoted options', () => {
    expect(parseJaasLogin('x.PlainLoginModule required username=u password="p w";')).toEqual({ username: 'u', password: 'p w', mechanism: 'PLAIN' });
    expect(parseJaasLogin('x.PlainLoginModule required username="u";')).toEqual({ error: expect.stringContaining('needs both username and password') });
    expect(parseJaasLogin('garbage')).toEqual({ error: expect.stringContaining('expected <LoginModule class>') });
  });
});
