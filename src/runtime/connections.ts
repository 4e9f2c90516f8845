import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { createDynamoDbClient, createStreamsClient, type AwsCallObserver, type DynamoDbConnection } from '../adapters/dynamodb/client.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { dynamoDbSourceTables } from '../adapters/dynamodb/scan.js';
import { dynamoDbChangeStreams } from '../adapters/dynamodb/streams.js';
import { createKafka, logLevel, type Admin, type Kafka, type KafkaConnection, type TransactionObserver } from '../adapters/kafka/client.js';
import { kafkaForSource } from '../adapters/kafka/source-kafka.js';
import { KafkaClientEvents, type LogSink } from '../adapters/kafka/client-events.js';
import type { SourceConfig } from '../config/source.js';
import type { SinkConfig } from '../config/sink.js';
import type { SourceConnectorClients } from './source-connector.js';

/** The AWS side of a connector's configuration, ready for the SDK clients. */
export function dynamodbConnection(config: Pick<SourceConfig | SinkConfig, 'aws'>): DynamoDbConnection {
  const { region, endpoint, credentials, assumeRole } = config.aws;
  const base =
    credentials.kind === 'static'
      ? {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
        }
      : undefined;
  const resolved = assumeRole
    ? fromTemporaryCredentials({
        params: {
          RoleArn: assumeRole.roleArn,
          RoleSessionName: assumeRole.sessionName,
          ...(assumeRole.externalId ? { ExternalId: assumeRole.externalId } : {}),
        },
        ...(base ? { masterCredentials: base } : {}),
        clientConfig: { region },
      })
    : base;
  return { region, ...(endpoint ? { endpoint } : {}), ...(resolved ? { credentials: resolved } : {}) };
}

/** The Kafka side of a source connector; the clients' own lines and errors go to `log`, readable. */
export function kafkaConnection(config: SourceConfig, bootstrapServers: string, log: LogSink): KafkaConnection {
  return { bootstrapServers, clientId: `dynamodb-kafka-${config.name}`, properties: config.kafka.properties, events: new KafkaClientEvents(bootstrapServers, log) };
}

export function sinkKafkaConnection(config: SinkConfig, log: LogSink): KafkaConnection {
  const bootstrapServers = config.kafka.bootstrapServers!;
  return { bootstrapServers, clientId: `dynamodb-kafka-${config.name}`, properties: config.kafka.properties, events: new KafkaClientEvents(bootstrapServers, log) };
}

/** The clients a source connector works with: Kafka (admin connected) and DynamoDB with its Streams. */
export interface SourceClients {
  connection: KafkaConnection;
  kafka: Kafka;
  admin: Admin;
  aws: DynamoDbConnection;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
}

/** Opens a source connector's clients (the caller closes them: admin.disconnect, destroy). */
export async function openSourceClients(
  config: SourceConfig,
  bootstrapServers: string,
  log: LogSink,
  observers: { aws?: AwsCallObserver; transactions?: TransactionObserver } = {},
): Promise<SourceClients> {
  const connection = { ...kafkaConnection(config, bootstrapServers, log), ...(observers.transactions ? { transactions: observers.transactions } : {}) };
  const kafka = createKafka(connection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  const aws = { ...dynamodbConnection(config), ...(observers.aws ? { observer: observers.aws } : {}) };
  return { connection, kafka, admin, aws, dynamodb: createDynamoDbClient(aws), streams: createStreamsClient(aws) };
}

/** The source connector's ports, on the SDK and librdkafka clients of one connector. */
export function sourcePorts(clients: {
  kafka: Kafka;
  connection: KafkaConnection;
  admin: Admin;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
}): SourceConnectorClients {
  return {
    kafka: kafkaForSource(clients),
    tables: dynamoDbSourceTables(clients.dynamodb),
    streams: dynamoDbChangeStreams(clients.streams),
    ...(clients.connection.events ? { kafkaEvents: clients.connection.events } : {}),
  };
}
