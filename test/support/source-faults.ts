import { inject, expect } from 'vitest';
import { createStreamsClient } from '../../src/adapters/dynamodb/client.js';
import { suiteResources, uniqueName } from './aws.js';
import { deliveredChanges, exactlyOnceViolations, perKeyOrderViolations, snapshotVersions, streamRecords } from './delivery-checks.js';
import { faultSeed } from './fault-plan.js';
import { FaultProxy } from './fault-proxy.js';
import { startSource, type SourceUnderTest } from './source.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll } from './tables.js';
import { TopicFollower } from './topic-follower.js';

/**
 * A source connector that sees DynamoDB only through a fault proxy, over a table of `items` items (`item-N`,
 * version 0), with a read_committed follower of its topic. The test's own clients talk to DynamoDB directly.
 */
export function sourceBehindFaultProxy(suite: string) {
  const { connection, dynamodb, defer } = suiteResources(suite);
  const streams = createStreamsClient(connection);
  defer(async () => streams.destroy());

  async function start(options: { items: number; overrides?: Parameters<typeof startSource>[0]['overrides'] }) {
    const seed = faultSeed();
    // Printed so a failing run can be replayed: FAULT_SEED=<seed> npx vitest run <file>.
    console.info(`[${suite}] fault proxy seed ${seed} (replay with FAULT_SEED=${seed})`);
    const proxy = await FaultProxy.start(connection.endpoint!, seed);
    defer(() => proxy.close());
    const table = uniqueName(suite);
    await createTable(dynamodb, table);
    await putItems(dynamodb, table, Array.from({ length: options.items }, (_, index) => ({ id: { S: `item-${index}` }, version: { N: '0' } })));
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    const startSourceNow = async (): Promise<SourceUnderTest> => {
      const source = await startSource({
        name: uniqueName(suite),
        tables: [table],
        dynamodb: { ...connection, endpoint: proxy.endpoint },
        exactlyOnce: true,
        ...(options.overrides ? { overrides: options.overrides } : {}),
      });
      defer(() => source.stop());
      return source;
    };
    return { seed, proxy, table, follower, startSource: startSourceNow };
  }

  /**
   * The promises of the fault suite, once the topic has caught up: every stream record exactly once, each
   * item's versions in write order, and the topic replayed equal to a consistent Scan of the table.
   */
  async function expectFaithfulTopic(table: string, follower: TopicFollower, seed: number): Promise<void> {
    const inStream = await streamRecords(dynamodb, streams, table);
    const delivered = deliveredChanges(follower.records);
    const replayHint = `(replay with FAULT_SEED=${seed})`;
    const { duplicated, missing, unknown } = exactlyOnceViolations(delivered, inStream, snapshotVersions(follower.records));
    expect(duplicated, `stream records delivered twice ${replayHint}`).toEqual([]);
    expect(missing, `stream records never delivered (nor before the snapshot and in it) ${replayHint}`).toEqual([]);
    expect(unknown, `delivered records the stream does not hold ${replayHint}`).toEqual([]);
    expect(perKeyOrderViolations(delivered), `items whose versions arrived out of order ${replayHint}`).toEqual([]);
    const tableState = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    expect(normalise(replay(follower.records)), `topic replayed ≠ table ${replayHint}`).toEqual(tableState);
  }

  return { connection, dynamodb, defer, start, expectFaithfulTopic };
}
