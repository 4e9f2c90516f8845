import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { containsWrites, millisecondsUntil } from '../../support/delivery-checks.js';
import { sourceBehindFaultProxy } from '../../support/source-faults.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const ITEMS = 1000;
const FROZEN_MS = 30_000;
const RECOVERY_BOUND_MS = 15_000;

describe('faults: DynamoDB frozen (fault proxy holds every request) for 30 s while the stream is read', () => {
  const { dynamodb, start, expectFaithfulTopic } = sourceBehindFaultProxy('faultfrozen');

  it(`loses and duplicates nothing, keeps per-item order, and catches up within ${RECOVERY_BOUND_MS / 1000} s of the thaw`, async () => {
    const { seed, proxy, table, follower, startSource } = await start({ items: ITEMS });
    const ids = Array.from({ length: 150 }, (_, index) => `item-${index * 5}`);
    const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 50, total: 2500 }).start();
    await startSource();
    // Streaming: the snapshot is done and the writer's changes are arriving.
    await expect.poll(() => writer.acknowledged.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(20);
    await follower.waitFor(containsWrites(writer.acknowledged.slice(0, 20)), 60_000, 'the first changes streamed');

    proxy.freeze();
    const recordsAtFreeze = follower.records.length;
    await delay(FROZEN_MS);
    // Nothing can come out of a frozen DynamoDB: whatever the topic got meanwhile was read before the freeze.
    const recordsWhileFrozen = follower.records.length - recordsAtFreeze;
    const heldRequests = proxy.held();
    proxy.thaw();
    const thawedAt = Date.now();
    const recordsAtThaw = follower.records.length;
    const writtenByThaw = [...writer.acknowledged];

    const firstRecordMs = await millisecondsUntil(follower, thawedAt, (records) => records.length > recordsAtThaw, RECOVERY_BOUND_MS, 'a record after the thaw');
    const catchUpMs = await millisecondsUntil(follower, thawedAt, containsWrites(writtenByThaw), RECOVERY_BOUND_MS, 'every change made while frozen');
    console.info(`[faultfrozen] first record ${firstRecordMs} ms, caught up ${catchUpMs} ms after the thaw; ${heldRequests} requests held, ` +
      `${writtenByThaw.length} changes written by the thaw, ${recordsWhileFrozen} records arrived while frozen`);

    expect(heldRequests, 'requests the connector made while DynamoDB was frozen').toBeGreaterThan(0);
    await writer.done();
    await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change');
    await expectFaithfulTopic(table, follower, seed);
    expect(catchUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});
