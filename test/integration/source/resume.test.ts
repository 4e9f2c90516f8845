import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const envelopes = (records: ConsumedRecord[]) => records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!));
const snapshotRecords = (records: ConsumedRecord[]) => envelopes(records).filter((envelope) => envelope.op === 'r');
const changeRecords = (records: ConsumedRecord[]) => envelopes(records).filter((envelope) => envelope.source.sync_mode === 'CDC');

describe('source: resume after kill -9 (the real CLI process)', () => {
  const { connection, dynamodb, defer } = suiteResources('resume');
  const ITEMS = 6000;

  function connectorConfig(table: string, exactlyOnce: boolean): Record<string, string> {
    return {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': table,
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'dynamodb.service.endpoint': connection.endpoint!,
      'aws.region': connection.region,
      'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
      // Small pages make the snapshot long enough to be killed in the middle of it.
      'dynamodb.snapshot.max.poll.records': '10',
      'dynamodb.snapshot.segments': '3',
      'max.batch.size': '10',
      'exactly.once.support': exactlyOnce ? 'enabled' : 'disabled',
      'offset.storage.topic': `${table}-offsets`,
    };
  }

  async function scenario(exactlyOnce: boolean) {
    const table = uniqueName(exactlyOnce ? 'resume-eos' : 'resume-alo');
    const name = uniqueName('resume');
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => ({ id: { S: `item-${index}` }, n: { N: String(index) } })));

    let process = ConnectorProcess.start(name, connectorConfig(table, exactlyOnce));
    defer(async () => void (await process.stop('SIGKILL')));
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());

    // 1. Killed in the middle of the snapshot.
    await follower.waitFor((records) => snapshotRecords(records).length >= ITEMS / 4, 120_000, 'a quarter of the snapshot');
    expect(await process.stop('SIGKILL')).toBe('SIGKILL');
    expect(snapshotRecords(follower.records).length).toBeLessThan(ITEMS);

    process = ConnectorProcess.start(name, connectorConfig(table, exactlyOnce));
    await follower.waitFor((records) => new Set(snapshotRecords(records).map((envelope) => JSON.parse(envelope.after.document).id.S)).size === ITEMS, 120_000, 'every item in the snapshot');

    // 2. Killed while changes stream, with writes going on before, during and after.
    let counter = 0;
    const write = async (count: number) => {
      for (let index = 0; index < count; index++) {
        const id = `item-${(counter * 7919) % (ITEMS + 500)}`;
        await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: String(ITEMS + counter) } } }));
        counter++;
      }
    };
    await write(200);
    await follower.waitFor((records) => changeRecords(records).length >= 100, 60_000, 'changes flowing');
    const writing = write(300);
    expect(await process.stop('SIGKILL')).toBe('SIGKILL');
    await writing;
    process = ConnectorProcess.start(name, connectorConfig(table, exactlyOnce));
    await write(100);

    const expected = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    await follower.waitFor((records) => JSON.stringify(normalise(replay(records))) === JSON.stringify(expected), 120_000, 'topic state = table');
    expect(await process.stop('SIGTERM')).toBe(0);
    return { follower };
  }

  it('exactly-once: a read_committed consumer sees every item and every change exactly once', async () => {
    const { follower } = await scenario(true);
    // Each item once in the snapshot: the killed segments resumed at their LastEvaluatedKey, not at the start.
    const snapshotIds = snapshotRecords(follower.records).map((envelope) => JSON.parse(envelope.after.document).id.S);
    expect(snapshotIds).toHaveLength(ITEMS);
    expect(new Set(snapshotIds).size).toBe(ITEMS);
    // Each stream record once, whatever was in flight when the process died.
    const sequenceNumbers = changeRecords(follower.records).map((envelope) => envelope.source.seq_No);
    expect(sequenceNumbers.length).toBeGreaterThanOrEqual(600);
    expect(new Set(sequenceNumbers).size).toBe(sequenceNumbers.length);
  });

  it('at-least-once: nothing is lost (duplicates allowed)', async () => {
    const { follower } = await scenario(false);
    const snapshotIds = new Set(snapshotRecords(follower.records).map((envelope) => JSON.parse(envelope.after.document).id.S));
    expect(snapshotIds.size).toBe(ITEMS);
    // Resumed mid-table: far fewer snapshot records than two full passes.
    expect(snapshotRecords(follower.records).length).toBeLessThan(ITEMS * 1.5);
    expect(new Set(changeRecords(follower.records).map((envelope) => envelope.source.seq_No)).size).toBeGreaterThanOrEqual(600);
  });
});
