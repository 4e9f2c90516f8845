import { describe, expect, it } from 'vitest';
import { connectStatus } from '../../../src/runtime/connect-status.js';

const discovery = { method: 'matching the tag filters env:prod', tables: ['a', 'b'] };

describe('connectStatus', () => {
  it("maps tasks to Connect tasks listing their tables; a failing table shows in its running task's trace", () => {
    const tables = [
      { table: 'a', topic: 'a', state: 'SNAPSHOT', task: 0 },
      { table: 'b', topic: 'b', state: 'FAILED', error: 'table b has no DynamoDB stream', task: 0 },
      { table: 'c', topic: 'c', state: 'STOPPED', task: 1 },
    ];
    const status = connectStatus(
      {
        name: 'src',
        type: 'source',
        discovery,
        tasks: [
          { id: 0, state: 'RUNNING', tables: tables.slice(0, 2) },
          { id: 1, state: 'FENCED', error: 'stopped: transactional id src-1 was taken over', tables: tables.slice(2) },
          { id: 2, state: 'IDLE', tables: [] },
        ],
        tables,
      },
      '127.0.0.1:8083',
    );
    expect(status.connector).toEqual({ state: 'RUNNING', worker_id: '127.0.0.1:8083' });
    expect(status.tasks).toEqual([
      {
        id: 0,
        state: 'RUNNING',
        worker_id: '127.0.0.1:8083',
        trace: 'table b: table b has no DynamoDB stream',
        tables: [
          { table: 'a', topic: 'a', phase: 'SNAPSHOT' },
          { table: 'b', topic: 'b', phase: 'FAILED', error: 'table b has no DynamoDB stream' },
        ],
      },
      {
        id: 1,
        state: 'FAILED',
        worker_id: '127.0.0.1:8083',
        trace: 'stopped: transactional id src-1 was taken over',
        tables: [{ table: 'c', topic: 'c', phase: 'STOPPED' }],
      },
    ]);
  });

  it('fails the source connector only when discovery failed before finding any table', () => {
    const failing = { ...discovery, error: 'table discovery failed: ListTables: unreachable' };
    const withTables = connectStatus({ name: 's', type: 'source', discovery: failing, tasks: [], tables: [] }, 'w');
    expect(withTables.connector.state).toBe('RUNNING');
    expect(withTables.connector.trace).toBe(failing.error);
    const none = connectStatus({ name: 's', type: 'source', discovery: { ...failing, tables: [] }, tasks: [], tables: [] }, 'w');
    expect(none.connector.state).toBe('FAILED');
  });

  it('fails a sink connector when all its tasks failed', () => {
    const task = (state: 'RUNNING' | 'FAILED', id: number) => ({ task: id, state, recordsWritten: 0, recordsDeadLettered: 0, ...(state === 'FAILED' ? { error: 'offset 3: bad' } : {}) });
    expect(connectStatus({ name: 'k', type: 'sink', tasks: [task('RUNNING', 0), task('FAILED', 1)] }, 'w').connector.state).toBe('RUNNING');
    const failed = connectStatus({ name: 'k', type: 'sink', tasks: [task('FAILED', 0)] }, 'w');
    expect(failed.connector.state).toBe('FAILED');
    expect(failed.tasks).toEqual([{ id: 0, state: 'FAILED', worker_id: 'w', trace: 'offset 3: bad', recordsWritten: 0, recordsDeadLettered: 0 }]);
  });

  it('shows what a running sink task waits for, apart from any failure', () => {
    const waiting = { task: 0, state: 'RUNNING' as const, recordsWritten: 5, recordsDeadLettered: 1, waitingFor: 'topic orders (not created yet)' };
    expect(connectStatus({ name: 'k', type: 'sink', tasks: [waiting] }, 'w').tasks).toEqual([
      { id: 0, state: 'RUNNING', worker_id: 'w', waitingFor: 'topic orders (not created yet)', recordsWritten: 5, recordsDeadLettered: 1 },
    ]);
  });
});

describe('connectStatus progress', () => {
  it("adds each table's snapshot progress and stream lag (ms behind source) beside Connect's fields", () => {
    const now = 1_700_000_000_000;
    const tables = [
      { table: 'a', topic: 'a', state: 'SNAPSHOT', snapshot: { snapshotCount: 1, totalSegments: 4, segmentsCompleted: 1, itemsRead: 10, estimatedItems: 40, startedAt: now - 5 } },
      { table: 'b', topic: 'b', state: 'STREAMING', stream: { shardsRead: 0, shardsActive: 1, recordsWritten: 3, recordsSkipped: 0, lastRecordAt: now - 250 } },
    ];
    const status = connectStatus({ name: 'src', type: 'source', discovery, tasks: [{ id: 0, state: 'RUNNING', tables }], tables }, 'w', now);
    expect(status.tasks[0]!.tables).toEqual([
      { table: 'a', topic: 'a', phase: 'SNAPSHOT', snapshot: { itemsRead: 10, estimatedItems: 40, segmentsCompleted: 1, totalSegments: 4 } },
      { table: 'b', topic: 'b', phase: 'STREAMING', stream: { recordsWritten: 3, msBehindSource: 250 } },
    ]);
  });
});
