import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { containsWrites, deliveredChanges, millisecondsUntil } from '../../support/delivery-checks.js';
import { sourceBehindFaultProxy } from '../../support/source-faults.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const ITEMS = 3000;
const FAULT_MS = 20_000;
const RECOVERY_BOUND_MS = 15_000;

describe('faults: DynamoDB throttling and 5xx (fault proxy) during the snapshot and the stream', () => {
  const { dynamodb, start, expectFaithfulTopic } = sourceBehindFaultProxy('faultthrottle');

  it(`loses and duplicates nothing, keeps per-item order, and catches up within ${RECOVERY_BOUND_MS / 1000} s of the fault's end`, async () => {
    // Small pages and several segments: the snapshot makes many Scan calls for the fault to hit.
    const { seed, proxy, table, follower, startSource } = await start({ items: ITEMS, overrides: { snapshot: { maxPollRecords: 50, segments: 4 } } });
    const ids = Array.from({ length: 200 }, (_, index) => `item-${index * 7}`);
    const writer = new VersionedWriter(dynamodb, table, { ids, perSecond: 60, total: 1800 });

    // 40% of every operation (Scan, GetRecords, DescribeTable, …) fails: throttled, 500 or 503.
    proxy.injectFaults({ fraction: 0.4, kinds: ['throttle', 'internal-error', 'unavailable'] });
    const faultStart = Date.now();
    writer.start();
    await startSource(); // resolves once the scan began: every change from here on comes through the stream
    const scanBegunAt = Date.now();
    await delay(FAULT_MS - (Date.now() - faultStart));
    proxy.clearFaults();
    const faultEnd = Date.now();
    const recordsAtFaultEnd = follower.records.length;
    const writtenByFaultEnd = [...writer.acknowledged];
    const changesDuringFault = deliveredChanges(follower.records.slice(0, recordsAtFaultEnd)).length;
    const faulted = { scan: proxy.faulted('Scan'), getRecords: proxy.faulted('GetRecords'), all: proxy.faulted(), requests: proxy.faulted() + proxy.forwarded() };

    const firstRecordMs = await millisecondsUntil(follower, faultEnd, (records) => records.length > recordsAtFaultEnd, RECOVERY_BOUND_MS, 'a record after the fault');
    const catchUpMs = await millisecondsUntil(follower, faultEnd, containsWrites(writtenByFaultEnd), RECOVERY_BOUND_MS, 'every change made during the fault');
    console.info(`[faultthrottle] seed ${seed}: first record ${firstRecordMs} ms, caught up ${catchUpMs} ms after the fault; faulted ` +
      `${faulted.scan} Scan, ${faulted.getRecords} GetRecords, ${faulted.all} in all, of ${faulted.requests} requests during the fault; ${changesDuringFault} changes delivered during the fault`);

    // The fault hit both phases: scans of the snapshot and reads of the stream, which was already flowing.
    expect(faulted.scan).toBeGreaterThan(0);
    expect(faulted.getRecords).toBeGreaterThan(0);
    expect(changesDuringFault, 'stream records delivered while the fault lasted').toBeGreaterThan(0);

    await writer.done();
    await follower.waitFor(containsWrites(writer.acknowledged), 60_000, 'every change');
    await expectFaithfulTopic(table, follower, seed);
    const delivered = new Set(deliveredChanges(follower.records).map((change) => `${change.id}#${change.version}`));
    const streamedWrites = writer.acknowledged.filter((write) => write.at > scanBegunAt);
    expect(streamedWrites.length).toBeGreaterThan(0);
    expect(streamedWrites.filter((write) => !delivered.has(`${write.id}#${write.version}`)), 'writes after the scan began not delivered as changes').toEqual([]);
    expect(catchUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});
