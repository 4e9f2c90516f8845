import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import type { DynamoDbConnection } from '../../../src/adapters/dynamodb/client.js';
import { uniqueName } from '../../support/aws.js';
import { startPrivateDynamoDb } from '../../support/private-dynamodb.js';
import { startSource } from '../../support/source.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll } from '../../support/tables.js';
import { dilateTime } from '../../support/test-control.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const envelopes = (records: ConsumedRecord[]) => records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!));

describe('source: stream gaps and expired iterators (private DynamoDB Local with a movable clock)', () => {
  let server: Awaited<ReturnType<typeof startPrivateDynamoDb>>;
  let connection: DynamoDbConnection;
  let dynamodb: ReturnType<typeof createDynamoDbClient>;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startPrivateDynamoDb();
    connection = server.connection;
    dynamodb = createDynamoDbClient(connection);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    dynamodb?.destroy();
    await server?.stop();
  });

  async function followedTable(prefix: string) {
    const table = uniqueName(prefix);
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: 100 }, (_, index) => ({ id: { S: `item-${index}` }, n: { N: String(index) } })));
    return table;
  }

  it('re-acquires an expired iterator from the checkpoint without losing or repeating a change', async () => {
    const table = await followedTable('expiry');
    const source = await startSource({ name: uniqueName('expiry'), tables: [table], dynamodb: connection, overrides: { syncMode: 'CDC' } });
    cleanups.push(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    cleanups.push(() => follower.close());
    await follower.waitFor((records) => envelopes(records).length === 100, 60_000, 'the 100 initial inserts');

    await dilateTime(dynamodb, 1); // every open iterator is now older than 15 minutes
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-expiry' } } }));
    await follower.waitFor((records) => envelopes(records).length === 101, 60_000, 'the change written after the iterator expired');

    const sequenceNumbers = envelopes(follower.records).map((envelope) => envelope.source.seq_No);
    expect(new Set(sequenceNumbers).size).toBe(101);
    expect(normalise(replay(follower.records))).toEqual(normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' })));
  });

  it('re-snapshots when the checkpoint was trimmed (resnapshot policy) and stops with a clear error (fail policy)', async () => {
    const resnapshotTable = await followedTable('gap-resnapshot');
    const failTable = await followedTable('gap-fail');
    const name = { resnapshot: uniqueName('gap-resnapshot'), fail: uniqueName('gap-fail') };
    const followers = {
      resnapshot: await TopicFollower.follow(inject('stack').kafka.bootstrapServers, resnapshotTable),
      fail: await TopicFollower.follow(inject('stack').kafka.bootstrapServers, failTable),
    };
    cleanups.push(() => followers.resnapshot.close(), () => followers.fail.close());

    // First run: snapshot, then one change each, so each table has a checkpoint inside its stream.
    const first = [
      await startSource({ name: name.resnapshot, tables: [resnapshotTable], dynamodb: connection }),
      await startSource({ name: name.fail, tables: [failTable], dynamodb: connection, overrides: { cdc: { gapPolicy: 'fail' } } }),
    ];
    // Once streaming: a change made before the scan starts would be shown by the snapshot, not streamed.
    for (const source of first) await expect.poll(() => source.connector.status().tables[0]?.state, { timeout: 60_000 }).toBe('STREAMING');
    for (const table of [resnapshotTable, failTable]) {
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'checkpointed' } } }));
    }
    for (const follower of Object.values(followers)) {
      await follower.waitFor((records) => envelopes(records).some((envelope) => envelope.op === 'c'), 60_000, 'the first change');
    }
    for (const source of first) await source.stop();

    // While the connectors are down, a change lands behind the checkpoint and then 25 h pass: it is trimmed
    // before anyone read it. (A checkpoint at a shard's last record would be no gap: all was read.)
    for (const table of [resnapshotTable, failTable]) {
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'never-read' } } }));
    }
    await dilateTime(dynamodb, 25);
    for (const table of [resnapshotTable, failTable]) {
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'after-gap' } } }));
    }

    const resumed = await startSource({ name: name.resnapshot, tables: [resnapshotTable], dynamodb: connection });
    cleanups.push(() => resumed.stop());
    const expected = normalise(expectedState(await scanAll(dynamodb, resnapshotTable), { hashKey: 'id' }));
    // The second snapshot whole (the replay can equal the table as soon as it has read the missed items, before
    // it ends), then exactly once: each item one record.
    const secondSnapshotOf = (records: typeof followers.resnapshot.records) =>
      envelopes(records).filter((envelope) => envelope.op === 'r' && envelope.source.snapshotCount === 2);
    await followers.resnapshot.waitFor(
      (records) => secondSnapshotOf(records).length >= 103 && JSON.stringify(normalise(replay(records))) === JSON.stringify(expected),
      90_000,
      'a whole second snapshot and topic state = table',
    );
    expect(secondSnapshotOf(followers.resnapshot.records)).toHaveLength(103);

    const failing = await startSource({ name: name.fail, tables: [failTable], dynamodb: connection, overrides: { cdc: { gapPolicy: 'fail' } } });
    cleanups.push(() => failing.stop());
    await expect.poll(() => failing.connector.status().tables[0]?.error ?? '', { timeout: 60_000 }).toMatch(/must be re-snapshotted.*gap\.policy=fail/);
    expect(envelopes(followers.fail.records).some((envelope) => envelope.source.snapshotCount === 2)).toBe(false);
  });
});
