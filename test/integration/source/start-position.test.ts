import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { startSource } from '../../support/source.js';
import { createTable } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

/**
 * DynamoDB Streams has no AT_TIMESTAMP iterator: the connector reads from TRIM_HORIZON and skips records created
 * before the start time. (DynamoDB Local rounds creation times to the minute and DILATE_TIME does not move them,
 * so the boundary is tested an hour on either side.)
 */
describe('source: AT_TIMESTAMP start position', () => {
  const { connection, dynamodb, defer } = suiteResources('startposition');

  async function tableWithChanges(): Promise<string> {
    const table = uniqueName('start-position');
    await createTable(dynamodb, table);
    for (const id of ['one', 'two', 'three']) await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    return table;
  }

  it('delivers every change made after a start time in the past', async () => {
    const table = await tableWithChanges();
    const source = await startSource({
      name: uniqueName('start-past'),
      tables: [table],
      dynamodb: connection,
      overrides: { syncMode: 'CDC', cdc: { initialPosition: 'AT_TIMESTAMP', startTimestampMs: Date.now() - 3_600_000 } },
    });
    defer(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    await follower.waitFor((records) => records.length === 3, 60_000, 'three changes');
    expect(follower.records.map((record) => JSON.parse(record.value!).op)).toEqual(['c', 'c', 'c']);
  });

  it('skips every change made before a start time in the future, having read them', async () => {
    const table = await tableWithChanges();
    const source = await startSource({
      name: uniqueName('start-future'),
      tables: [table],
      dynamodb: connection,
      overrides: { syncMode: 'CDC', cdc: { initialPosition: 'AT_TIMESTAMP', startTimestampMs: Date.now() + 3_600_000 } },
    });
    defer(() => source.stop());
    const stream = () => source.connector.status().tables[0]?.stream;
    await expect.poll(() => stream()?.recordsSkipped, { timeout: 60_000 }).toBe(3);
    expect(stream()?.recordsWritten).toBe(0);
  });
});
