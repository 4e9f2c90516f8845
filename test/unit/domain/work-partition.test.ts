import { describe, expect, it } from 'vitest';
import { ownedTasks, partitionOfTask } from '../../../src/domain/work-partition.js';

describe('work partitions: which worker runs a task', () => {
  it('a task keeps its partition, and the workers’ shares of the partitions split the tasks exactly', () => {
    expect(partitionOfTask('orders', 3, 60)).toBe(partitionOfTask('orders', 3, 60));
    const shares = [0, 1, 2].map((worker) => new Set(Array.from({ length: 60 }, (_, partition) => partition).filter((partition) => partition % 3 === worker)));
    const tasks = shares.map((share) => ownedTasks('orders', 16, 60, share));
    expect(tasks.flatMap((owned) => [...owned]).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, task) => task));
    expect(tasks.filter((owned) => owned.size > 0).length).toBeGreaterThan(1);
  });
});
