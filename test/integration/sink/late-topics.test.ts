import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { connectStatus } from '../../../src/runtime/connect-status.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { Worker } from '../../../src/runtime/worker.js';
import { isolatedDynamoDb, suiteResources, uniqueName } from '../../support/aws.js';
import { produce, startSink } from '../../support/sink.js';
import { createTable, expectedState, normalise, putItems, scanAll } from '../../support/tables.js';

/** How soon after its topic is created a sink must have written the topic's records: "within a few seconds". */
const PICK_UP_BOUND_MS = 15_000;

/**
 * A sink subscribes to what is not there yet (its source starts with it, or topics.regex names topics to come):
 * librdkafka alone would notice a new topic only at its 5-minute metadata refresh.
 */
describe('sink: topics created after it started', () => {
  const { connection, dynamodb, defer } = suiteResources('sinklate');
  const keys = { 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' };
  const records = (count: number) => Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: { id: `k${index}`, n: index } }));
  const itemCount = (table: string) => scanAll(dynamodb, table).then((items) => items.length, () => 0);
  const topicsCreated: string[] = [];
  defer(async () => {
    const admin = createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: 'late-topics-cleanup' }, logLevel.ERROR).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: topicsCreated }).catch(() => undefined);
    await admin.disconnect();
  });

  it('says it waits for its topic by name, then writes the records within seconds of the topic being created', async () => {
    const topic = uniqueName('late-topic');
    const name = uniqueName('late-sink');
    const sink = await startSink(name, connection, { topics: topic, ...keys });
    defer(() => sink.stop());

    const waitingFor = () => connectStatus(sink.connector.status(), 'w').tasks[0]?.waitingFor;
    await expect.poll(waitingFor, { timeout: 10_000 }).toBe(`topic ${topic} (not created yet)`);

    topicsCreated.push(topic);
    await produce(topic, records(20));
    await expect.poll(() => itemCount(topic), { timeout: PICK_UP_BOUND_MS, interval: 100 }).toBe(20);
    expect(waitingFor()).toBeUndefined();
    expect(sink.connector.status().tasks[0]!.state).toBe('RUNNING');
  });

  it('says it waits for a topic matching topics.regex, then picks up each matching topic created later within seconds', async () => {
    const prefix = uniqueName('late-regex');
    const sink = await startSink(uniqueName('late-regex-sink'), connection, { 'topics.regex': `${prefix}-.*`, ...keys });
    defer(() => sink.stop());

    await expect.poll(() => sink.connector.status().tasks[0]?.waitingFor, { timeout: 10_000 }).toBe(`a topic matching ${prefix}-.* (none exists yet)`);

    // The first topic ends the wait; the second comes while the sink already consumes the first, so only the
    // periodic metadata refresh can find it.
    for (const topic of [`${prefix}-first`, `${prefix}-second`]) {
      topicsCreated.push(topic);
      await produce(topic, records(10));
      await expect.poll(() => itemCount(topic), { timeout: PICK_UP_BOUND_MS, interval: 100 }).toBe(10);
      expect(sink.connector.status().tasks[0]!.waitingFor).toBeUndefined();
    }
  });

  it('replicates a table when the source and the sink start together in one worker, as one `run` with both files', async () => {
    const table = uniqueName('late-replicated');
    topicsCreated.push(table);
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES');
    await putItems(dynamodb, table, Array.from({ length: 50 }, (_, index) => ({ id: { S: `item-${index}` }, n: { N: String(index) } })));
    const target = isolatedDynamoDb('sinklatetarget');
    const targetDb = createDynamoDbClient(target);
    defer(async () => targetDb.destroy());

    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const credentialsOf = (of: typeof connection) => of.credentials as { accessKeyId: string; secretAccessKey: string };
    const directory = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-late-'));
    defer(async () => rmSync(directory, { recursive: true, force: true }));
    const sourceName = uniqueName('late-repl-source');
    const files = {
      source: {
        name: sourceName,
        config: {
          'connector.class': 'DynamoDbSource',
          'dynamodb.table.includelist': table,
          'dynamodb.service.endpoint': connection.endpoint!,
          'aws.region': connection.region,
          'aws.access.key.id': credentialsOf(connection).accessKeyId,
          'aws.secret.access.key': credentialsOf(connection).secretAccessKey,
          'bootstrap.servers': bootstrapServers,
          'offset.storage.topic': `${sourceName}-offsets`,
        },
      },
      sink: {
        name: uniqueName('late-repl-sink'),
        config: {
          'connector.class': 'DynamoDbSink',
          topics: table,
          'aws.dynamodb.endpoint': target.endpoint!,
          'aws.dynamodb.region': target.region,
          'aws.access.key.id': credentialsOf(target).accessKeyId,
          'aws.secret.access.key': credentialsOf(target).secretAccessKey,
          'bootstrap.servers': bootstrapServers,
        },
      },
    };
    topicsCreated.push(`${sourceName}-offsets`);
    const paths = Object.entries(files).map(([kind, file]) => {
      const path = join(directory, `${kind}.json`);
      writeFileSync(path, JSON.stringify(file));
      return path;
    });
    const worker = await Worker.fromFiles(paths, createLogger('late-replication', 'warn'));
    await worker.start();
    defer(() => worker.stop());

    const state = (client: typeof dynamodb) => scanAll(client, table).then((items) => normalise(expectedState(items, { hashKey: 'id' })), () => ({}));
    await expect.poll(() => state(targetDb), { timeout: 30_000, interval: 200 }).toEqual(await state(dynamodb));
    // And the stream keeps flowing through: a change after the snapshot arrives too.
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-start' }, n: { N: '-1' } } }));
    await expect.poll(() => state(targetDb), { timeout: PICK_UP_BOUND_MS, interval: 200 }).toEqual(await state(dynamodb));
  });
});
