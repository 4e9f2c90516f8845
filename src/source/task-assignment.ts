import { stableBucket } from '../domain/stable-bucket.js';

/**
 * The task that carries a table: its name's hash modulo the number of tasks. It depends on nothing else, so a
 * table keeps its task (and its task's transactional id) however many other tables come and go; only another
 * tasks.max moves tables.
 */
export function taskOfTable(table: string, tasks: number): number {
  return stableBucket(table, tasks);
}
