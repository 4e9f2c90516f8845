import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { listenAddress } from '../../../src/config/rest-security.js';
import { connectorConfig, parseWorkerConfig } from '../../../src/config/worker.js';

const minimal = {
  'bootstrap.servers': 'broker1:9092',
  'group.id': 'connect-cluster',
  'config.storage.topic': 'connect-configs',
  'offset.storage.topic': 'connect-offsets',
  'status.storage.topic': 'connect-status',
};

describe('parseWorkerConfig: Kafka Connect’s distributed worker keys', () => {
  it('reads a connect-distributed.properties, its connectors inheriting its Kafka settings and offsets topic', () => {
    const config = parseWorkerConfig({
      ...minimal,
      'config.storage.replication.factor': '3',
      listeners: 'http://0.0.0.0:8083',
      'rest.basic.auth.credentials.file': '/etc/connect/credentials.properties',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    });
    expect(config).toMatchObject({
      bootstrapServers: 'broker1:9092',
      groupId: 'connect-cluster',
      configTopic: 'connect-configs',
      offsetTopic: 'connect-offsets',
      statusTopic: 'connect-status',
      replicationFactor: 3,
      listeners: ['http://0.0.0.0:8083'],
      restSecurity: { credentialsFile: '/etc/connect/credentials.properties' },
    });
    expect(config.connectorDefaults).toEqual({
      'bootstrap.servers': 'broker1:9092',
      'offset.storage.topic': 'connect-offsets',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
    });
    expect(config.warnings).toEqual(['key.converter is ignored: records are written in the connector’s own output.data.format']);
  });

  it('gives a source connector the offsets topic and a sink none (its offsets are its group’s); a connector’s own keys win', () => {
    const worker = parseWorkerConfig(minimal);
    expect(connectorConfig(worker, { 'connector.class': 'DynamoDbSource' })).toEqual({
      'bootstrap.servers': 'broker1:9092',
      'offset.storage.topic': 'connect-offsets',
      'connector.class': 'DynamoDbSource',
    });
    expect(connectorConfig(worker, { 'connector.class': 'DynamoDbSink', 'bootstrap.servers': 'other:9092' })).toEqual({
      'bootstrap.servers': 'other:9092',
      'connector.class': 'DynamoDbSink',
    });
  });

  it('shares work on <group.id>-work with 60 partitions and Connect’s 10 s session unless told otherwise', () => {
    expect(parseWorkerConfig(minimal)).toMatchObject({ workTopic: 'connect-cluster-work', workPartitions: 60, sessionTimeoutMs: 10_000 });
    expect(parseWorkerConfig({ ...minimal, 'work.storage.topic': 'work', 'work.storage.partitions': '12', 'session.timeout.ms': '6000' })).toMatchObject({
      workTopic: 'work',
      workPartitions: 12,
      sessionTimeoutMs: 6000,
    });
  });

  it('listens on 127.0.0.1:8083 unless told otherwise', () => {
    expect(parseWorkerConfig(minimal).listeners).toEqual(['http://127.0.0.1:8083']);
  });

  it('names every missing or bad key at once, with a suggestion for a misspelt one', () => {
    let error: unknown;
    try {
      parseWorkerConfig({ 'bootstrap.servers': 'broker1:9092', 'group.idd': 'x', listeners: 'tcp://host', 'config.storage.replication.factor': '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((problem) => problem.key);
    expect(keys).toEqual(expect.arrayContaining(['group.idd', 'group.id', 'config.storage.topic', 'offset.storage.topic', 'status.storage.topic', 'listeners', 'config.storage.replication.factor']));
    expect((error as ConfigError).message).toContain('group.idd');
    expect((error as ConfigError).message).toContain('unknown key "group.idd" (did you mean "group.id"?)');
  });
});

describe('parseWorkerConfig: the REST API’s security', () => {
  const problemsOf = (keys: Record<string, string>) => {
    try {
      parseWorkerConfig({ ...minimal, ...keys });
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems.map((problem) => problem.message);
    }
  };

  it.each(['http://0.0.0.0:8083', 'http://10.1.2.3:8083', 'http://[::]:8083', 'http://:8083', 'http://connect.example.com:8083', 'https://0.0.0.0:8443'])(
    'refuses %s without authentication, naming listeners and why',
    (listener) => {
      const extra: Record<string, string> = listener.startsWith('https') ? { 'listeners.https.ssl.keystore.location': '/k.p12' } : {};
      expect(problemsOf({ listeners: listener, ...extra })).toEqual([
        expect.stringMatching(/^listeners: .*reachable beyond this machine but nobody has to log in to it: set rest\.basic\.auth\.credentials\.file/),
      ]);
    },
  );

  it.each(['http://127.0.0.1:8083', 'http://127.8.9.10:8083', 'http://localhost:8083', 'http://[::1]:8083'])('takes the loopback listener %s without authentication', (listener) => {
    expect(problemsOf({ listeners: listener })).toEqual([]);
  });

  it('takes a listener beyond loopback behind basic auth, or behind TLS that requires client certificates', () => {
    expect(problemsOf({ listeners: 'http://0.0.0.0:8083', 'rest.basic.auth.credentials.file': '/c' })).toEqual([]);
    const tls = {
      listeners: 'https://0.0.0.0:8443',
      'listeners.https.ssl.keystore.location': '/k.pem',
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.truststore.location': '/ca.pem',
    };
    expect(problemsOf({ ...tls, 'listeners.https.ssl.client.auth': 'required' })).toEqual([]);
    expect(parseWorkerConfig({ ...minimal, ...tls, 'listeners.https.ssl.client.auth': 'required' }).restSecurity).toEqual({
      tls: { keystore: { location: '/k.pem', type: 'PEM' }, truststore: '/ca.pem', clientAuth: 'required' },
    });
    // Requested is not required: a client without a certificate still gets in.
    expect(problemsOf({ ...tls, 'listeners.https.ssl.client.auth': 'requested' })).toHaveLength(1);
  });

  it('binds where the listener says; an empty host is every interface, as in Connect', () => {
    expect(listenAddress('http://:8083')).toEqual({ host: '0.0.0.0', port: 8083, tls: false });
    expect(listenAddress('https://[::1]:8443/')).toEqual({ host: '::1', port: 8443, tls: true });
    expect(listenAddress('tcp://host:1')).toBeUndefined();
  });

  it('names what TLS and basic auth miss, never quoting a password', () => {
    expect(problemsOf({ listeners: 'https://127.0.0.1:8443' })).toEqual([expect.stringMatching(/^listeners\.https\.ssl\.keystore\.location: required for an https:\/\/ listener/)]);
    expect(
      problemsOf({
        listeners: 'https://127.0.0.1:8443',
        'listeners.https.ssl.keystore.location': '/k.p12',
        'listeners.https.ssl.keystore.password': 'hunter2',
        'listeners.https.ssl.client.auth': 'required',
      }),
    ).toEqual([expect.stringMatching(/^listeners\.https\.ssl\.truststore\.location: required with listeners\.https\.ssl\.client\.auth=required/)]);
    expect(problemsOf({ 'listeners.https.ssl.keystore.type': 'JKS', listeners: 'https://127.0.0.1:1', 'listeners.https.ssl.keystore.location': '/k.jks' })).toEqual([
      expect.stringMatching(/keytool -importkeystore -deststoretype PKCS12/),
    ]);
    expect(problemsOf({ 'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension' })).toEqual([
      expect.stringMatching(/^rest\.extension\.classes: BasicAuthSecurityRestExtension needs rest\.basic\.auth\.credentials\.file/),
    ]);
  });
});
