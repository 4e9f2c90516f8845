import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { javaPartition } from '../../support/java-partitioner.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

const PARTITIONS = 6;
const ITEMS = 60;

describe("source: each key's records land in the partition the Java client would choose", () => {
  const { connection, dynamodb, defer } = suiteResources('partitioning');

  it('hashes keys with murmur2, as Confluent’s and trustpilot’s (Java) connectors did, in the snapshot and the stream', async () => {
    const table = uniqueName('partitioning');
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => ({ id: { S: `item-${index}` } })));
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table, PARTITIONS);
    defer(() => follower.close());
    const config = { ...stackSourceConfig(connection, { tables: table, offsetsTopic: uniqueName('offsets') }), 'topic.creation.partitions': String(PARTITIONS) };
    const run = ConnectorProcess.start(uniqueName('partitioning'), config);
    defer(async () => void (await run.stop()));
    await follower.waitFor((records) => records.length >= ITEMS, 60_000, 'the snapshot');
    await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => ({ id: { S: `item-${index}` }, changed: { BOOL: true } })));
    await follower.waitFor((records) => records.length >= 2 * ITEMS, 60_000, 'the changes');

    const partitionsUsed = new Set(follower.records.map((record) => record.partition));
    expect(partitionsUsed.size, 'keys spread over the partitions').toBeGreaterThan(1);
    for (const record of follower.records) {
      expect(record.partition, `key ${record.key}`).toBe(javaPartition(record.bytes.key!, PARTITIONS));
    }
  }, 120_000);
});
