import { partitions, type StreamOffset, type TaskWritersOffset } from '../domain/position.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import type { SourceKafka } from '../source/ports.js';

/** A task's transactional id: stable per connector and task number, as Kafka Connect's exactly-once tasks. */
export function taskTransactionalId(connector: string, task: number): string {
  return `${connector}-${task}`;
}

/** Releases before tasks gave each table its own producer, with this id. */
function perTableTransactionalId(connector: string, table: string): string {
  return `${connector}-${table}`;
}

/** How many producers are opened at once to fence earlier ids. */
const FENCING_CONCURRENCY = 8;

export interface FencingOutcome {
  /** The earlier ids that were fenced (none when the tasks are those of last time). */
  fenced: string[];
}

/**
 * Makes sure no producer of an earlier layout of the connector's tasks can still commit, before any task reads
 * its offsets. Within one layout a table always sits in the same task, whose new producer fences its old one;
 * but when the layout changes (another tasks.max, or the first start after per-table producers), a table may
 * move to a task whose producer never shared an id with its old owner. Kafka Connect fences the previous
 * generation's tasks for the same reason (KIP-618).
 *
 * Opening a producer with an id (initTransactions) fences that id and aborts its open transaction: done for
 * every earlier id and every current one, then the offsets are read again (an open transaction may have hidden
 * the record of the layout before) and the current layout is recorded in the offsets topic.
 */
export async function fenceEarlierLayouts(
  kafka: SourceKafka,
  options: { offsetsTopic: string; connector: string; current: string[] },
): Promise<FencingOutcome> {
  const { offsetsTopic, connector, current } = options;
  const fence = (ids: string[]) => fenceTransactionalIds(kafka, ids);
  let store = await kafka.loadOffsets(offsetsTopic, connector);
  if (sameIds(recordedLayout(store, connector), current)) return { fenced: [] };
  const fenced = new Set<string>();
  let pending = [...new Set([...recordedLayout(store, connector), ...current])];
  while (pending.length > 0) {
    await fence(pending);
    for (const id of pending) fenced.add(id);
    store = await kafka.loadOffsets(offsetsTopic, connector);
    pending = recordedLayout(store, connector).filter((id) => !fenced.has(id));
  }
  const writer = await kafka.openWriter({ transactionalId: current[0]!, maxMessageBytes: 1_000_000 });
  try {
    const layout: TaskWritersOffset = { v: 1, transactionalIds: current };
    await writer.write([], [store.message(partitions.taskWriters(), layout)]);
  } finally {
    await writer.close();
  }
  return { fenced: [...fenced].filter((id) => !current.includes(id)) };
}

/**
 * Fences these transactional ids: opening a producer with an id (initTransactions) aborts its open transaction
 * and makes any older producer with it fail, so none of them can commit afterwards.
 */
export async function fenceTransactionalIds(kafka: SourceKafka, ids: string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += FENCING_CONCURRENCY) {
    await Promise.all(
      ids.slice(start, start + FENCING_CONCURRENCY).map(async (transactionalId) => {
        const writer = await kafka.openWriter({ transactionalId, maxMessageBytes: 1_000_000 });
        await writer.close();
      }),
    );
  }
}

/** Whether the offsets topic records `current` as the connector's task layout (its earlier one fenced). */
export async function layoutRecorded(kafka: SourceKafka, options: { offsetsTopic: string; connector: string; current: string[] }): Promise<boolean> {
  const store = await kafka.loadOffsets(options.offsetsTopic, options.connector);
  return sameIds(store.get<TaskWritersOffset>(partitions.taskWriters())?.transactionalIds ?? [], options.current);
}

/** The ids recorded last time; without a record, those of the per-table producers of earlier releases. */
export function recordedLayout(store: OffsetStore, connector: string): string[] {
  const recorded = store.get<TaskWritersOffset>(partitions.taskWriters());
  if (recorded) return recorded.transactionalIds;
  return store
    .find<StreamOffset>({})
    .filter((entry) => entry.partition.stream !== undefined && entry.partition.shard === undefined)
    .map((entry) => perTableTransactionalId(connector, entry.partition.stream!));
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
