import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { isolatedDynamoDb, suiteResources, uniqueName } from '../../support/aws.js';
import { startSink } from '../../support/sink.js';
import { startSource } from '../../support/source.js';
import { createTable, normalise, expectedState, putItems, scanAll } from '../../support/tables.js';

describe('replication: source → Kafka → sink copies a table to another database', () => {
  const { connection: sourceConnection, dynamodb: sourceDb, defer } = suiteResources('replsource');
  // Another access key is another database on DynamoDB Local: the stand-in for another account.
  const targetConnection = isolatedDynamoDb('repltarget');
  const targetDb = createDynamoDbClient(targetConnection);
  defer(async () => targetDb.destroy());

  it('ends with the target equal to the source, item for item, after inserts, updates and deletes', async () => {
    const table = uniqueName('replicated');
    await createTable(sourceDb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'pk', rangeKey: 'sk' });
    await putItems(
      sourceDb,
      table,
      Array.from({ length: 300 }, (_, index) => ({
        pk: { S: `customer-${index % 30}` },
        sk: { S: `order-${index}` },
        total: { N: `${index}.${index % 100}` },
        tags: { SS: ['a', `t${index % 5}`] },
        blob: { B: Uint8Array.from([index % 256, 0, 255]) },
        nested: { M: { list: { L: [{ NULL: true }, { BOOL: index % 2 === 0 }] } } },
      })),
    );
    const source = await startSource({ name: uniqueName('repl-source'), tables: [table], dynamodb: sourceConnection });
    defer(() => source.stop());
    const sink = await startSink(uniqueName('repl-sink'), targetConnection, { topics: table });
    defer(() => sink.stop());

    for (let index = 0; index < 100; index++) {
      const key = { pk: { S: `customer-${index % 30}` }, sk: { S: `order-${index * 3}` } };
      if (index % 3 === 0) await sourceDb.send(new DeleteItemCommand({ TableName: table, Key: key }));
      else if (index % 3 === 1) {
        await sourceDb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET #total = :t ADD tags :s', ExpressionAttributeNames: { '#total': 'total' }, ExpressionAttributeValues: { ':t': { N: String(index * 1000) }, ':s': { SS: ['updated'] } } }));
      } else await sourceDb.send(new PutItemCommand({ TableName: table, Item: { ...key, fresh: { S: 'yes' } } }));
    }

    const keySchema = { hashKey: 'pk', rangeKey: 'sk' };
    const sourceState = () => scanAll(sourceDb, table).then((items) => normalise(expectedState(items, keySchema)));
    const targetState = () => scanAll(targetDb, table).then((items) => normalise(expectedState(items, keySchema))).catch(() => ({}));
    const expected = await sourceState();
    await expect.poll(targetState, { timeout: 90_000 }).toEqual(expected);
  });
});
