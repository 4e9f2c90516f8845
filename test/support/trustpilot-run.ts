// A config written for trustpilot's kafka-connect-dynamodb (its class name, its keys), run through the config path
// the CLI takes (connector file → Worker), and what its records must hold, whatever format carries them: the
// scenarios are shared by the JSON form's test and the registry formats' tests, which differ only in how a
// consumer reads a record.
import { CreateTableCommand, DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import { createLogger } from '../../src/runtime/logger.js';
import { Worker } from '../../src/runtime/worker.js';
import { uniqueName } from './aws.js';
import { startSink } from './sink.js';
import { createTable, expectedState, normalise, putItems, scanAll, type Item } from './tables.js';
import { TopicFollower, type ConsumedRecord } from './topic-follower.js';

const VALUE_FIELDS = ['version', 'document', 'source', 'op', 'ts_ms'];
const SOURCE_FIELDS = ['version', 'table_name', 'init_sync', 'init_sync_state', 'init_sync_start', 'init_sync_end', 'init_sync_count'];

/** A trustpilot connector's properties, as its docs/options.md lists them, plus what our worker needs to reach Kafka. */
export function trustpilotConfig(table: string, dynamodb: DynamoDbConnection): Record<string, string> {
  const credentials = dynamodb.credentials as { accessKeyId: string; secretAccessKey: string };
  return {
    'connector.class': 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector',
    'tasks.max': '1',
    'aws.region': dynamodb.region,
    'aws.access.key.id': credentials.accessKeyId,
    'aws.secret.key': credentials.secretAccessKey,
    'dynamodb.service.endpoint': dynamodb.endpoint!,
    'dynamodb.table.whitelist': table,
    'init.sync.delay.period': '60',
    'connect.dynamodb.rediscovery.period': '60000',
    'bootstrap.servers': inject('stack').kafka.bootstrapServers,
    'offset.storage.topic': `${table}-offsets`,
  };
}

/** Runs a connector file through the worker, as `dynamodb-kafka run <file>` does. */
export async function runConnectorFile(name: string, config: Record<string, string>) {
  const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-trustpilot-')), `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, config }));
  const worker = await Worker.fromFiles([file], createLogger(name, 'warn'));
  await worker.start();
  return worker;
}

/** A record as a trustpilot consumer reads it: the key's fields and the value's (null: a tombstone), longs as numbers. */
export interface TrustpilotRecord {
  key: Record<string, string>;
  value: { version: string; document: string; source: Record<string, unknown>; op: string; ts_ms: number } | null;
}
export type TrustpilotReader = (record: ConsumedRecord) => Promise<TrustpilotRecord>;

/** What a trustpilot consumer of the JSON form does with a record. */
export const readTrustpilotJson: TrustpilotReader = async (record) => ({ key: JSON.parse(record.key!), value: record.value === null ? null : JSON.parse(record.value) });

interface Resources {
  connection: DynamoDbConnection;
  dynamodb: DynamoDBClient;
  defer: (cleanup: () => Promise<void>) => void;
}

/**
 * A trustpilot config (plus `extra` keys) writes r records while snapshotting, then c, u, d and a tombstone, each
 * read by `read` field by field as trustpilot writes them.
 */
export async function expectTrustpilotShape({ connection, dynamodb, defer }: Resources, extra: Record<string, string>, read: TrustpilotReader): Promise<void> {
  const table = uniqueName('tpshape');
  await createTable(dynamodb, table, 'NEW_IMAGE'); // trustpilot reads NEW_IMAGE streams
  await putItems(dynamodb, table, [
    { id: { S: '5028' }, 'attribute-1': { S: 'test185347' }, 'attribute-ns': { NS: ['3', '1'] }, 'attribute-m': { M: { key1: { S: 'MTYPE' } } }, 'attribute-null': { NULL: true } },
    { id: { S: 'a' }, n: { N: '12345678901234567890123456789012345678' } },
    { id: { S: 'b' }, flag: { BOOL: true } },
  ]);
  const worker = await runConnectorFile(uniqueName('tpsource'), { ...trustpilotConfig(table, connection), ...extra });
  defer(() => worker.stop());
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, `dynamodb-${table}`);
  defer(() => follower.close());
  // Nothing changes before the snapshot's three records are in: they are the first three.
  await follower.waitFor((records) => records.length >= 3, 60_000, 'the snapshot of 3 items');

  await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'new' }, v: { N: '1' } } }));
  await dynamodb.send(new UpdateItemCommand({ TableName: table, Key: { id: { S: 'b' } }, UpdateExpression: 'SET flag = :f', ExpressionAttributeValues: { ':f': { BOOL: false } } }));
  await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));
  await follower.waitFor((records) => records.some((record) => record.bytes.value === null), 60_000, 'the tombstone');

  const records = await Promise.all(follower.records.map(read));
  const document = (record: TrustpilotRecord) => JSON.parse(record.value!.document) as Record<string, Record<string, unknown>>;
  const snapshot = records.slice(0, 3);
  const startedAt = snapshot[0]!.value!.source.init_sync_start as number;
  for (const { value } of snapshot) {
    expect(Object.keys(value!)).toEqual(VALUE_FIELDS);
    expect(Object.keys(value!.source)).toEqual(SOURCE_FIELDS);
    expect(value).toMatchObject({ version: '1.0', op: 'r', ts_ms: startedAt });
    expect(value!.source).toEqual({
      version: '1.0',
      table_name: table,
      init_sync: true,
      init_sync_state: 'RUNNING',
      init_sync_start: startedAt,
      init_sync_end: null,
      init_sync_count: null,
    });
  }
  const documented = snapshot.find((record) => record.key.id === '5028')!;
  expect(documented.key).toEqual({ id: '5028' });
  expect(document(documented)).toEqual({
    id: { s: '5028' },
    attribute1: { s: 'test185347' },
    attributens: { ns: expect.arrayContaining(['3', '1']) },
    attributem: { m: { key1: { s: 'MTYPE' } } },
    attributenull: { null: true },
  });
  expect(document(snapshot.find((record) => record.key.id === 'a')!).n).toEqual({ n: '12345678901234567890123456789012345678' });

  const stream = records.slice(3).filter((record) => record.value !== null);
  const last = (op: string, id: string) => stream.filter((record) => record.value!.op === op && record.key.id === id).at(-1)!;
  expect(document(last('c', 'new'))).toEqual({ id: { s: 'new' }, v: { n: '1' } });
  expect(document(last('u', 'b'))).toEqual({ id: { s: 'b' }, flag: { bool: false } });
  expect(document(last('d', 'a'))).toEqual({ id: { s: 'a' } }); // a delete's document holds the item's keys, as trustpilot's does
  for (const { value } of stream) {
    expect(Object.keys(value!)).toEqual(VALUE_FIELDS);
    expect(value!.version).toBe('1.0');
    expect(value!.source).toMatchObject({ table_name: table, init_sync: false, init_sync_state: 'FINISHED', init_sync_start: startedAt, init_sync_count: 3 });
    expect(value!.source.init_sync_end).toBeGreaterThanOrEqual(startedAt);
    expect(value!.ts_ms).toBeGreaterThan(0);
  }

  // The tombstone follows its delete, with the same key.
  const deleteAt = records.findIndex((record) => record.value?.op === 'd');
  expect(records[deleteAt + 1]).toEqual({ key: { id: 'a' }, value: null });
}

/**
 * A table replicated through trustpilot's records, written by a trustpilot config (plus `sourceExtra`) and read by
 * the sink (plus `sinkExtra`), ends equal to the source after inserts, updates and deletes, number keys included.
 */
export async function expectTrustpilotReplication(
  source: Resources,
  target: Omit<Resources, 'defer'>,
  sourceExtra: Record<string, string>,
  sinkExtra: Record<string, string>,
): Promise<void> {
  const { connection: sourceConnection, dynamodb: sourceDb, defer } = source;
  const table = uniqueName('tprepl');
  const keySchema = { hashKey: 'pk', rangeKey: 'sk' };
  await createNumberSortedTable(sourceDb, table, true);
  const item = (index: number): Item => ({
    pk: { S: `customer-${index % 7}` },
    sk: { N: String(index) },
    total: { N: `${index}.${index % 100}` },
    tags: { SS: ['a', `t${index % 5}`] },
    blob: { B: Uint8Array.from([index % 256, 0, 255]) },
    nested: { M: { 'list-of': { L: [{ NULL: true }, { BOOL: index % 2 === 0 }] } } },
  });
  await putItems(sourceDb, table, Array.from({ length: 60 }, (_, index) => item(index)));
  const worker = await runConnectorFile(uniqueName('tpreplsource'), { ...trustpilotConfig(table, sourceConnection), ...sourceExtra });
  defer(() => worker.stop());
  const topic = `dynamodb-${table}`;
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, topic);
  defer(() => follower.close());
  // Nothing changes before the snapshot's records are in: they are the first 60.
  await follower.waitFor((records) => records.length >= 60, 60_000, 'the snapshot');

  // Every existing item of an even sk is deleted, updated or overwritten; five new ones come, two of them go.
  let deletes = 0;
  const remove = async (key: Item) => {
    await sourceDb.send(new DeleteItemCommand({ TableName: table, Key: key }));
    deletes++;
  };
  for (let index = 0; index < 30; index++) {
    const key = { pk: { S: `customer-${(index * 2) % 7}` }, sk: { N: String(index * 2) } };
    if (index % 3 === 0) await remove(key);
    else if (index % 3 === 1) {
      await sourceDb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET #total = :t ADD tags :s', ExpressionAttributeNames: { '#total': 'total' }, ExpressionAttributeValues: { ':t': { N: String(index * 1000) }, ':s': { SS: ['updated'] } } }));
    } else await sourceDb.send(new PutItemCommand({ TableName: table, Item: { ...item(100 + index), pk: key.pk, sk: key.sk } }));
  }
  const fresh = Array.from({ length: 5 }, (_, index) => item(1000 + index));
  await putItems(sourceDb, table, fresh);
  for (const gone of fresh.slice(0, 2)) await remove({ pk: gone.pk!, sk: gone.sk! });
  await follower.waitFor((records) => records.filter((record) => record.bytes.value === null).length === deletes, 60_000, 'every tombstone');

  // The sink starts once the whole history is in the topic: its first round holds deletes and their tombstones,
  // whose string keys must be read as the numbers the target table stores.
  const targetTable = uniqueName('tptarget');
  await createNumberSortedTable(target.dynamodb, targetTable, false);
  const sink = await startSink(uniqueName('tpreplsink'), target.connection, { topics: topic, 'table.name.format': targetTable, 'errors.tolerance': 'none', ...sinkExtra });
  defer(() => sink.stop());

  const state = (client: DynamoDBClient, name: string) => scanAll(client, name).then((items) => normalise(expectedState(items, keySchema)));
  const expected = await state(sourceDb, table);
  expect(Object.keys(expected)).toHaveLength(60 - 10 + 5 - 2);
  await expect.poll(() => state(target.dynamodb, targetTable), { timeout: 90_000 }).toEqual(expected);
  expect(sink.connector.status().tasks.every((task) => task.state === 'RUNNING' && task.recordsDeadLettered === 0)).toBe(true);
}

/** A table keyed by (pk S, sk N): trustpilot's keys carry the number as text, which the sink must type back. */
async function createNumberSortedTable(client: DynamoDBClient, name: string, withStream: boolean): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...(withStream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
}
