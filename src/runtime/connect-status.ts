import type { SinkConnectorStatus } from './sink-connector.js';
import type { PipelineStatus } from '../source/status.js';
import type { ConnectorStatus } from './source-connector.js';

/** Kafka Connect's task and connector states. */
export type ConnectState = 'RUNNING' | 'FAILED' | 'UNASSIGNED' | 'PAUSED' | 'STOPPED' | 'RESTARTING';

export interface ConnectTaskStatus {
  id: number;
  state: ConnectState;
  worker_id: string;
  /** Kafka Connect puts the failure here; ours is the message, which never holds credentials. */
  trace?: string;
  /** Sink tasks: the topics they wait for, while those do not exist yet (a running task, not a failure). */
  waitingFor?: string;
  /** Sink tasks: records written to DynamoDB and sent to the dead-letter topic. */
  recordsWritten?: number;
  recordsDeadLettered?: number;
  /** Source tasks: their tables, each with its topic, phase (SNAPSHOT, STREAMING, …), progress and error. */
  tables?: ConnectTableStatus[];
}

export interface ConnectTableStatus {
  table: string;
  topic: string;
  phase: string;
  error?: string;
  snapshot?: { itemsRead: number; estimatedItems: number; segmentsCompleted: number; totalSegments: number };
  /** msBehindSource: now minus the DynamoDB creation time of the last change written. */
  stream?: { recordsWritten: number; msBehindSource?: number };
}

/** The body of Kafka Connect's `GET /connectors/{name}/status`, with this connector's details added. */
export interface ConnectConnectorStatus {
  name: string;
  connector: { state: ConnectState; worker_id: string; trace?: string };
  tasks: ConnectTaskStatus[];
  type: 'source' | 'sink';
  /** Source connectors: how tables are found and what the last discovery saw. */
  discovery?: ConnectorStatus['discovery'];
}

/**
 * A connector's status in Kafka Connect's shape, so the tools that read Connect's REST API read ours. A source
 * task lists its tables; its trace is its own failure, or its failing tables' (a task keeps running while one
 * of its tables fails). A source connector is FAILED only when discovery fails before finding any table.
 */
export function connectStatus(status: ConnectorStatus | SinkConnectorStatus, workerId: string, now = Date.now()): ConnectConnectorStatus {
  if (status.type === 'sink') {
    return {
      name: status.name,
      connector: { state: status.tasks.some((task) => task.state !== 'FAILED') ? 'RUNNING' : 'FAILED', worker_id: workerId },
      tasks: status.tasks.map((task) => ({
        id: task.task,
        state: connectState(task.state),
        worker_id: workerId,
        ...(task.error ? { trace: task.error } : {}),
        ...(task.waitingFor ? { waitingFor: task.waitingFor } : {}),
        recordsWritten: task.recordsWritten,
        recordsDeadLettered: task.recordsDeadLettered,
      })),
      type: 'sink',
    };
  }
  const discoveryFailed = status.discovery.error !== undefined && status.discovery.tables.length === 0;
  const trace = status.error ?? status.discovery.error;
  return {
    name: status.name,
    connector: {
      state: discoveryFailed ? 'FAILED' : 'RUNNING',
      worker_id: workerId,
      ...(trace ? { trace } : {}),
    },
    // Tasks without tables are not shown: Kafka Connect would not have started them.
    tasks: status.tasks.filter((task) => task.tables.length > 0 || task.error).map((task) => {
      const failing = task.tables.filter((table) => table.error).map((table) => `table ${table.table}: ${table.error}`);
      const trace = task.error ?? (failing.length > 0 ? failing.join('\n') : undefined);
      return {
        id: task.id,
        state: task.state === 'FENCED' ? 'FAILED' : connectState(task.state),
        worker_id: workerId,
        ...(trace ? { trace } : {}),
        tables: task.tables.map((table) => tableStatus(table, now)),
      };
    }),
    type: 'source',
    discovery: status.discovery,
  };
}

function tableStatus(table: PipelineStatus, now: number): ConnectTableStatus {
  const { snapshot, stream } = table;
  return {
    table: table.table,
    topic: table.topic,
    phase: table.state,
    ...(table.error ? { error: table.error } : {}),
    ...(snapshot
      ? { snapshot: { itemsRead: snapshot.itemsRead, estimatedItems: snapshot.estimatedItems, segmentsCompleted: snapshot.segmentsCompleted, totalSegments: snapshot.totalSegments } }
      : {}),
    ...(stream
      ? { stream: { recordsWritten: stream.recordsWritten, ...(stream.lastRecordAt !== undefined ? { msBehindSource: Math.max(0, now - stream.lastRecordAt) } : {}) } }
      : {}),
  };
}

/** A task or pipeline state as Kafka Connect names it: failed, stopped (unassigned), or anything else running. */
function connectState(state: string): ConnectState {
  return state === 'FAILED' ? 'FAILED' : state === 'STOPPED' ? 'UNASSIGNED' : 'RUNNING';
}
