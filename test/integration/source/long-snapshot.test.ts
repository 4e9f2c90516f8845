import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { uniqueName } from '../../support/aws.js';
import { startPrivateDynamoDb } from '../../support/private-dynamodb.js';
import { capturingLogger, startSource } from '../../support/source.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll, type Item } from '../../support/tables.js';
import { dilateTime } from '../../support/test-control.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const ITEMS = 6000;

interface Envelope {
  op: string;
  source: { sync_mode: string; snapshotCount: number | null };
  after: { document: string } | null;
}

/** Each key's records in topic order: `r` reads and stream changes, with the write counter `w` they carry. */
function historyByKey(records: ConsumedRecord[]): Map<string, Array<{ op: string; w: number | undefined }>> {
  const history = new Map<string, Array<{ op: string; w: number | undefined }>>();
  for (const record of records) {
    if (record.key === null || record.value === null) continue;
    const envelope = JSON.parse(record.value) as Envelope;
    const after = envelope.after ? (JSON.parse(envelope.after.document) as Record<string, { N?: string }>) : undefined;
    const entries = history.get(record.key) ?? [];
    entries.push({ op: envelope.op, w: after?.w?.N === undefined ? undefined : Number(after.w.N) });
    history.set(record.key, entries);
  }
  return history;
}

/**
 * Keys whose state went backwards once their first stream change was in the topic: a later record (a snapshot
 * read or a change) carrying an older write than one already seen.
 */
function backwardsAfterFirstChange(records: ConsumedRecord[]): string[] {
  const backwards: string[] = [];
  for (const [key, entries] of historyByKey(records)) {
    const first = entries.findIndex((entry) => entry.op !== 'r');
    if (first < 0) continue;
    let latest = -1;
    for (const entry of entries.slice(first)) {
      if (entry.w === undefined) continue;
      if (entry.w < latest) {
        backwards.push(key);
        break;
      }
      latest = entry.w;
    }
  }
  return backwards;
}

/**
 * Puts, updates and deletes over the table's keys (and some new ones) until stopped; every write carries `w`, a
 * counter that only grows, so the topic can tell a newer state from an older one.
 */
function startWriter(dynamodb: ReturnType<typeof createDynamoDbClient>, table: string) {
  let w = 0;
  let stopped = false;
  /** Set while paused: the loop parks on `resumed` after telling `parked`. */
  let pause: { parked: () => void; resumed: Promise<void>; resume: () => void } | undefined;
  const loop = (async () => {
    while (!stopped) {
      if (pause) {
        pause.parked();
        await pause.resumed;
        continue;
      }
      const id = { S: `item-${(w * 7919) % Math.floor(ITEMS * 1.1)}` };
      w++;
      switch (w % 3) {
        case 0:
          await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id, w: { N: String(w) }, kind: { S: 'put' } } }));
          break;
        case 1:
          await dynamodb.send(
            new UpdateItemCommand({ TableName: table, Key: { id }, UpdateExpression: 'SET w = :w, kind = :k', ExpressionAttributeValues: { ':w': { N: String(w) }, ':k': { S: 'update' } } }),
          );
          break;
        default:
          await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id } }));
      }
    }
  })();
  return {
    get writes() {
      return w;
    },
    /** Resolves once the write in flight is done and no other starts. */
    pause(): Promise<void> {
      return new Promise<void>((parked) => {
        let resume!: () => void;
        const resumed = new Promise<void>((resolve) => (resume = resolve));
        pause = { parked, resumed, resume };
      });
    },
    resume() {
      const paused = pause;
      pause = undefined;
      paused?.resume();
    },
    async stop() {
      stopped = true;
      this.resume();
      await loop;
    },
  };
}

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
    const writer = startWriter(dynamodb, table);
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
