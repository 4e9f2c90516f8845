import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseWorkerConfig } from '../../../src/config/worker.js';

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
    });
    expect(config.connectorDefaults).toEqual({
      'bootstrap.servers': 'broker1:9092',
      'offset.storage.topic': 'connect-offsets',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
    });
    expect(config.warnings).toEqual(['key.converter is ignored: records are written in the connector’s own output.data.format']);
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
