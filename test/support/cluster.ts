import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { expect } from 'vitest';
import { ConfigTopic } from '../../src/adapters/kafka/config-topic.js';
import { createKafka, logLevel } from '../../src/adapters/kafka/client.js';
import { partitionOfTask } from '../../src/domain/work-partition.js';
import type { ClusterConnectorStatus } from '../../src/runtime/cluster-status.js';
import { uniqueName } from './aws.js';
import { ConnectorProcess } from './cli-process.js';
import { deliveredChanges, exactlyOnceViolations, perKeyOrderViolations, snapshotVersions, streamRecords } from './delivery-checks.js';
import { expectedState, normalise, replay, scanAll } from './tables.js';
import type { TopicFollower } from './topic-follower.js';

/**
 * A cluster's group for a test: its config topic, opened as a tool (or another worker) writes to it, and the
 * worker properties that name its topics. `defer` registers the clean-ups.
 */
export async function testCluster(bootstrapServers: string, group: string, defer: (cleanup: () => Promise<void>) => void) {
  const kafkaConnection = { bootstrapServers, clientId: group };
  const kafka = createKafka(kafkaConnection, logLevel.ERROR);
  const admin = kafka.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const configTopic = `${group}-configs`;
  const configs = await ConfigTopic.open({ kafka, connection: kafkaConnection, admin }, { topic: configTopic, replicationFactor: 1, warn: () => undefined });
  defer(() => configs.close());
  const properties: Record<string, string> = {
    'bootstrap.servers': bootstrapServers,
    'group.id': group,
    'config.storage.topic': configTopic,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    listeners: 'http://127.0.0.1:0',
  };
  return { configs, properties };
}

/**
 * A connector name whose `tasks` tasks hash to every one of `partitions` work partitions, so that with as many
 * workers as partitions or fewer each worker's share holds tasks, wherever Kafka puts which partition.
 */
export function connectorNameOverEveryPartition(prefix: string, tasks: number, partitions: number): string {
  let name = uniqueName(prefix);
  while (new Set(Array.from({ length: tasks }, (_, task) => partitionOfTask(name, task, partitions))).size < partitions) name = uniqueName(prefix);
  return name;
}

/** `count` worker processes of one cluster, their REST URLs, and a connector's status as one of them answers it. */
export async function startWorkers(properties: Record<string, string>, count: number, defer: (cleanup: () => Promise<void>) => void) {
  const workers = Array.from({ length: count }, () => ConnectorProcess.worker(properties));
  for (const worker of workers) defer(async () => void (await worker.stop('SIGKILL')));
  const urls = await Promise.all(workers.map((worker) => worker.restUrl()));
  const statusFrom = async (url: string, connector: string) => (await (await fetch(`${url}/connectors/${connector}/status`)).json()) as ClusterConnectorStatus;
  return { workers, urls, statusFrom };
}

/**
 * Once the writes have ended, for every table: its topic replayed equals a final Scan, no stream record is
 * delivered twice or missing (a record before the snapshot's start position counts as delivered when the
 * snapshot read of its item is as new), every item's versions arrive in write order.
 */
export async function expectTopicsMatchTables(options: {
  tables: string[];
  follower: TopicFollower;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
}): Promise<void> {
  const { tables, follower, dynamodb, streams } = options;
  for (const table of tables) {
    const ofTable = () => follower.records.filter((record) => record.topic === table);
    const expected = JSON.stringify(normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' })));
    await follower.waitFor(() => JSON.stringify(normalise(replay(ofTable()))) === expected, 60_000, `topic ${table} replayed = table`);
    const delivered = deliveredChanges(ofTable());
    const { duplicated, missing } = exactlyOnceViolations(delivered, await streamRecords(dynamodb, streams, table), snapshotVersions(ofTable()));
    expect(duplicated, `${table}: stream records delivered twice`).toEqual([]);
    expect(missing, `${table}: stream records never delivered (nor before the snapshot and in it)`).toEqual([]);
    expect(perKeyOrderViolations(delivered), `${table}: versions out of order`).toEqual([]);
  }
}
