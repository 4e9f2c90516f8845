import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/config/source.js';
import { AwsError } from '../../../src/domain/aws-error.js';
import { confluentJsonFormat } from '../../../src/formats/confluent-json.js';
import type { Logger } from '../../../src/runtime/logger.js';
import { SourceConnector } from '../../../src/runtime/source-connector.js';
import { TagTableFinder } from '../../../src/source/discovery.js';
import { taskOfTable } from '../../../src/source/task-assignment.js';
import { InMemoryKafka, InMemoryStreams, InMemoryTableCatalog, InMemoryTables } from '../../support/fakes/source-ports.js';
import { until } from '../../support/fakes/until.js';
import { testPipelineSettings } from '../../support/pipeline-settings.js';

const settings = (table: string) => testPipelineSettings('tagged', table);

function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR'), child: () => capturingLogger(lines) };
}

/**
 * A source connector with TAG discovery (env:prod, asked again every millisecond) over in-memory tables, their
 * tags, streams and Kafka. `table()` adds a table with one item and a stream, tagged as given.
 */
function world(tasks = 1, ownedTasks?: ReadonlySet<number>, kafka = new InMemoryKafka()) {
  const catalog = new InMemoryTableCatalog();
  const tables = new InMemoryTables();
  const streams = new InMemoryStreams();
  const lines: string[] = [];
  const table = (name: string, tags: Record<string, string>) => {
    const streamArn = `arn:aws:dynamodb:us-east-1:000000000000:table/${name}/stream/1`;
    catalog.tag(name, tags);
    tables.add(name, [{ id: { S: `${name}-1` } }], { streamArn });
    streams.addShard(streamArn, 'shard-1');
  };
  const log = capturingLogger(lines);
  const connector = new SourceConnector(
    {
      name: 'tagged',
      finder: new TagTableFinder({ filters: [{ key: 'env', values: ['prod'] }], rediscoveryPeriodMs: 1, catalog, log }),
      settingsFor: settings,
      format: confluentJsonFormat({ document: 'dynamodb-json', tombstones: true }),
      exactlyOnce: true,
      offsetsTopic: 'offsets',
      topic: { partitions: 1, replicationFactor: 1 },
      tasks,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      maxRecordsPerWrite: 1000,
      ...(ownedTasks ? { ownedTasks } : {}),
    },
    { kafka, tables, streams },
    log,
  );
  const running = () => connector.status().tables.map((status) => status.table).sort();
  const streaming = (name: string) => connector.status().tables.some((status) => status.table === name && status.state === 'STREAMING');
  return { catalog, kafka, lines, table, connector, running, streaming };
}

describe('SourceConnector: TAG discovery, asked again every period', () => {
  it('runs a pipeline per matching table, starts a newly tagged one, and stops those untagged or deleted', async () => {
    const { catalog, kafka, table, connector, running, streaming } = world();
    table('orders', { env: 'prod' });
    table('users', { env: 'prod', team: 'data' });
    table('sessions', { env: 'dev' });
    connector.start();
    try {
      await until(() => streaming('orders') && streaming('users'), 'both matching tables streaming');
      expect(running()).toEqual(['orders', 'users']);
      expect(kafka.topics.has('sessions')).toBe(false);

      catalog.tag('sessions', { env: 'prod' });
      await until(() => streaming('sessions'), 'the newly tagged table streaming');
      expect(kafka.messages('sessions').filter((message) => message.value !== null)).toHaveLength(1);

      catalog.tag('users', { team: 'data' });
      catalog.remove('orders');
      await until(() => running().length === 1, 'the untagged and the deleted table stopped');
      expect(running()).toEqual(['sessions']);
      expect(connector.status().discovery.tables).toEqual(['sessions']);
    } finally {
      await connector.stop();
    }
  });

  it('reports a failed discovery once, keeps the running tables, and retries until it works again', async () => {
    const { catalog, lines, table, connector, running, streaming } = world();
    table('orders', { env: 'prod' });
    connector.start();
    try {
      await until(() => streaming('orders'), 'the table streaming');
      const throttled = new AwsError('throttled', 'ListTables: ThrottlingException');
      catalog.fail('listTables', throttled, throttled, throttled);
      await until(() => connector.status().discovery.error !== undefined, 'the failure in the status');
      expect(connector.status().discovery.error).toBe('table discovery failed: ListTables: ThrottlingException');
      expect(running()).toEqual(['orders']);

      table('users', { env: 'prod' });
      await until(() => streaming('users'), 'the next table found once discovery works again');
      expect(connector.status().discovery.error).toBeUndefined();
      expect(catalog.calls.filter((call) => call === 'listTables').length).toBeGreaterThan(4);
      expect(lines.filter((line) => line.includes('table discovery failed'))).toHaveLength(1);
      expect(lines).toContain('INFO table discovery works again');
      expect(streaming('orders')).toBe(true);
    } finally {
      await connector.stop();
    }
  });

  it('spreads the tables over tasks.max tasks, each writing through one producer of its own', async () => {
    const { kafka, table, connector, streaming } = world(3);
    const names = Array.from({ length: 12 }, (_, index) => `t${index}`);
    for (const name of names) table(name, { env: 'prod' });
    connector.start();
    try {
      await until(() => names.every(streaming), 'every table streaming');
      const tasks = connector.status().tasks;
      expect(tasks.map((task) => task.id)).toEqual([0, 1, 2]);
      expect(tasks.flatMap((task) => task.tables.map((status) => status.table)).sort()).toEqual([...names].sort());
      for (const task of tasks) {
        expect(task.tables.every((status) => status.task === task.id)).toBe(true);
        expect(task.tables.every((status) => taskOfTable(status.table, 3) === task.id)).toBe(true);
      }
      expect(tasks.filter((task) => task.tables.length > 0).length).toBeGreaterThan(1);
      // One producer per task that has tables, opened after the connector fenced every id once.
      const busy = tasks.filter((task) => task.tables.length > 0).map((task) => `tagged-${task.id}`);
      const byTasks = kafka.writersOpened.slice(4); // 3 fencing opens + 1 recording the layout
      expect([...byTasks].sort()).toEqual([...busy].sort());
      for (const name of names) expect(kafka.messages(name).filter((message) => message.value !== null)).toHaveLength(1);
    } finally {
      await connector.stop();
    }
  });

  it('runs only the tasks it is given, and moves tasks in and out while running without disturbing the others', async () => {
    const { kafka, table, connector, running, streaming } = world(3, new Set([0]));
    const names = Array.from({ length: 12 }, (_, index) => `t${index}`);
    for (const name of names) table(name, { env: 'prod' });
    const ofTask = (task: number) => names.filter((name) => taskOfTable(name, 3) === task).sort();
    connector.start();
    try {
      await until(() => ofTask(0).every(streaming), 'the tables of task 0 streaming');
      expect(running()).toEqual(ofTask(0));
      expect(connector.status().tasks.map((task) => task.id)).toEqual([0]);

      const writersBefore = kafka.writersOpened.length;
      await connector.assign(new Set([0, 2]));
      await until(() => ofTask(2).every(streaming), 'the tables of task 2 streaming');
      expect(running()).toEqual([...ofTask(0), ...ofTask(2)].sort());
      // Task 0 went on with its producer: only task 2 opened one.
      expect(kafka.writersOpened.slice(writersBefore)).toEqual(['tagged-2']);

      await connector.assign(new Set([2]));
      await until(() => running().length === ofTask(2).length, 'task 0 stopped');
      expect(running()).toEqual(ofTask(2));
      expect(connector.status().tasks.map((task) => task.id)).toEqual([2]);
    } finally {
      await connector.stop();
    }
  });

  it('without task 0, starts no task before the owner of task 0 has recorded the current layout', async () => {
    const kafka = new InMemoryKafka();
    const owner = world(2, new Set([0]), kafka);
    const other = world(2, new Set([1]), kafka);
    const names = Array.from({ length: 8 }, (_, index) => `t${index}`);
    for (const name of names) {
      owner.table(name, { env: 'prod' });
      other.table(name, { env: 'prod' });
    }
    other.connector.start();
    try {
      await until(() => other.lines.some((line) => line.includes('waiting for the owner of task 0')), 'the other waiting');
      expect(other.running()).toEqual([]);
      owner.connector.start();
      const ofTask1 = names.filter((name) => taskOfTable(name, 2) === 1);
      // The other looks again every second.
      await expect.poll(() => ofTask1.every(other.streaming), { timeout: 5_000 }).toBe(true);
      expect(other.running()).toEqual(ofTask1.sort());
    } finally {
      await other.connector.stop();
      await owner.connector.stop();
    }
  });
});
