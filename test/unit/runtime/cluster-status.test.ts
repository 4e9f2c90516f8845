import { describe, expect, it } from 'vitest';
import { statusKeys, type StatusRecord } from '../../../src/domain/task-status.js';
import { clusterConnectorStatus, ownedStatusRecords } from '../../../src/runtime/cluster-status.js';

const record = (state: string, worker: string, trace: string | null = null): StatusRecord => ({ state, trace, worker_id: worker, generation: 1 });

describe('cluster status: what each worker writes, what any worker answers', () => {
  it('a worker writes its own tasks (an idle one RUNNING) and, running task 0, the connector', () => {
    const local = {
      name: 'orders',
      type: 'source' as const,
      connector: { state: 'RUNNING' as const, worker_id: 'w1' },
      tasks: [{ id: 2, state: 'FAILED' as const, worker_id: 'w1', trace: 'fenced' }],
    };
    const records = ownedStatusRecords({ name: 'orders', tasks: new Set([2, 0]), local }, 'w1:8083', (task) => 10 + task);
    expect(records).toEqual([
      { key: 'status-task-orders-0', value: { state: 'RUNNING', trace: null, worker_id: 'w1:8083', generation: 10 } },
      { key: 'status-task-orders-2', value: { state: 'FAILED', trace: 'fenced', worker_id: 'w1:8083', generation: 12 } },
      { key: 'status-connector-orders', value: { state: 'RUNNING', trace: null, worker_id: 'w1:8083', generation: 10 } },
    ]);
    expect(ownedStatusRecords({ name: 'orders', tasks: new Set([1]), local: undefined }, 'w2', () => 0).map((each) => each.key)).toEqual(['status-task-orders-1']);
  });

  it('any worker answers every task with the worker that runs it; a task not written yet is UNASSIGNED', () => {
    const records = new Map([
      [statusKeys.connector('orders'), record('RUNNING', 'w1')],
      [statusKeys.task('orders', 0), record('RUNNING', 'w1')],
      [statusKeys.task('orders', 1), record('FAILED', 'w2', 'table t: missing')],
    ]);
    expect(clusterConnectorStatus({ name: 'orders', type: 'source', tasksMax: 3, target: 'STARTED' }, records)).toEqual({
      name: 'orders',
      connector: { state: 'RUNNING', worker_id: 'w1' },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: 'w1' },
        { id: 1, state: 'FAILED', worker_id: 'w2', trace: 'table t: missing' },
        { id: 2, state: 'UNASSIGNED', worker_id: '' },
      ],
      type: 'source',
    });
    const paused = clusterConnectorStatus({ name: 'orders', type: 'source', tasksMax: 2, target: 'PAUSED' }, records);
    expect(paused.tasks.map((task) => task.state)).toEqual(['PAUSED', 'PAUSED']);
    expect(clusterConnectorStatus({ name: 'orders', type: 'source', tasksMax: 2, target: 'STOPPED' }, records).tasks).toEqual([]);
  });
});
