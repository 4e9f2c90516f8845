/**
 * A source task's lifecycle, as a transition table. A task owns one producer and runs many tables through it;
 * its states are about that producer: none yet, being opened, writing, recovering after a failed write,
 * fenced by a newer owner of its transactional id, stopped.
 */
export type TaskState = 'IDLE' | 'STARTING' | 'RUNNING' | 'RECOVERING' | 'FENCED' | 'STOPPED';

export type TaskEvent =
  | 'TABLES_ASSIGNED' // the first table arrives: open the producer
  | 'WRITER_READY' // producer open (fencing any older one) and offsets read: the tables run
  | 'WRITE_FAILED' // a write (or opening the producer) failed: every table stops, the task retries after a backoff
  | 'RETRY' // the backoff is over (or Kafka answers again): open the producer again
  | 'FENCED' // another producer took the transactional id: the task stops for good, writing nothing more
  | 'STOP'; // the connector stops

export const TASK_TRANSITIONS: Readonly<Record<TaskState, Partial<Record<TaskEvent, TaskState>>>> = {
  IDLE: { TABLES_ASSIGNED: 'STARTING', STOP: 'STOPPED' },
  STARTING: { WRITER_READY: 'RUNNING', WRITE_FAILED: 'RECOVERING', FENCED: 'FENCED', STOP: 'STOPPED' },
  RUNNING: { WRITE_FAILED: 'RECOVERING', FENCED: 'FENCED', STOP: 'STOPPED' },
  RECOVERING: { RETRY: 'STARTING', STOP: 'STOPPED' },
  FENCED: { STOP: 'STOPPED' },
  STOPPED: {},
};

export function nextTaskState(state: TaskState, event: TaskEvent): TaskState {
  const next = TASK_TRANSITIONS[state][event];
  if (!next) throw new Error(`task lifecycle: no transition from ${state} on ${event}`);
  return next;
}
