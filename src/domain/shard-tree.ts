// Shard lineage of a DynamoDB stream as a pure function of the DescribeStream shard list.
//
// The order rule it serves: a child shard is read only after its parent reached SHARD_END, so the changes of one
// item (which move from parent to child on a rollover or split) are emitted in order.

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
  startingSequenceNumber?: string;
  /** Present once the shard is closed: no record will be added after it. */
  endingSequenceNumber?: string;
}

export interface ShardForest {
  get(shardId: string): ShardInfo | undefined;
  /** The listed children of a shard, by starting sequence number then id. */
  children(shardId: string): readonly ShardInfo[];
  /** Shards whose parent is not listed (none, or expired after 24 h), by starting sequence number then id. */
  roots(): readonly ShardInfo[];
  /** Every shard, parents before children (depth-first from the roots, in the orders above). */
  all(): readonly ShardInfo[];
}

const DIGITS = /^\d+$/;

/**
 * Compares two sequence numbers (decimal strings of up to ~40 digits, possibly zero-padded) exactly.
 * They exceed 2^53, so never compare them as JS numbers.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = parseSequenceNumber(a);
  const y = parseSequenceNumber(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseSequenceNumber(text: string): bigint {
  if (!DIGITS.test(text)) throw new Error(`Invalid sequence number ${JSON.stringify(text)}: expected decimal digits`);
  return BigInt(text);
}

/** Code-unit order, independent of locale. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** By starting sequence number (unknown ones last), then shard id: a total, deterministic order. */
function compareShards(a: ShardInfo, b: ShardInfo): number {
  const sa = a.startingSequenceNumber;
  const sb = b.startingSequenceNumber;
  if (sa !== undefined && sb !== undefined) {
    const bySequence = compareSequenceNumbers(sa, sb);
    if (bySequence !== 0) return bySequence;
  } else if (sa !== sb) {
    return sa === undefined ? 1 : -1;
  }
  return compareIds(a.shardId, b.shardId);
}

/**
 * Builds the forest from DescribeStream's pages, which may overlap and arrive in any order: the result depends
 * only on the set of shards listed.
 */
export function buildShardForest(shards: readonly ShardInfo[]): ShardForest {
  const byId = new Map<string, ShardInfo>();
  for (const listed of shards) {
    const shard = normalized(listed);
    const seen = byId.get(shard.shardId);
    byId.set(shard.shardId, seen === undefined ? shard : merged(seen, shard));
  }

  const childrenById = new Map<string, ShardInfo[]>();
  const roots: ShardInfo[] = [];
  for (const shard of byId.values()) {
    const parentId = shard.parentShardId;
    if (parentId === undefined || !byId.has(parentId)) {
      roots.push(shard);
    } else {
      const siblings = childrenById.get(parentId);
      if (siblings === undefined) childrenById.set(parentId, [shard]);
      else siblings.push(shard);
    }
  }
  roots.sort(compareShards);
  for (const siblings of childrenById.values()) siblings.sort(compareShards);

  const ordered = depthFirst(roots, childrenById);
  if (ordered.length !== byId.size) {
    // Only a parent cycle leaves shards unreachable from every root; DynamoDB never produces one.
    const reached = new Set(ordered.map((shard) => shard.shardId));
    const stranded = [...byId.keys()].filter((id) => !reached.has(id)).sort(compareIds);
    throw new Error(`Shard list has a parent cycle through ${stranded.join(', ')}`);
  }

  return {
    get: (shardId) => byId.get(shardId),
    children: (shardId) => childrenById.get(shardId) ?? [],
    roots: () => roots,
    all: () => ordered,
  };
}

function depthFirst(roots: readonly ShardInfo[], childrenById: ReadonlyMap<string, readonly ShardInfo[]>): ShardInfo[] {
  const ordered: ShardInfo[] = [];
  const stack = [...roots].reverse();
  for (let shard = stack.pop(); shard !== undefined; shard = stack.pop()) {
    ordered.push(shard);
    const children = childrenById.get(shard.shardId) ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return ordered;
}

/** A frozen copy with only the known fields, validated, so callers cannot alter the forest afterwards. */
function normalized(shard: ShardInfo): ShardInfo {
  const copy: ShardInfo = { shardId: shard.shardId };
  if (shard.parentShardId !== undefined) copy.parentShardId = shard.parentShardId;
  for (const field of ['startingSequenceNumber', 'endingSequenceNumber'] as const) {
    const value = shard[field];
    if (value === undefined) continue;
    if (!DIGITS.test(value)) throw new Error(`Shard ${shard.shardId} has an invalid ${field} ${JSON.stringify(value)}`);
    copy[field] = value;
  }
  return Object.freeze(copy);
}

/**
 * One shard seen on two pages. A shard listed open on one page and closed on a later one is the same shard,
 * later: keep the ending. Any other disagreement means the listing is inconsistent, which we refuse to guess at.
 */
function merged(a: ShardInfo, b: ShardInfo): ShardInfo {
  const result: ShardInfo = { shardId: a.shardId };
  for (const field of ['parentShardId', 'startingSequenceNumber', 'endingSequenceNumber'] as const) {
    const x = a[field];
    const y = b[field];
    if (x !== undefined && y !== undefined && x !== y) {
      throw new Error(`Shard ${a.shardId} is listed twice with different ${field}: ${x} and ${y}`);
    }
    const value = x ?? y;
    if (value !== undefined) result[field] = value;
  }
  return Object.freeze(result);
}

/**
 * The shards that may be read now: not finished, and whose parent is finished or not listed (expired). Parents
 * come before children, so the result is deterministic.
 */
export function readyShards(forest: ShardForest, finished: ReadonlySet<string>): string[] {
  return forest
    .all()
    .filter((shard) => {
      if (finished.has(shard.shardId)) return false;
      const parentId = shard.parentShardId;
      return parentId === undefined || forest.get(parentId) === undefined || finished.has(parentId);
    })
    .map((shard) => shard.shardId);
}

/**
 * Shards we were still reading (an unfinished checkpoint) that the stream no longer lists: their unread records
 * were trimmed, which is provable data loss. The caller re-snapshots or stops with a clear error.
 */
export function vanishedUnfinished(
  checkpointed: ReadonlyMap<string, { finished: boolean }>,
  forest: ShardForest,
): string[] {
  return [...checkpointed]
    .filter(([shardId, checkpoint]) => !checkpoint.finished && forest.get(shardId) === undefined)
    .map(([shardId]) => shardId)
    .sort(compareIds);
}

export {
  SHARD_TRANSITIONS,
  initialShardState,
  transition,
  type ShardEvent,
  type ShardState,
} from './shard-lifecycle.js';
