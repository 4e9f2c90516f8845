import { describe, expect, it } from 'vitest';
import { CONNECTOR_VERSION } from '../../../src/domain/version.js';
import { classMatchesPlugin, connectorPlugins, findPlugin } from '../../../src/runtime/connect-plugins.js';

describe('connector plugins', () => {
  it("lists every connector class a config accepts, in Kafka Connect's PluginInfo shape", () => {
    const version = CONNECTOR_VERSION;
    expect(connectorPlugins()).toEqual([
      { class: 'DynamoDbSource', type: 'source', version },
      { class: 'DynamoDbCdcSource', type: 'source', version },
      { class: 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector', type: 'source', version },
      { class: 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector', type: 'source', version },
      { class: 'DynamoDBSourceConnector', type: 'source', version },
      { class: 'DynamoDbSink', type: 'sink', version },
      { class: 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector', type: 'sink', version },
      { class: 'DynamoDbSinkConnector', type: 'sink', version },
    ]);
  });

  it.each([
    ['DynamoDbSource', 'DynamoDbSource'],
    ['DynamoDbCdcSourceConnector', 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector'],
    ['DynamoDBSource', 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector'],
    ['io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector', 'io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector'],
  ])("finds %s by its class name or Kafka Connect's alias", (name, className) => {
    expect(findPlugin(name)?.class).toBe(className);
  });

  it('knows no other plugin', () => {
    expect(findPlugin('FileStreamSource')).toBeUndefined();
    expect(findPlugin('dynamodbsource')).toBeUndefined();
  });

  it("matches a config's connector.class with the path's plugin as Kafka Connect does", () => {
    expect(classMatchesPlugin('io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector', 'DynamoDbCdcSource')).toBe(true);
    expect(classMatchesPlugin('com.trustpilot.connector.dynamodb.DynamoDBSourceConnector', 'DynamoDBSourceConnector')).toBe(true);
    expect(classMatchesPlugin('DynamoDbSource', 'DynamoDbSource')).toBe(true);
    expect(classMatchesPlugin('DynamoDbSink', 'DynamoDbSource')).toBe(false);
    expect(classMatchesPlugin('DynamoDbCdcSource', 'DynamoDbSource')).toBe(false);
  });
});
