import type { TargetState } from '../domain/connector-configs.js';
import { statusKeys, type StatusRecord } from '../domain/task-status.js';
import type { ConnectConnectorStatus } from './connect-status.js';

/** A connector's status across the cluster: Kafka Connect's `GET /connectors/{name}/status` body. */
export interface ClusterConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id: string; trace?: string }>;
  type: 'source' | 'sink';
}

/** What the owner of a connector's tasks knows of it, to write to the status topic. */
export interface OwnedConnector {
  name: string;
  /** The task indexes this worker runs. */
  tasks: ReadonlySet<number>;
  /** The connector's status in this worker (undefined while it starts). */
  local: ConnectConnectorStatus | undefined;
}

/**
 * The status records this worker owes for a connector: each task it runs (a task without a status of its own yet,
 * a source task without tables say, runs idle: RUNNING), and the connector's own when it runs task 0 (some
 * worker must write it, and task 0 always exists).
 */
export function ownedStatusRecords(owned: OwnedConnector, workerId: string, generationOf: (task: number) => number): Array<{ key: string; value: StatusRecord }> {
  const records: Array<{ key: string; value: StatusRecord }> = [];
  for (const task of [...owned.tasks].sort((a, b) => a - b)) {
    const local = owned.local?.tasks.find((candidate) => candidate.id === task);
    records.push({
      key: statusKeys.task(owned.name, task),
      value: { state: local?.state ?? 'RUNNING', trace: local?.trace ?? null, worker_id: workerId, generation: generationOf(task) },
    });
  }
  if (owned.tasks.has(0)) {
    const connector = owned.local?.connector;
    records.push({
      key: statusKeys.connector(owned.name),
      value: { state: connector?.state ?? 'RUNNING', trace: connector?.trace ?? null, worker_id: workerId, generation: generationOf(0) },
    });
  }
  return records;
}

/**
 * A connector's cluster-wide status from the status topic's records. A task with no record yet (its owner is
 * starting it) is UNASSIGNED; a paused connector's tasks are PAUSED and a stopped one has none, as in Connect.
 */
export function clusterConnectorStatus(
  connector: { name: string; type: 'source' | 'sink'; tasksMax: number; target: TargetState },
  records: ReadonlyMap<string, StatusRecord>,
): ClusterConnectorStatus {
  const { name, type, tasksMax, target } = connector;
  const own = records.get(statusKeys.connector(name));
  const state = (record: StatusRecord | undefined) => (target === 'STARTED' ? (record?.state ?? 'UNASSIGNED') : target);
  const trace = (record: StatusRecord | undefined) => (target === 'STARTED' && record?.trace ? { trace: record.trace } : {});
  return {
    name,
    connector: { state: state(own), worker_id: own?.worker_id ?? '', ...trace(own) },
    tasks:
      target === 'STOPPED'
        ? []
        : Array.from({ length: tasksMax }, (_, id) => {
            const record = records.get(statusKeys.task(name, id));
            return { id, state: state(record), worker_id: record?.worker_id ?? '', ...trace(record) };
          }),
    type,
  };
}
