import { Sema } from 'async-sema';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/aws-error.js';
import { parseKeyReference } from '../../../src/sink/key-mapping.js';
import { describeMissingTopics, SinkTask, type SinkTaskSettings } from '../../../src/sink/sink-task.js';
import { InMemoryDeadLetters, InMemoryTables, InMemoryTopics, type Event } from '../../support/fakes/sink-ports.js';
import { until } from '../../support/fakes/until.js';

describe('describeMissingTopics: the status of a sink task waiting for its topics', () => {
  it('names one topic, several topics, or the regex nothing matches yet', () => {
    expect(describeMissingTopics({ names: ['orders'] })).toBe('topic orders (not created yet)');
    expect(describeMissingTopics({ names: ['a', 'b'] })).toBe('topics a, b (not created yet)');
    expect(describeMissingTopics({ regex: 'orders-.*' })).toBe('a topic matching orders-.* (none exists yet)');
  });
});

describe('SinkTask: its rounds, against in-memory ports', () => {
  const settings = (tolerance: 'none' | 'all' = 'none'): SinkTaskSettings => ({
    connector: 'orders-sink',
    taskId: 0,
    groupId: 'connect-orders-sink',
    topics: { names: ['orders'] },
    consumerProperties: {},
    conversion: { inputFormat: 'JSON', hash: parseKeyReference('value.id', 'aws.dynamodb.pk.hash'), tableNameFormat: '${topic}', nullValues: 'delete' },
    batchSize: 25,
    retry: { maxRetryTimeMs: 1000, retryBackoffMs: 1 },
    tolerance,
    tableCreation: { enabled: true, billing: { mode: 'PAY_PER_REQUEST' } },
  });

  function world(tolerance: 'none' | 'all' = 'none') {
    const events: Event[] = [];
    const topics = new InMemoryTopics(events);
    const tables = new InMemoryTables(events);
    const deadLetters = new InMemoryDeadLetters(events);
    const task = () =>
      new SinkTask(
        settings(tolerance),
        { openRecords: (options) => topics.member(options), tables, deadLetters, writeSlots: new Sema(4) },
        { info: () => undefined, warn: () => undefined, error: () => undefined },
      );
    const produce = (ids: string[], version = 1) => ids.forEach((id) => topics.produce('orders', 0, JSON.stringify({ id }), JSON.stringify({ id, version })));
    const versionOf = (id: string) => tables.items.get('orders')?.get(id)?.version?.N;
    return { events, topics, tables, deadLetters, task, produce, versionOf };
  }

  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `k${from + i}`);


  it('commits a round only after all of its writes', async () => {
    const { events, topics, task, produce, versionOf } = world();
    produce(ids(0, 60));
    const running = task();
    await running.start();
    await until(() => topics.committed.get('orders/0') === 60, 'the commit of offset 60');
    await running.stop();
    expect(ids(0, 60).every((id) => versionOf(id) === '1')).toBe(true);
    const firstCommit = events.findIndex((event) => event.kind === 'commit');
    const written = events.slice(0, firstCommit).filter((event) => event.kind === 'write').reduce((sum, event) => sum + (event.kind === 'write' ? event.count : 0), 0);
    expect(written).toBe(60); // every record of the committed round was written first
  });

  it('read N, acknowledge half, reopen: a failed round commits nothing, and the next member loses nothing', async () => {
    const { topics, tables, task, produce, versionOf } = world();
    produce(ids(0, 30));
    const first = task();
    await first.start();
    await until(() => topics.committed.get('orders/0') === 30, 'the first half committed');
    tables.failWrites(new Error('DynamoDB went away'));
    produce(ids(30, 60));
    await until(() => first.status.state === 'FAILED', 'the task to fail');
    expect(first.status.error).toContain('DynamoDB went away');
    expect(topics.committed.get('orders/0')).toBe(30);

    produce(ids(0, 10), 2); // later versions of the first keys
    const second = task();
    await second.start();
    await until(() => topics.committed.get('orders/0') === 70, 'everything committed by the next member');
    await second.stop();
    expect(ids(30, 60).every((id) => versionOf(id) === '1')).toBe(true);
    expect(ids(0, 10).every((id) => versionOf(id) === '2')).toBe(true);
  });

  it('retries a throttled DescribeTable instead of stopping the task', async () => {
    const { topics, tables, task, produce, versionOf } = world();
    tables.failDescribes(new AwsError('throttled', 'DescribeTable orders: ThrottlingException'), new AwsError('transient', 'DescribeTable orders: 503'));
    produce(['a']);
    const running = task();
    await running.start();
    await until(() => topics.committed.get('orders/0') === 1, 'the record written and committed');
    await running.stop();
    expect(running.status.state).toBe('STOPPED');
    expect(versionOf('a')).toBe('1');
  });

  it('writes dead letters before the commit that passes them (errors.tolerance=all)', async () => {
    const { events, topics, deadLetters, task, produce } = world('all');
    produce(['a']);
    topics.produce('orders', 0, 'bad', 'not json');
    produce(['b']);
    const running = task();
    await running.start();
    await until(() => topics.committed.get('orders/0') === 3, 'the commit past the bad record');
    await running.stop();
    expect(deadLetters.records.map((record) => record.offset)).toEqual(['1']);
    expect(events.findIndex((event) => event.kind === 'dead-letter')).toBeLessThan(events.findIndex((event) => event.kind === 'commit'));
  });

  it('stops on a bad record with errors.tolerance=none, naming it, and commits nothing of its round', async () => {
    const { topics, task, produce } = world('none');
    produce(['a']);
    topics.produce('orders', 0, 'bad', 'not json');
    const running = task();
    await running.start();
    await until(() => running.status.state === 'FAILED', 'the task to stop');
    expect(running.status.error).toMatch(/topic orders partition 0 offset 1: .*errors.tolerance=none/);
    expect(running.status.error!.match(/offset 1:/g)).toHaveLength(1);
    expect(topics.committed.get('orders/0')).toBeUndefined();
  });
});
