import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { testCluster } from '../../support/cluster.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const ids = (records: ConsumedRecord[]) =>
  records.filter((record) => record.value !== null).map((record) => JSON.parse(JSON.parse(record.value!).after.document).id.S as string);

describe('worker: the connectors of the cluster’s config topic', () => {
  const { connection, dynamodb, defer } = suiteResources('clusterworker');

  it('runs a connector written to the config topic, stops it when paused, runs it again when resumed and after a restart', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const group = uniqueName('cluster');
    const table = uniqueName('workertable');
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: 5 }, (_, index) => ({ id: { S: `item-${index}` } })));
    const follower = await TopicFollower.follow(bootstrapServers, table);
    defer(() => follower.close());

    // What a tool (or another worker) writes: connector configs without Kafka settings, which they inherit.
    const { configs, properties } = await testCluster(bootstrapServers, group, defer);
    const name = uniqueName('orders-source');
    await configs.putConnector(name, {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': table,
      'dynamodb.service.endpoint': connection.endpoint!,
      'aws.region': connection.region,
      'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
    });
    await configs.putConnector('broken', { 'connector.class': 'DynamoDbSource', 'dynamodb.snapshot.segmnets': '4' });

    let worker = ConnectorProcess.worker(properties);
    defer(async () => void (await worker.stop('SIGKILL')));
    // GET /connectors lists every configured connector, as Connect's does; the running ones are those whose status says so.
    const running = async (base: string) => {
      const statuses = (await (await fetch(`${base}/connectors?expand=status`)).json()) as Record<string, { status: { connector: { state: string } } }>;
      return Object.keys(statuses).filter((name) => statuses[name]!.status.connector.state === 'RUNNING');
    };

    let base = await worker.restUrl();
    await follower.waitFor((records) => new Set(ids(records)).size === 5, 60_000, 'the snapshot');
    expect(await running(base)).toEqual([name]);
    expect(worker.output).toMatch(/connector broken not started: [\s\S]*unknown key "dynamodb\.snapshot\.segmnets" \(did you mean "dynamodb\.snapshot\.segments"\?\)/);

    await configs.setTargetState(name, 'PAUSED');
    await expect.poll(() => running(base), { timeout: 30_000 }).toEqual([]);
    expect(worker.output).toContain(`connector ${name} was paused, stopped or deleted: stopping it`);

    await configs.setTargetState(name, 'STARTED');
    await expect.poll(() => running(base), { timeout: 30_000 }).toEqual([name]);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-resume' } } }));
    await follower.waitFor((records) => ids(records).includes('after-resume'), 60_000, 'a change after the resume');

    expect(await worker.stop()).toBe(0);
    worker = ConnectorProcess.worker(properties);
    base = await worker.restUrl();
    await expect.poll(() => running(base), { timeout: 30_000 }).toEqual([name]);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-restart' } } }));
    await follower.waitFor((records) => ids(records).includes('after-restart'), 60_000, 'a change after the restart');
    // Resumed, not snapshotted again (the inserts made just before the snapshot are replayed from the stream).
    const snapshotReads = follower.records.filter((record) => record.value !== null && JSON.parse(record.value).op === 'r');
    expect(snapshotReads).toHaveLength(5);
    expect(await worker.stop()).toBe(0);
  }, 240_000);
});
