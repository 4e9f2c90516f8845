import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { uniqueName } from '../../support/aws.js';
import { backwardsAfterFirstChange, startChurn, type Envelope } from '../../support/churn.js';
import { startPrivateDynamoDb } from '../../support/private-dynamodb.js';
import { capturingLogger, startSource } from '../../support/source.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll, type Item } from '../../support/tables.js';
import { dilateTime } from '../../support/test-control.js';
import { TopicFollower } from '../../support/topic-follower.js';

const ITEMS = 6000;

describe('source: a snapshot that outlasts the stream retention (private DynamoDB Local with a movable clock)', () => {
  let server: Awaited<ReturnType<typeof startPrivateDynamoDb>>;
  let dynamodb: ReturnType<typeof createDynamoDbClient>;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startPrivateDynamoDb();
    dynamodb = createDynamoDbClient(server.connection);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    dynamodb?.destroy();
    await server?.stop();
  });

  it('loses nothing and never goes backwards when 25 h pass mid-snapshot, with writes throughout', async () => {
    const table = uniqueName('long-snapshot');
    await createTable(dynamodb, table);
    const initial: Item[] = Array.from({ length: ITEMS }, (_, index) => ({ id: { S: `item-${index}` }, w: { N: '0' }, pad: { S: 'x'.repeat(100) } }));
    await putItems(dynamodb, table, initial);

    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    cleanups.push(() => follower.close());
    const lines: string[] = [];
    // What the pipeline did is the first thing to read when this fails.
    onTestFailed(() => console.log(lines.slice(-40).join('\n')));
    // Paced: 2 segments of 200-item pages at 1 RCU/s read the table in about a minute.
    const source = await startSource({
      name: uniqueName('long-snapshot'),
      tables: [table],
      dynamodb: server.connection,
      overrides: { snapshot: { segments: 2, maxPollRecords: 200, maxRcu: 1 } },
      log: capturingLogger(lines),
    });
    cleanups.push(() => source.stop());
    const status = () => source.connector.status().tables[0];
    const writer = startChurn(dynamodb, table, Math.floor(ITEMS * 1.1));
    cleanups.push(() => writer.stop());

    // A third into the snapshot, with writes running: the stream has kept up with them (a change written now
    // reaches the topic while the snapshot is still reading)...
    await expect.poll(() => status()?.snapshot?.itemsRead ?? 0, { timeout: 60_000 }).toBeGreaterThan(ITEMS / 3);
    await writer.pause();
    const marker = { id: { S: 'marker' }, w: { N: String(writer.writes + 1_000_000) } };
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: marker }));
    await expect
      .poll(() => follower.records.some((record) => record.key?.includes('marker')), { timeout: 20_000, message: 'a change made mid-snapshot reaches the topic before the snapshot ends' })
      .toBe(true);
    expect(status()?.state).toBe('SNAPSHOT');
    // ...then a day and an hour pass: every record written so far is past the retention, the shard rolls over.
    await dilateTime(dynamodb, 25);
    writer.resume();

    await expect.poll(() => status()?.state, { timeout: 120_000 }).toBe('STREAMING');
    // Writes go on after the hand-off too.
    const atHandoff = writer.writes;
    await expect.poll(() => writer.writes, { timeout: 60_000 }).toBeGreaterThan(atHandoff + 200);
    await writer.stop();

    const expected = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    await follower.waitFor((records) => JSON.stringify(normalise(replay(records))) === JSON.stringify(expected), 90_000, 'topic state = table');

    const envelopes = follower.records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!) as Envelope);
    // One snapshot, no re-snapshot (let alone a loop).
    expect(new Set(envelopes.filter((envelope) => envelope.op === 'r').map((envelope) => envelope.source.snapshotCount))).toEqual(new Set([1]));
    expect(status()?.snapshot?.snapshotCount).toBe(1);
    expect(lines.filter((line) => line.includes('re-snapshot'))).toEqual([]);
    expect(backwardsAfterFirstChange(follower.records)).toEqual([]);
  }, 300_000);
});
