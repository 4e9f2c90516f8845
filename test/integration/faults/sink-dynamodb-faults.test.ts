import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { ensureTopic } from '../../../src/adapters/kafka/admin.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { CommitSampler, committedBeforeWritten } from '../../support/commit-sampler.js';
import { faultSeed } from '../../support/fault-plan.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { PacedProducer, type ProducedVersion } from '../../support/paced-producer.js';
import { startSink } from '../../support/sink.js';
import { createTable, scanAll } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

const THROTTLED_MS = 20_000;
const FROZEN_MS = 30_000;
const RECOVERY_BOUND_MS = 15_000;

describe('faults: the sink writing to DynamoDB through the fault proxy, throttled and then frozen', () => {
  const { connection, dynamodb, defer } = suiteResources('faultsink');

  it(`writes every record's final state, commits offsets only after the writes, and catches up within ${RECOVERY_BOUND_MS / 1000} s of each fault's end`, async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const seed = faultSeed();
    console.info(`[faultsink] fault proxy seed ${seed} (replay with FAULT_SEED=${seed})`);
    const proxy = await FaultProxy.start(connection.endpoint!, seed);
    defer(() => proxy.close());

    const topic = uniqueName('faultsink');
    const admin = createKafka({ bootstrapServers, clientId: 'faultsink-test' }, logLevel.ERROR).admin();
    await admin.connect();
    defer(() => admin.disconnect());
    await ensureTopic(admin, { topic, partitions: 3, replicationFactor: 1 });
    await createTable(dynamodb, topic, 'none');
    const follower = await TopicFollower.follow(bootstrapServers, topic, 3);
    defer(() => follower.close());

    const name = uniqueName('faultsink');
    const sink = await startSink(name, { ...connection, endpoint: proxy.endpoint }, { topics: topic, 'aws.dynamodb.pk.hash': 'value.id', 'aws.dynamodb.pk.sort': '' });
    defer(() => sink.stop());
    const ids = Array.from({ length: 100 }, (_, index) => `k${index}`);
    const producer = await new PacedProducer(bootstrapServers, topic, { ids, perSecond: 60, total: 60 * 60 }).start();
    defer(() => producer.stop());

    /** Milliseconds from `since` until the table holds (at least) every version produced so far. */
    const untilTableHolds = async (produced: ProducedVersion[], since: number, describe: string) => {
      const wanted = lastVersions(produced);
      const holds = async () => {
        const versions = new Map((await scanAll(dynamodb, topic)).map((item) => [item.id!.S!, Number(item.version!.N)]));
        return [...wanted].every(([id, version]) => (versions.get(id) ?? 0) >= version);
      };
      await expect.poll(holds, { timeout: RECOVERY_BOUND_MS, interval: 100, message: describe }).toBe(true);
      return Date.now() - since;
    };
    await untilTableHolds(producer.produced.slice(0, 60), Date.now(), 'the first records written');
    // Sampled from here, once the group has formed: librdkafka 1.10.1's admin crashed the test process (SIGSEGV)
    // in most runs when asked for the offsets of a group still forming. The faults all come after this point.
    const sampler = new CommitSampler(admin, `connect-${name}`, topic, dynamodb, topic);
    defer(() => sampler.stop());

    // 1. Throttled: 40% of every request refused (ProvisionedThroughputExceededException, 500, 503).
    proxy.injectFaults({ fraction: 0.4, kinds: ['throttle', 'internal-error', 'unavailable'] });
    await delay(THROTTLED_MS);
    proxy.clearFaults();
    const throttleEnd = Date.now();
    const throttleFaults = proxy.faulted('BatchWriteItem');
    const throttleCatchUpMs = await untilTableHolds([...producer.produced], throttleEnd, 'every record produced while throttled');

    // 2. Frozen: every request held, unanswered, for 30 s.
    proxy.freeze();
    await delay(FROZEN_MS);
    const committedBeforeThaw = totalCommitted(sampler);
    const heldWrites = proxy.held('BatchWriteItem');
    proxy.thaw();
    const thawedAt = Date.now();
    const producedByThaw = [...producer.produced];
    const freezeCatchUpMs = await untilTableHolds(producedByThaw, thawedAt, 'every record produced while frozen');
    console.info(
      `[faultsink] seed ${seed}: caught up ${throttleCatchUpMs} ms after the throttling (${throttleFaults} BatchWriteItem refused), ` +
        `${freezeCatchUpMs} ms after the thaw (${heldWrites} BatchWriteItem held)`,
    );

    await producer.done();
    const last = lastVersions(producer.produced);
    await expect
      .poll(async () => new Map((await scanAll(dynamodb, topic)).map((item) => [item.id!.S!, Number(item.version!.N)])), { timeout: 60_000 })
      .toEqual(last);
    await follower.waitFor((records) => records.length === producer.produced.length, 30_000, 'every produced record');
    await expect.poll(() => totalCommitted(sampler), { timeout: 30_000 }).toBe(producer.produced.length);
    await sampler.stop();
    console.info(`[faultsink] ${sampler.samples.length} samples of committed offsets checked against the table`);

    const replayHint = `(replay with FAULT_SEED=${seed})`;
    expect(throttleFaults, 'BatchWriteItem calls refused while throttled').toBeGreaterThan(0);
    expect(heldWrites, 'BatchWriteItem calls held while frozen').toBeGreaterThan(0);
    // The freeze held a backlog back, uncommitted (what was committed then, the table held: checked below).
    expect(committedBeforeThaw, 'records committed when the freeze ended').toBeLessThan(producedByThaw.length - 1000);
    expect(committedBeforeWritten(sampler.samples, follower.records), `offsets committed before their writes ${replayHint}`).toEqual([]);
    expect(sink.connector.status().tasks.map((task) => task.state)).toEqual(['RUNNING']);
    expect(throttleCatchUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect(freezeCatchUpMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});

function lastVersions(produced: ProducedVersion[]): Map<string, number> {
  return new Map(produced.map((record) => [record.id, record.version]));
}

/** Records the group had committed at the latest sample, over all partitions. */
function totalCommitted(sampler: CommitSampler): number {
  const latest = sampler.samples.at(-1);
  return latest ? [...latest.committed.values()].reduce((sum, offset) => sum + Math.max(0, offset), 0) : 0;
}
