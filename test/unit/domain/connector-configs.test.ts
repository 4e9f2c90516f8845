import { describe, expect, it } from 'vitest';
import { ConnectorConfigs, configRecords } from '../../../src/domain/connector-configs.js';

describe('ConnectorConfigs: the config topic in Kafka Connect’s layout', () => {
  it('reads configurations and target states as Connect writes them, a STOPPED one from state.v2', () => {
    const configs = new ConnectorConfigs();
    configs.apply({ key: 'connector-orders', value: '{"properties":{"connector.class":"DynamoDbSource","tasks.max":"2"}}' });
    configs.apply({ key: 'connector-users', value: '{"properties":{"connector.class":"DynamoDbSink"}}' });
    configs.apply({ key: 'target-state-users', value: '{"state":"PAUSED"}' });
    configs.apply({ key: 'connector-audit', value: '{"properties":{"connector.class":"DynamoDbSource"}}' });
    configs.apply({ key: 'target-state-audit', value: '{"state":"PAUSED","state.v2":"STOPPED"}' });
    // Connect's task configurations and commits: not ours to read.
    expect(configs.apply({ key: 'task-orders-0', value: '{"properties":{}}' })).toBeUndefined();
    expect(configs.apply({ key: 'commit-orders', value: '{"tasks":2}' })).toBeUndefined();
    expect(configs.list()).toEqual([
      { name: 'audit', config: { 'connector.class': 'DynamoDbSource' }, target: 'STOPPED' },
      { name: 'orders', config: { 'connector.class': 'DynamoDbSource', 'tasks.max': '2' }, target: 'STARTED' },
      { name: 'users', config: { 'connector.class': 'DynamoDbSink' }, target: 'PAUSED' },
    ]);
  });

  it('writes records that read back the same, and a delete that forgets the connector and its state', () => {
    const configs = new ConnectorConfigs();
    for (const record of [configRecords.connector('orders', { a: '1' }), configRecords.targetState('orders', 'STOPPED')]) configs.apply(record);
    expect(configs.get('orders')).toEqual({ name: 'orders', config: { a: '1' }, target: 'STOPPED' });
    expect(JSON.parse(configRecords.targetState('orders', 'STOPPED').value!)).toEqual({ state: 'PAUSED', 'state.v2': 'STOPPED' });
    for (const record of configRecords.deleted('orders')) configs.apply(record);
    expect(configs.get('orders')).toBeUndefined();
    configs.apply(configRecords.connector('orders', { a: '2' }));
    expect(configs.get('orders')?.target).toBe('STARTED'); // a re-created connector does not inherit the old state
  });

  it('keeps the latest restart request of each connector, with its offset, as Connect writes it (KIP-745)', () => {
    const configs = new ConnectorConfigs();
    configs.apply({ key: 'restart-connector-orders', value: '{"include-tasks":true,"only-failed":false}' }, 7);
    configs.apply(configRecords.restart('users', { includeTasks: false, onlyFailed: true }), 8);
    configs.apply(configRecords.restart('orders', { includeTasks: false, onlyFailed: false }), 9);
    expect(configs.restartRequests()).toEqual([
      { name: 'orders', includeTasks: false, onlyFailed: false, offset: 9 },
      { name: 'users', includeTasks: false, onlyFailed: true, offset: 8 },
    ]);
    expect(JSON.parse(configRecords.restart('users', { includeTasks: false, onlyFailed: true }).value!)).toEqual({ 'include-tasks': false, 'only-failed': true });
    for (const record of configRecords.deleted('users')) configs.apply(record);
    expect(configs.restartRequests().map((request) => request.name)).toEqual(['orders']);
  });

  it('says what is wrong with a record it cannot read, and keeps what it had', () => {
    const configs = new ConnectorConfigs();
    configs.apply(configRecords.connector('orders', { a: '1' }));
    expect(configs.apply({ key: 'connector-orders', value: 'not json' })).toBe('configuration of connector orders is not {"properties": {...}}');
    expect(configs.apply({ key: 'target-state-orders', value: '{"state":"SLEEPING"}' })).toBe(
      'target state of connector orders is not one of STARTED, PAUSED, STOPPED: {"state":"SLEEPING"}',
    );
    expect(configs.get('orders')).toEqual({ name: 'orders', config: { a: '1' }, target: 'STARTED' });
  });
});
