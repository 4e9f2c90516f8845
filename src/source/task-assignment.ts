import { createHash } from 'node:crypto';

/**
 * The task that carries a table: its name's hash modulo the number of tasks. It depends on nothing else, so a
 * table keeps its task (and its task's transactional id) however many other tables come and go; only another
 * tasks.max moves tables.
 */
export function taskOfTable(table: string, tasks: number): number {
  return createHash('sha256').update(table).digest().readUInt32BE(0) % tasks;
}
