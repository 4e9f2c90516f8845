import { Sema } from 'async-sema';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/config/source.js';
import { confluentJsonFormat } from '../../../src/formats/confluent-json.js';
import type { RecordFormat } from '../../../src/formats/ports.js';
import { SchemaRegistryError } from '../../../src/formats/registry/ports.js';
import type { Logger } from '../../../src/runtime/logger.js';
import { SourceTask } from '../../../src/runtime/source-task.js';
import { InMemoryKafka, InMemoryStreams, InMemoryTables } from '../../support/fakes/source-ports.js';
import { until } from '../../support/fakes/until.js';
import { testPipelineSettings } from '../../support/pipeline-settings.js';

const TRANSACTIONAL_ID = 'src-0';

const settings = (table: string) => testPipelineSettings('src', table, { maxPollRecords: 2 });

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

/** One task over in-memory tables `a`, `b`, `c` (5 items each, with a stream) and Kafka. */
function world(format: RecordFormat = confluentJsonFormat({ document: 'dynamodb-json', tombstones: true })) {
  const tables = new InMemoryTables();
  const streams = new InMemoryStreams();
  const kafka = new InMemoryKafka();
  const streamOf = (name: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}/stream/1`;
  for (const name of ['a', 'b', 'c']) {
    tables.add(name, Array.from({ length: 5 }, (_, i) => ({ id: { S: `${name}-${i}` } })), { streamArn: streamOf(name) });
    streams.addShard(streamOf(name), 'shard-1');
  }
  const task = new SourceTask(
    {
      connector: 'src',
      id: 0,
      transactionalId: TRANSACTIONAL_ID,
      foundBy: 'listed in dynamodb.table.includelist',
      settingsFor: settings,
      format,
      offsetsTopic: 'offsets',
      topic: { partitions: 1, replicationFactor: 1 },
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      maxRecordsPerWrite: 1000,
      snapshotPages: new Sema(8),
    },
    { kafka, tables, streams },
    quiet,
  );
  const state = (table: string) => task.status().tables.find((status) => status.table === table)?.state;
  const ids = (topic: string) => kafka.messages(topic).filter((m) => m.value !== null).map((m) => JSON.parse(JSON.parse(m.value!.toString()).after.document).id.S as string);
  const change = (table: string, id: string) => streams.put(streamOf(table), 'shard-1', 'INSERT', { id: { S: id } });
  return { tables, streams, kafka, task, state, ids, change };
}

describe('SourceTask: many tables, one producer', () => {
  it('writes every table through one transactional producer, a write holding several tables', async () => {
    const { kafka, task, state, ids, change } = world();
    for (const table of ['a', 'b', 'c']) task.add(table);
    try {
      await until(() => ['a', 'b', 'c'].every((table) => state(table) === 'STREAMING'), 'every table streaming');
      change('a', 'a-new');
      change('b', 'b-new');
      await until(() => ids('a').includes('a-new') && ids('b').includes('b-new'), 'both changes');
      expect(kafka.writersOpened).toEqual([TRANSACTIONAL_ID]);
      for (const table of ['a', 'b', 'c']) expect(ids(table).filter((id) => id !== `${table}-new`).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${table}-${i}`));
      expect(task.status()).toMatchObject({ id: 0, state: 'RUNNING' });
    } finally {
      await task.stop();
    }
    expect(task.status().state).toBe('STOPPED');
  });

  it('a table that fails on its own is retried by itself while the others go on', async () => {
    let refusals = 1;
    const inner = confluentJsonFormat({ document: 'dynamodb-json', tombstones: true });
    const flaky: RecordFormat = {
      description: 'JSON (registry down once for b)',
      forTable: async (table, topic) => {
        if (table.name === 'b' && refusals-- > 0) throw new SchemaRegistryError('Schema Registry at http://127.0.0.1:1 did not answer registering the schema of subject "b-value"', false);
        return inner.forTable(table, topic);
      },
    };
    const { task, state, ids, change, kafka } = world(flaky);
    task.add('a');
    task.add('b');
    task.add('missing');
    try {
      await until(() => state('a') === 'STREAMING' && state('missing') === 'FAILED', 'a streaming, missing failed');
      expect(task.status().tables.find((status) => status.table === 'missing')?.error).toBe('table missing does not exist (listed in dynamodb.table.includelist)');
      change('a', 'a-new');
      await until(() => ids('a').includes('a-new'), "a's change, while the others fail");
      // Retried after its backoff (1 s): a timer, so polled in time rather than in event-loop turns.
      await expect.poll(() => state('b'), { timeout: 5_000 }).toBe('STREAMING');
      expect(ids('b').sort()).toEqual([0, 1, 2, 3, 4].map((i) => `b-${i}`));
      expect(task.status().state).toBe('RUNNING');
      expect(kafka.writersOpened).toEqual([TRANSACTIONAL_ID]); // the producer was never reopened
    } finally {
      await task.stop();
    }
  });

  it('a failed write restarts every table of the task from its committed offsets: nothing lost, nothing twice', async () => {
    const { kafka, task, state, ids, change } = world();
    task.add('a');
    task.add('b');
    try {
      await until(() => state('a') === 'STREAMING' && state('b') === 'STREAMING', 'both streaming');
      kafka.failWrites(new Error('broker connection lost'));
      change('a', 'a-new');
      change('b', 'b-new');
      await until(() => task.status().state === 'RECOVERING', 'the task recovering');
      expect(task.status().error).toBe('broker connection lost');
      // The task retries after its backoff (1 s): a timer, so polled in time rather than in event-loop turns.
      await expect.poll(() => ids('a').includes('a-new') && ids('b').includes('b-new'), { timeout: 5_000 }).toBe(true);
      await until(() => task.status().state === 'RUNNING', 'running again');
      expect(task.status().error).toBeUndefined();
      expect(kafka.writersOpened).toEqual([TRANSACTIONAL_ID, TRANSACTIONAL_ID]);
      for (const table of ['a', 'b']) expect(ids(table).sort()).toEqual([...[0, 1, 2, 3, 4].map((i) => `${table}-${i}`), `${table}-new`].sort());
    } finally {
      await task.stop();
    }
  });

  it('fenced by a newer owner of its transactional id, the task stops for good and writes nothing more', async () => {
    const { kafka, task, state, ids, change } = world();
    task.add('a');
    task.add('b');
    try {
      await until(() => state('a') === 'STREAMING' && state('b') === 'STREAMING', 'both streaming');
      await kafka.openWriter({ transactionalId: TRANSACTIONAL_ID, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES }); // a new owner
      change('a', 'a-new');
      await until(() => task.status().state === 'FENCED', 'fenced');
      const status = task.status();
      expect(status.error).toMatch(/^stopped: transactional id src-0 was taken over by another producer.*Restart this connector/);
      expect(status.tables.every((table) => table.error === status.error)).toBe(true);
      expect(ids('a')).not.toContain('a-new');
      expect(kafka.writersOpened).toHaveLength(2); // ours, the new owner's: no fight back
    } finally {
      await task.stop();
    }
  });
});
