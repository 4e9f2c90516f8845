import { describe, expect, it } from 'vitest';
import { connectStatus } from '../../../src/runtime/connect-status.js';

const discovery = { method: 'matching the tag filters env:prod', tables: ['a', 'b'] };

describe('connectStatus', () => {
  it('maps table pipelines to tasks, keeping their table, topic and phase', () => {
    const status = connectStatus(
      {
        name: 'src',
        type: 'source',
        discovery,
        tables: [
          { table: 'a', topic: 'a', state: 'SNAPSHOT' },
          { table: 'b', topic: 'b', state: 'FAILED', error: 'table b has no DynamoDB stream' },
          { table: 'c', topic: 'c', state: 'STOPPED' },
        ],
      },
      '127.0.0.1:8083',
    );
    expect(status.connector).toEqual({ state: 'RUNNING', worker_id: '127.0.0.1:8083' });
    expect(status.tasks.map((task) => [task.id, task.state, task.phase, task.trace])).toEqual([
      [0, 'RUNNING', 'SNAPSHOT', undefined],
      [1, 'FAILED', 'FAILED', 'table b has no DynamoDB stream'],
      [2, 'UNASSIGNED', 'STOPPED', undefined],
    ]);
  });

  it('fails the source connector only when discovery failed before finding any table', () => {
    const failing = { ...discovery, error: 'table discovery failed: ListTables: unreachable' };
    const withTables = connectStatus({ name: 's', type: 'source', discovery: failing, tables: [] }, 'w');
    expect(withTables.connector.state).toBe('RUNNING');
    expect(withTables.connector.trace).toBe(failing.error);
    const none = connectStatus({ name: 's', type: 'source', discovery: { ...failing, tables: [] }, tables: [] }, 'w');
    expect(none.connector.state).toBe('FAILED');
  });

  it('fails a sink connector when all its tasks failed', () => {
    const task = (state: 'RUNNING' | 'FAILED', id: number) => ({ task: id, state, recordsWritten: 0, recordsDeadLettered: 0, ...(state === 'FAILED' ? { error: 'offset 3: bad' } : {}) });
    expect(connectStatus({ name: 'k', type: 'sink', tasks: [task('RUNNING', 0), task('FAILED', 1)] }, 'w').connector.state).toBe('RUNNING');
    const failed = connectStatus({ name: 'k', type: 'sink', tasks: [task('FAILED', 0)] }, 'w');
    expect(failed.connector.state).toBe('FAILED');
    expect(failed.tasks).toEqual([{ id: 0, state: 'FAILED', worker_id: 'w', trace: 'offset 3: bad' }]);
  });

  it('shows what a running sink task waits for, apart from any failure', () => {
    const waiting = { task: 0, state: 'RUNNING' as const, recordsWritten: 0, recordsDeadLettered: 0, waitingFor: 'topic orders (not created yet)' };
    expect(connectStatus({ name: 'k', type: 'sink', tasks: [waiting] }, 'w').tasks).toEqual([
      { id: 0, state: 'RUNNING', worker_id: 'w', waitingFor: 'topic orders (not created yet)' },
    ]);
  });
});
