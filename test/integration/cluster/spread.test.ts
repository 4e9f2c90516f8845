import { describe, expect, inject, it } from 'vitest';
import { createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import type { ClusterConnectorStatus } from '../../../src/runtime/cluster-status.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { connectorNameOverEveryPartition, expectTopicsMatchTables, startWorkers, testCluster } from '../../support/cluster.js';
import { containsWrites } from '../../support/delivery-checks.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const TABLES = 12;
const TASKS = 12;
/**
 * Few work partitions, so that each worker's share is certain to hold tasks: with 4 partitions and up to 4
 * workers each worker owns at least one partition, and the connector's name is chosen so every partition holds
 * a task (the test then does not depend on where Kafka puts which partition).
 */
const WORK_PARTITIONS = 4;
const ITEMS = 20;
/** Connect's default session timeout, the workers' too. */
const SESSION_TIMEOUT_MS = 10_000;

describe('workers share a connector’s tasks through Kafka’s group protocol', () => {
  const { connection, dynamodb, defer } = suiteResources('spread');
  const streams = createStreamsClient(connection);
  defer(async () => streams.destroy());

  it('kill -9 of a worker mid-stream, a worker added, a worker paused past its session: tasks move, every change once, in order', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const group = uniqueName('spread');
    const tables = Array.from({ length: TABLES }, (_, index) => uniqueName(`spread${index}`));
    for (const table of tables) {
      await createTable(dynamodb, table);
      await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => ({ id: { S: `item-${index}` }, version: { N: '0' } })));
    }
    const follower = await TopicFollower.follow(bootstrapServers, tables);
    defer(() => follower.close());
    const ofTable = (table: string) => follower.records.filter((record) => record.topic === table);

    // The connector, as a tool (or another worker's REST API) writes it to the config topic.
    const { configs, properties } = await testCluster(bootstrapServers, group, defer);
    const name = connectorNameOverEveryPartition('spread-source', TASKS, WORK_PARTITIONS);
    await configs.putConnector(name, { ...stackSourceConfig(connection, { tables: tables.join(','), offsetsTopic: `${group}-offsets` }), 'tasks.max': String(TASKS) });

    properties['work.storage.partitions'] = String(WORK_PARTITIONS);
    const { workers, urls, statusFrom: statusOf } = await startWorkers(properties, 3, defer);
    const statusFrom = (url: string) => statusOf(url, name);

    // Every task running, on more than one worker, the same answer from every worker.
    const spreadOver = (status: ClusterConnectorStatus) => new Set(status.tasks.map((task) => task.worker_id));
    await expect
      .poll(async () => (await statusFrom(urls[2]!)).tasks.every((task) => task.state === 'RUNNING'), { timeout: 60_000, interval: 500 })
      .toBe(true);
    await expect.poll(async () => spreadOver(await statusFrom(urls[0]!)).size, { timeout: 30_000, interval: 500 }).toBeGreaterThan(1);
    const before = await statusFrom(urls[1]!);
    expect(before.tasks).toHaveLength(TASKS);
    expect([...spreadOver(before)].every((id) => urls.some((url) => url.endsWith(id)))).toBe(true);
    await follower.waitFor(
      () => tables.every((table) => new Set(ofTable(table).map((record) => record.key)).size === ITEMS),
      120_000,
      'every table’s snapshot',
    );

    // Writes to every table throughout; the worker running the most tasks dies mid-stream.
    const writers = tables.map((table) =>
      new VersionedWriter(dynamodb, table, { ids: Array.from({ length: ITEMS }, (_, index) => `item-${index}`), perSecond: 4, total: 600 }).start(),
    );
    defer(async () => void (await Promise.all(writers.map((writer) => writer.stop()))));
    await follower.waitFor(containsWrites(writers.flatMap((writer) => writer.acknowledged.slice(0, 8))), 60_000, 'changes streaming from every table');
    const counts = urls.map((url) => before.tasks.filter((task) => url.endsWith(task.worker_id)).length);
    const victim = counts.indexOf(Math.max(...counts));
    const survivors = urls.filter((_, index) => index !== victim);
    const victimId = new URL(urls[victim]!).host;
    expect(await workers[victim]!.stop('SIGKILL')).toBe('SIGKILL');
    const killedAt = Date.now();

    // Its tasks move to the survivors, whose statuses say so…
    await expect
      .poll(async () => (await statusFrom(survivors[0]!)).tasks.every((task) => task.state === 'RUNNING' && task.worker_id !== victimId), {
        timeout: SESSION_TIMEOUT_MS + 20_000,
        interval: 250,
      })
      .toBe(true);
    // …and every table's changes written after the kill arrive within session timeout + 10 s.
    const afterKill = writers.flatMap((writer) => writer.acknowledged.filter((write) => write.at >= killedAt).slice(0, 1));
    expect(afterKill).toHaveLength(TABLES);
    await follower.waitFor(containsWrites(afterKill), SESSION_TIMEOUT_MS + 10_000 - (Date.now() - killedAt), 'a change after the kill from every table');
    const handOverMs = Date.now() - killedAt;
    console.info(`[spread] tasks of the killed worker running elsewhere, changes after the kill delivered from every table: ${handOverMs} ms after the kill`);
    expect(handOverMs).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 10_000);

    // A fourth worker joins: the group moves a share of the tasks to it, the others' tasks run on.
    const joiner = ConnectorProcess.worker(properties);
    defer(async () => void (await joiner.stop('SIGKILL')));
    const joinerId = new URL(await joiner.restUrl()).host;
    const runningOn = async (id: string) => (await statusFrom(survivors[0]!)).tasks.filter((task) => task.worker_id === id && task.state === 'RUNNING').length;
    await expect.poll(() => runningOn(joinerId), { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);

    // A worker paused (SIGSTOP) past its session timeout: its tasks move; resumed, it is fenced and writes nothing.
    // The other survivor (statuses are asked of survivors[0] throughout).
    const zombieUrl = survivors[1]!;
    const zombie = workers[urls.indexOf(zombieUrl)]!;
    const zombieId = new URL(zombieUrl).host;
    expect(await runningOn(zombieId)).toBeGreaterThan(0);
    zombie.signal('SIGSTOP');
    const pausedAt = Date.now();
    await expect.poll(() => runningOn(zombieId), { timeout: SESSION_TIMEOUT_MS + 20_000, interval: 250 }).toBe(0);
    await expect.poll(async () => (await statusFrom(survivors[0]!)).tasks.every((task) => task.state === 'RUNNING'), { timeout: 20_000, interval: 250 }).toBe(true);
    const zombieAfterPause = writers.flatMap((writer) => writer.acknowledged.filter((write) => write.at >= pausedAt).slice(0, 1));
    await follower.waitFor(containsWrites(zombieAfterPause), 30_000, 'a change after the pause from every table');
    const outputBeforeResume = zombie.output.length;
    zombie.signal('SIGCONT');
    // It learns it lost its partitions and stops its tasks; the tasks stay with their new owners.
    await expect.poll(() => zombie.output.slice(outputBeforeResume), { timeout: 30_000, interval: 250 }).toMatch(/moved to another worker: stopping them|other workers now: stopping it here/);
    expect(await runningOn(zombieId)).toBe(0);

    // Once the writes end: every stream record exactly once, per-key order, topic replayed = table.
    await Promise.all(writers.map((writer) => writer.stop()));
    await expectTopicsMatchTables({ tables, follower, dynamodb, streams });
    for (const worker of [...workers, joiner]) if (!worker.exited) expect(await worker.stop()).toBe(0);
  }, 300_000);
});
