import { describe, expect, inject, it } from 'vitest';
import { createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import { taskOfTable } from '../../../src/source/task-assignment.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { connectorNameOverEveryPartition, expectTopicsMatchTables, startWorkers, testCluster } from '../../support/cluster.js';
import { stackSourceConfig } from '../../support/source-config.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';
import { VersionedWriter } from '../../support/versioned-writer.js';

const TABLES = 12;
const TASKS = 12;
/** As many work partitions as workers: each worker owns one, and the connector's tasks fill all three. */
const WORK_PARTITIONS = 3;
const ITEMS = 500;
/** Items the writers change while the snapshots run (a subset of the table's items). */
const WRITTEN_IDS = 20;
/** Connect's default session timeout, the workers' too. */
const SESSION_TIMEOUT_MS = 10_000;

const item = (index: number) => ({ id: { S: `item-${index}` }, version: { N: '0' }, pad: { S: 'x'.repeat(200) } });
const isSnapshotRecord = (record: ConsumedRecord) => record.value !== null && (JSON.parse(record.value) as { op: string }).op === 'r';

describe('a worker killed mid-snapshot: its tables’ snapshots go on elsewhere, from where they were', () => {
  const { connection, dynamodb, defer } = suiteResources('snaphandover');
  const streams = createStreamsClient(connection);
  defer(async () => streams.destroy());

  it('kill -9 of a worker mid-snapshot, writes running: its tasks resume on the others within session timeout + 10 s, every item snapshotted once (or changed by the stream first), every change once, in order; a worker stopped with SIGTERM hands its tasks back', async () => {
    const bootstrapServers = inject('stack').kafka.bootstrapServers;
    const group = uniqueName('snaphandover');
    const tables = Array.from({ length: TABLES }, (_, index) => uniqueName(`snaphand${index}`));
    for (const table of tables) {
      await createTable(dynamodb, table);
      await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, index) => item(index)));
    }
    const follower = await TopicFollower.follow(bootstrapServers, tables);
    defer(() => follower.close());
    const snapshotted = (table: string) => follower.records.filter((record) => record.topic === table && isSnapshotRecord(record));

    const { configs, properties } = await testCluster(bootstrapServers, group, defer);
    const name = connectorNameOverEveryPartition('snaphandover-source', TASKS, WORK_PARTITIONS);
    await configs.putConnector(name, {
      ...stackSourceConfig(connection, { tables: tables.join(','), offsetsTopic: `${group}-offsets` }),
      'tasks.max': String(TASKS),
      // Paced: one read unit a second per table (8 KB, some 35 items of ~230 B), so a snapshot lasts ~15 s and
      // is still running when a worker dies and when its tables start elsewhere.
      'dynamodb.snapshot.max.poll.records': '20',
      'dynamodb.snapshot.max.rcu': '1',
    });
    properties['work.storage.partitions'] = String(WORK_PARTITIONS);
    const { workers, urls, statusFrom } = await startWorkers(properties, 3, defer);
    const status = (url: string) => statusFrom(url, name);

    // Writes to every table throughout, the snapshots under way on every worker.
    const writers = tables.map((table) =>
      new VersionedWriter(dynamodb, table, { ids: Array.from({ length: WRITTEN_IDS }, (_, index) => `item-${index}`), perSecond: 4, total: 600 }).start(),
    );
    defer(async () => void (await Promise.all(writers.map((writer) => writer.stop()))));
    await expect.poll(async () => (await status(urls[0]!)).tasks.filter((task) => task.state === 'RUNNING').length, { timeout: 60_000, interval: 250 }).toBe(TASKS);
    await follower.waitFor(() => tables.every((table) => snapshotted(table).length >= 20), 60_000, 'every table’s snapshot under way');

    // The worker running the most tasks dies, its tables mid-snapshot.
    const before = await status(urls[0]!);
    const counts = urls.map((url) => before.tasks.filter((task) => url.endsWith(task.worker_id)).length);
    const victim = counts.indexOf(Math.max(...counts));
    const victimId = new URL(urls[victim]!).host;
    const victimTasks = new Set(before.tasks.filter((task) => task.worker_id === victimId).map((task) => task.id));
    const victimTables = tables.filter((table) => victimTasks.has(taskOfTable(table, TASKS)));
    expect(victimTables.length).toBeGreaterThan(0);
    expect(await workers[victim]!.stop('SIGKILL')).toBe('SIGKILL');
    const killedAt = Date.now();
    const atKill = new Map(victimTables.map((table) => [table, snapshotted(table).length]));
    expect([...atKill.values()].some((count) => count < ITEMS), 'a table of the killed worker still snapshotting').toBe(true);

    // Its tasks run on the survivors, and each of its unfinished snapshots goes on within session timeout + 10 s.
    const survivors = urls.filter((_, index) => index !== victim);
    await expect
      .poll(async () => (await status(survivors[0]!)).tasks.every((task) => task.state === 'RUNNING' && task.worker_id !== victimId), {
        timeout: SESSION_TIMEOUT_MS + 10_000,
        interval: 250,
      })
      .toBe(true);
    const unfinished = victimTables.filter((table) => atKill.get(table)! < ITEMS);
    await follower.waitFor(
      () => unfinished.every((table) => snapshotted(table).length > atKill.get(table)!),
      Math.max(0, SESSION_TIMEOUT_MS + 10_000 - (Date.now() - killedAt)),
      'the killed worker’s snapshots going on elsewhere',
    );
    console.info(
      `[snapshot-handover] ${unfinished.length} snapshots of the killed worker (at ${[...atKill.values()].join(', ')} of ${ITEMS} items when it died) ` +
        `going on elsewhere ${Date.now() - killedAt} ms after the kill`,
    );

    // A survivor stopped with SIGTERM leaves the group at once: the last worker runs every task.
    const [leaving, staying] = survivors.map((url) => workers[urls.indexOf(url)]!);
    const stayingId = new URL(survivors[1]!).host;
    expect(await leaving!.stop()).toBe(0);
    await expect
      .poll(async () => (await status(survivors[1]!)).tasks.every((task) => task.state === 'RUNNING' && task.worker_id === stayingId), { timeout: 30_000, interval: 250 })
      .toBe(true);

    // Every item in at most one snapshot record, and in one unless the stream changed it before the scan got
    // there (its read would be older: dropped); once the writes end, every change once and in order, topic = table.
    const keyOf = (index: number) => JSON.stringify({ id: `item-${index}` });
    const written = new Set(Array.from({ length: WRITTEN_IDS }, (_, index) => keyOf(index)));
    const unread = (table: string) => {
      const read = new Set(snapshotted(table).map((record) => record.key));
      return Array.from({ length: ITEMS }, (_, index) => keyOf(index)).filter((key) => !read.has(key));
    };
    await follower.waitFor(() => tables.every((table) => unread(table).every((key) => written.has(key))), 120_000, 'every snapshot complete');
    await Promise.all(writers.map((writer) => writer.stop()));
    await expectTopicsMatchTables({ tables, follower, dynamodb, streams });
    for (const table of tables) {
      expect(snapshotted(table), `${table}: items snapshotted more than once`).toHaveLength(new Set(snapshotted(table).map((record) => record.key)).size);
      expect(unread(table).filter((key) => !written.has(key)), `${table}: items neither snapshotted nor changed`).toEqual([]);
    }
    expect(await staying!.stop()).toBe(0);
  }, 300_000);
});
