/**
 * A connector's or task's status as Kafka Connect keeps it in the status topic: written by the worker that runs
 * it, read by every worker. `generation` tells a newer owner's record from an older one's.
 */
export interface StatusRecord {
  state: string;
  trace: string | null;
  worker_id: string;
  generation: number;
}

/** Kafka Connect's status topic keys. */
export const statusKeys = {
  connector: (connector: string) => `status-connector-${connector}`,
  task: (connector: string, task: number) => `status-task-${connector}-${task}`,
};

/** A status record's value, or undefined when it is not one (another tool's record: passed over). */
export function parseStatusRecord(text: string): StatusRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<StatusRecord>;
    if (typeof value.state !== 'string' || typeof value.worker_id !== 'string') return undefined;
    return { state: value.state, trace: typeof value.trace === 'string' ? value.trace : null, worker_id: value.worker_id, generation: Number(value.generation ?? 0) };
  } catch {
    return undefined;
  }
}
