import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { produce, sinkWithDeadLetters, startSink } from '../../support/sink.js';
import { createTable, scanAll } from '../../support/tables.js';

describe('sink: records that cannot be written', () => {
  const resources = suiteResources('sinkdlq');
  const { connection, dynamodb, defer } = resources;

  const poison = [
    { key: 'not-json', value: '{this is not json' },
    { key: 'no-id', value: { total: 1 } },
    { key: 'wrong-type', value: { id: 42 } }, // the existing table's key is a string
    { key: 'huge', value: { id: 'huge', blob: 'x'.repeat(410 * 1024) } },
    { key: 'out-of-range', value: '{"id":"oor","n":1e200}' },
  ];

  it('with errors.tolerance=all: poison records go to the dead-letter topic with the error in headers, the rest is written', async () => {
    const topic = uniqueName('mixed');
    await createTable(dynamodb, topic, 'none');
    await produce(topic, [{ key: 'good-1', value: { id: 'good-1' } }, ...poison, { key: 'good-2', value: { id: 'good-2' } }]);
    const { sink, follower } = await sinkWithDeadLetters(resources, topic, ['good-1', 'good-2']);
    await follower.waitFor((records) => records.length === poison.length, 60_000, 'every poison record in the dead-letter topic');
    expect(follower.records.map((record) => record.key)).toEqual(poison.map((record) => record.key));
    // The original bytes, unchanged, and Kafka Connect's error headers.
    expect(follower.records[0]!.value).toBe('{this is not json');
    expect(follower.records[0]!.headers).toMatchObject({ '__connect.errors.topic': topic, '__connect.errors.partition': '0', '__connect.errors.offset': '1' });
    expect(follower.records.map((record) => record.headers['__connect.errors.exception.message'])).toEqual([
      expect.stringMatching(/JSON/i),
      expect.stringMatching(/id/),
      expect.stringMatching(/type|string/i),
      expect.stringMatching(/400 KB/),
      expect.stringMatching(/range/),
    ]);
    await expect.poll(() => sink.connector.status().tasks[0]?.recordsDeadLettered).toBe(poison.length);
  });

  it('with errors.tolerance=all: a record DynamoDB itself refuses goes to the dead-letter topic, the rest of its batch is written', async () => {
    const topic = uniqueName('refused');
    // An index on g (a string): DynamoDB refuses an item whose g is a number, which no conversion check sees.
    await dynamodb.send(
      new CreateTableCommand({
        TableName: topic,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await produce(topic, [
      { key: 'good-1', value: { id: 'good-1', g: 'a' } },
      { key: 'refused', value: { id: 'refused', g: 5 } },
      { key: 'good-2', value: { id: 'good-2', g: 'b' } },
    ]);
    const { follower } = await sinkWithDeadLetters(resources, topic, ['good-1', 'good-2']);
    await follower.waitFor((records) => records.length === 1, 60_000, 'the refused record in the dead-letter topic');
    expect(follower.records[0]!.key).toBe('refused');
    expect(follower.records[0]!.value).toBe('{"id":"refused","g":5}');
    expect(follower.records[0]!.headers).toMatchObject({ '__connect.errors.topic': topic, '__connect.errors.offset': '1' });
    expect(follower.records[0]!.headers['__connect.errors.exception.message']).toMatch(/BatchWriteItem/);
  });

  it('with errors.tolerance=none: the task stops, naming topic, partition, offset and reason, and writes nothing past it', async () => {
    const topic = uniqueName('strict');
    await produce(topic, [{ key: 'x', value: '{broken' }, { key: 'after', value: { id: 'after' } }]);
    const sink = await startSink(uniqueName('sinkstrict'), connection, { topics: topic, 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' });
    defer(() => sink.stop());
    await expect.poll(() => sink.connector.status().tasks[0]?.state, { timeout: 60_000 }).toBe('FAILED');
    expect(sink.connector.status().tasks[0]?.error).toMatch(new RegExp(`topic ${topic} partition 0 offset 0: .*JSON`, 'i'));
    expect(await scanAll(dynamodb, topic).catch(() => [])).toEqual([]);
  });
});
