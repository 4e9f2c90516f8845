import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { startSource } from '../../support/source.js';
import { createTable } from '../../support/tables.js';
import { forceRollover } from '../../support/test-control.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('source: shard lineage on the real server', () => {
  const { connection, dynamodb, defer } = suiteResources('lineage');

  it('reads each child shard only after its parent, keeping every item in order across rollovers', async () => {
    const table = uniqueName('lineage');
    await createTable(dynamodb, table);
    const source = await startSource({ name: uniqueName('lineage'), tables: [table], dynamodb: connection });
    defer(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());

    const keys = Array.from({ length: 10 }, (_, index) => `key-${index}`);
    const rounds = 6;
    const writesPerRound = 5;
    let counter = 0;
    for (let round = 0; round < rounds; round++) {
      for (let write = 0; write < writesPerRound; write++) {
        for (const key of keys) {
          await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: key }, counter: { N: String(++counter) } } }));
        }
      }
      // Closes the current shard and opens a child while the connector is reading.
      await forceRollover(dynamodb);
    }

    const total = rounds * writesPerRound * keys.length;
    const changes = () =>
      follower.records
        .filter((record) => record.value !== null)
        .map((record) => JSON.parse(record.value!))
        .filter((envelope) => envelope.source.sync_mode === 'CDC');
    await follower.waitFor(() => changes().length >= total, 60_000, `${total} change events`);

    const events = changes();
    expect(events).toHaveLength(total);
    // Per item, the counter only grows: no change overtook an earlier one across shard boundaries.
    for (const key of keys) {
      const counters = events
        .filter((envelope) => JSON.parse(envelope.after.document).id.S === key)
        .map((envelope) => Number(JSON.parse(envelope.after.document).counter.N));
      expect(counters).toEqual([...counters].sort((a, b) => a - b));
      expect(counters).toHaveLength(rounds * writesPerRound);
    }
    // Shards appear as one unbroken run each, in lineage order: a parent never reappears after its child.
    const shardRuns = events.map((envelope) => envelope.source.shard_Id).filter((shard, index, all) => index === 0 || all[index - 1] !== shard);
    expect(new Set(shardRuns).size).toBe(shardRuns.length);
    expect(shardRuns.length).toBeGreaterThanOrEqual(rounds);
  });
});
