import { stableBucket } from './stable-bucket.js';

/** A task's stable key in the cluster: the same in every worker, for as long as the connector keeps its name. */
export function taskKey(connector: string, task: number): string {
  return `${connector}/${task}`;
}

/**
 * The work topic's partition a task belongs to. Workers share the work topic's partitions through Kafka's group
 * protocol; a worker runs exactly the tasks whose partitions it was assigned, so Kafka decides who owns what.
 */
export function partitionOfTask(connector: string, task: number, partitions: number): number {
  return stableBucket(taskKey(connector, task), partitions);
}

/** The task indexes (of `tasksMax`) of a connector that fall in the partitions a worker owns. */
export function ownedTasks(connector: string, tasksMax: number, partitions: number, owned: ReadonlySet<number>): Set<number> {
  const tasks = new Set<number>();
  for (let task = 0; task < tasksMax; task++) if (owned.has(partitionOfTask(connector, task, partitions))) tasks.add(task);
  return tasks;
}
