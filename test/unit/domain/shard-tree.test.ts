import { describe, expect, it } from 'vitest';
import {
  buildShardForest,
  compareSequenceNumbers,
  readyShards,
  vanishedUnfinished,
  type ShardForest,
  type ShardInfo,
} from '../../../src/domain/shard-tree.js';

const ids = (shards: readonly ShardInfo[]) => shards.map((shard) => shard.shardId);

/** Reads the forest to the end the way the CDC reader must: only ready shards, each to SHARD_END. */
function readOrder(forest: ShardForest): string[] {
  const finished = new Set<string>();
  const order: string[] = [];
  for (let ready = readyShards(forest, finished); ready.length > 0; ready = readyShards(forest, finished)) {
    const next = ready[0]!;
    const parent = forest.get(next)?.parentShardId;
    if (parent !== undefined && forest.get(parent) !== undefined) expect(finished.has(parent)).toBe(true);
    order.push(next);
    finished.add(next);
  }
  return order;
}

// Sequence numbers longer than 2^53 and than each other's lengths, so any numeric shortcut would misorder them.
const rolloverChain: ShardInfo[] = [
  { shardId: 'shard-1', startingSequenceNumber: '000000000000000000100', endingSequenceNumber: '000000000000000000199' },
  { shardId: 'shard-2', parentShardId: 'shard-1', startingSequenceNumber: '000000000000000000200', endingSequenceNumber: '000000000000000000299' },
  { shardId: 'shard-3', parentShardId: 'shard-2', startingSequenceNumber: '000000000000000000300' },
];

const split: ShardInfo[] = [
  { shardId: 'parent', startingSequenceNumber: '49000000000000000000000000000000000000001', endingSequenceNumber: '49000000000000000000000000000000000000009' },
  { shardId: 'child-b', parentShardId: 'parent', startingSequenceNumber: '49000000000000000000000000000000000000010' },
  { shardId: 'child-a', parentShardId: 'parent', startingSequenceNumber: '49000000000000000000000000000000000000011' },
  { shardId: 'unrelated', startingSequenceNumber: '50000000000000000000000000000000000000000' },
];

describe('compareSequenceNumbers', () => {
  it('compares exactly, whatever the padding and beyond 2^53', () => {
    expect(compareSequenceNumbers('000000000000000000247', '248')).toBe(-1);
    expect(compareSequenceNumbers('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareSequenceNumbers('0100', '100')).toBe(0);
    expect(compareSequenceNumbers('99', '100')).toBe(-1);
  });

  it('refuses non-digit text', () => {
    expect(() => compareSequenceNumbers('12a', '1')).toThrow(/Invalid sequence number "12a"/);
  });
});

describe('buildShardForest', () => {
  it('links a rollover chain (DynamoDB Local closes a shard every 4 h)', () => {
    const forest = buildShardForest(rolloverChain);
    expect(ids(forest.roots())).toEqual(['shard-1']);
    expect(ids(forest.children('shard-1'))).toEqual(['shard-2']);
    expect(ids(forest.children('shard-2'))).toEqual(['shard-3']);
    expect(ids(forest.children('shard-3'))).toEqual([]);
    expect(ids(forest.all())).toEqual(['shard-1', 'shard-2', 'shard-3']);
    expect(forest.get('shard-2')).toEqual(rolloverChain[1]);
    expect(forest.get('nope')).toBeUndefined();
    expect(ids(forest.children('nope'))).toEqual([]);
  });

  it('orders split children and roots by starting sequence number, then id', () => {
    const forest = buildShardForest(split);
    expect(ids(forest.roots())).toEqual(['parent', 'unrelated']);
    expect(ids(forest.children('parent'))).toEqual(['child-b', 'child-a']);
    expect(ids(forest.all())).toEqual(['parent', 'child-b', 'child-a', 'unrelated']);

    const sameStart = buildShardForest([
      { shardId: 'z', startingSequenceNumber: '5' },
      { shardId: 'y', startingSequenceNumber: '5' },
      { shardId: 'x' },
    ]);
    expect(ids(sameStart.roots())).toEqual(['y', 'z', 'x']);
  });

  it('treats a shard whose parent expired as a root', () => {
    const forest = buildShardForest(rolloverChain.slice(1));
    expect(ids(forest.roots())).toEqual(['shard-2']);
    expect(forest.get('shard-1')).toBeUndefined();
  });

  it('gives identical output for shuffled and overlapping pages', () => {
    const reference = buildShardForest([...rolloverChain, ...split]);
    const pages = [...split, ...rolloverChain];
    for (let seed = 1; seed <= 20; seed++) {
      const shuffled = shuffle([...pages, ...pages.slice(seed % pages.length)], seed);
      const forest = buildShardForest(shuffled);
      expect(forest.all()).toEqual(reference.all());
      expect(ids(forest.roots())).toEqual(ids(reference.roots()));
      for (const shard of reference.all()) expect(ids(forest.children(shard.shardId))).toEqual(ids(reference.children(shard.shardId)));
      expect(readyShards(forest, new Set(['shard-1']))).toEqual(readyShards(reference, new Set(['shard-1'])));
    }
  });

  it('merges a shard seen open on one page and closed on a later one', () => {
    const open = { shardId: 's', startingSequenceNumber: '1' };
    const closed = { ...open, endingSequenceNumber: '9' };
    expect(buildShardForest([open, closed]).get('s')).toEqual(closed);
    expect(buildShardForest([closed, open]).get('s')).toEqual(closed);
  });

  it('refuses inconsistent duplicates, bad sequence numbers and parent cycles', () => {
    expect(() => buildShardForest([{ shardId: 's', parentShardId: 'a' }, { shardId: 's', parentShardId: 'b' }])).toThrow(
      /Shard s is listed twice with different parentShardId: a and b/,
    );
    expect(() => buildShardForest([{ shardId: 's', startingSequenceNumber: '-1' }])).toThrow(
      /Shard s has an invalid startingSequenceNumber "-1"/,
    );
    expect(() =>
      buildShardForest([
        { shardId: 'root' },
        { shardId: 'a', parentShardId: 'b' },
        { shardId: 'b', parentShardId: 'a' },
      ]),
    ).toThrow(/parent cycle through a, b/);
  });

  it('keeps its shards from being changed by the caller', () => {
    const input: ShardInfo[] = [{ shardId: 's', startingSequenceNumber: '1' }];
    const forest = buildShardForest(input);
    input[0]!.endingSequenceNumber = '2';
    expect(forest.get('s')?.endingSequenceNumber).toBeUndefined();
    expect(Object.isFrozen(forest.get('s'))).toBe(true);
  });
});

describe('readyShards', () => {
  it('reads a chain one shard at a time, each after its parent', () => {
    const forest = buildShardForest(rolloverChain);
    expect(readyShards(forest, new Set())).toEqual(['shard-1']);
    expect(readyShards(forest, new Set(['shard-1']))).toEqual(['shard-2']);
    expect(readyShards(forest, new Set(['shard-1', 'shard-2']))).toEqual(['shard-3']);
    expect(readyShards(forest, new Set(['shard-1', 'shard-2', 'shard-3']))).toEqual([]);
  });

  it('releases both children of a split together, once the parent is finished', () => {
    const forest = buildShardForest(split);
    expect(readyShards(forest, new Set())).toEqual(['parent', 'unrelated']);
    expect(readyShards(forest, new Set(['unrelated']))).toEqual(['parent']);
    expect(readyShards(forest, new Set(['parent']))).toEqual(['child-b', 'child-a', 'unrelated']);
  });

  it('lets a shard whose parent expired be read at once', () => {
    expect(readyShards(buildShardForest(rolloverChain.slice(1)), new Set())).toEqual(['shard-2']);
  });

  it('never offers a child before its parent is finished', () => {
    expect(readOrder(buildShardForest([...rolloverChain, ...split]))).toEqual([
      'shard-1',
      'shard-2',
      'shard-3',
      'parent',
      'child-b',
      'child-a',
      'unrelated',
    ]);
  });

  it('ignores finished marks of shards it does not list', () => {
    expect(readyShards(buildShardForest(rolloverChain), new Set(['gone']))).toEqual(['shard-1']);
  });
});

describe('vanishedUnfinished', () => {
  const forest = buildShardForest(rolloverChain.slice(1));

  it('reports unfinished checkpoints of shards no longer listed, sorted', () => {
    const checkpoints = new Map([
      ['shard-z', { finished: false }],
      ['shard-1', { finished: false }],
      ['shard-2', { finished: false }],
    ]);
    expect(vanishedUnfinished(checkpoints, forest)).toEqual(['shard-1', 'shard-z']);
  });

  it('does not report shards that were finished before they expired', () => {
    expect(vanishedUnfinished(new Map([['shard-1', { finished: true }]]), forest)).toEqual([]);
  });

  it('does not report listed shards or an empty checkpoint set', () => {
    expect(vanishedUnfinished(new Map([['shard-3', { finished: false }]]), forest)).toEqual([]);
    expect(vanishedUnfinished(new Map(), forest)).toEqual([]);
  });
});

/** Deterministic Fisher–Yates with a small LCG, so failures reproduce. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
