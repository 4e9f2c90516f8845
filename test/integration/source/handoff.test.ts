import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { startSource, type SourceUnderTest } from '../../support/source.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll, type Item } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('source: snapshot → stream hand-off', () => {
  const { connection, dynamodb, defer } = suiteResources('handoff');

  it('loses nothing: the topic replayed in order equals the table after changes during and after the snapshot', async () => {
    const table = uniqueName('handoff');
    await createTable(dynamodb, table);
    const initial: Item[] = Array.from({ length: 3000 }, (_, index) => ({
      id: { S: `item-${index}` },
      n: { N: String(index) },
      tags: { SS: ['a', `t${index % 7}`] },
      nested: { M: { list: { L: [{ N: '1.50' }, { S: '' }, { NULL: true }, { BOOL: index % 2 === 0 }] } } },
      blob: { B: Uint8Array.from([0, 255, index % 256]) },
    }));
    await putItems(dynamodb, table, initial);

    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    let source: SourceUnderTest | undefined;
    // The topic does not exist until the connector creates it; start the connector first.
    source = await startSource({ name: uniqueName('handoff'), tables: [table], dynamodb: connection, overrides: { snapshot: { segments: 4, maxPollRecords: 250 } } });
    defer(() => source!.stop());

    // Changes while the snapshot runs and after it: inserts, updates, deletes, and a key deleted then re-created.
    for (let round = 0; round < 600; round++) {
      const id = `item-${(round * 37) % 3600}`;
      switch (round % 4) {
        case 0:
          await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, n: { N: `${round}.25` }, round: { N: String(round) } } }));
          break;
        case 1:
          await dynamodb.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { id: { S: id } },
              UpdateExpression: 'SET touched = :t ADD tags :s',
              ExpressionAttributeValues: { ':t': { N: String(round) }, ':s': { SS: [`r${round}`] } },
            }),
          );
          break;
        default:
          await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: id } } }));
      }
    }

    const expected = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    await follower.waitFor((records) => JSON.stringify(normalise(replay(records))) === JSON.stringify(expected), 90_000, 'topic state = table');

    const envelopes = follower.records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!));
    const ops = new Set(envelopes.map((envelope) => envelope.op));
    expect([...ops].sort()).toEqual(['c', 'd', 'r', 'u']);
    // Every delete is followed by a tombstone for the same key.
    const deletes = follower.records.filter((record) => record.value && JSON.parse(record.value).op === 'd');
    for (const deleted of deletes) {
      const next = follower.records.find((record) => record.offset === deleted.offset + 1);
      expect(next).toMatchObject({ key: deleted.key, value: null });
    }
  });
});
