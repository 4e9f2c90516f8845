import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, inject, it } from 'vitest';
import { createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import { createStreamHandler } from '../../../src/lambda/handler.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { eventOf, lambdaEnv, lambdaRecords } from '../../support/lambda-events.js';
import { capturingLogger } from '../../support/source.js';
import { createTable, putItems } from '../../support/tables.js';
import { forceRollover } from '../../support/test-control.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('lambda: batches of a parent shard and of its child', () => {
  // A database of its own: a rollover closes every shard of the database.
  const { connection, dynamodb, defer } = suiteResources('lambdaroll');

  it("finds each batch's shard (the events do not name it): shard_Id, offsets and producer per shard", async () => {
    const stack = inject('stack');
    const streams = createStreamsClient(connection);
    defer(async () => streams.destroy());
    const table = uniqueName('lambda-rollover');
    const created = await createTable(dynamodb, table);
    const streamArn = created.LatestStreamArn!;
    const shardIds = async () => (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards!;
    const follower = await TopicFollower.follow(stack.kafka.bootstrapServers, table);
    defer(() => follower.close());
    const name = uniqueName('fn');
    const lines: string[] = [];
    const handler = await createStreamHandler(lambdaEnv({ bootstrapServers: stack.kafka.bootstrapServers, connection, table, name }), { log: capturingLogger(lines, name) });
    defer(() => handler.close());

    await putItems(dynamodb, table, [{ id: { S: 'a' } }, { id: { S: 'b' } }]);
    const parent = (await shardIds())[0]!.ShardId!;
    const parentRecords = await lambdaRecords(streams, { streamArn, shardId: parent });
    expect(await handler.handle(eventOf(parentRecords))).toEqual({ batchItemFailures: [] });
    // The shard closes and a child begins: the handler's shard list still shows the parent open, so the child's
    // batch is first looked for in the parent (reading it there finds nothing), then found in a new list.
    await forceRollover(dynamodb);
    await putItems(dynamodb, table, [{ id: { S: 'c' } }]);
    const child = (await shardIds()).find((shard) => shard.ParentShardId === parent)!.ShardId!;
    const childRecords = await lambdaRecords(streams, { streamArn, shardId: child });
    expect([parentRecords.length, childRecords.length]).toEqual([2, 1]);
    expect(await handler.handle(eventOf(childRecords))).toEqual({ batchItemFailures: [] });
    // Delivered again, each is recognised by its own shard's offset.
    expect(await handler.handle(eventOf(parentRecords))).toEqual({ batchItemFailures: [] });
    expect(await handler.handle(eventOf(childRecords))).toEqual({ batchItemFailures: [] });

    await follower.waitFor((got) => got.length >= 3, 30_000, 'three changes');
    const sources = follower.records.map((record) => JSON.parse(record.value!).source);
    expect(sources.map((source) => [source.shard_Id, source.seq_No])).toEqual([
      ...parentRecords.map((record) => [parent, record.dynamodb!.SequenceNumber]),
      [child, childRecords[0]!.dynamodb!.SequenceNumber],
    ]);
    const label = streamArn.split('/stream/')[1];
    expect(lines.filter((line) => line.includes('producer') && line.includes('ready'))).toEqual([
      expect.stringContaining(`${name}/${table}/${label}/${parent}`),
      expect.stringContaining(`${name}/${table}/${label}/${child}`),
    ]);
  });
});
