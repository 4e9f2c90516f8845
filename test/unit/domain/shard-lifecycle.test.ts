import { describe, expect, it } from 'vitest';
import {
  SHARD_TRANSITIONS,
  initialShardState,
  transition,
  type ShardEvent,
  type ShardState,
} from '../../../src/domain/shard-lifecycle.js';

const STATES: ShardState[] = ['WAITING_ON_PARENT', 'READING', 'SHARD_END', 'GAP'];
const EVENTS: ShardEvent[] = ['PARENT_FINISHED', 'RECORDS_READ', 'END_REACHED', 'ITERATOR_EXPIRED', 'TRIMMED'];

const ALLOWED: Array<[ShardState, ShardEvent, ShardState]> = [
  ['WAITING_ON_PARENT', 'PARENT_FINISHED', 'READING'],
  ['WAITING_ON_PARENT', 'TRIMMED', 'GAP'],
  ['READING', 'RECORDS_READ', 'READING'],
  ['READING', 'END_REACHED', 'SHARD_END'],
  ['READING', 'ITERATOR_EXPIRED', 'READING'],
  ['READING', 'TRIMMED', 'GAP'],
];

describe('shard lifecycle', () => {
  it.each(ALLOWED)('%s on %s → %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  const forbidden = STATES.flatMap((state) => EVENTS.map((event) => [state, event] as [ShardState, ShardEvent])).filter(
    ([state, event]) => !ALLOWED.some(([from, on]) => from === state && on === event),
  );

  it.each(forbidden)('%s on %s throws', (state, event) => {
    expect(() => transition(state, event)).toThrow(`no transition from ${state} on ${event}`);
  });

  it('lists exactly the allowed transitions in its table', () => {
    const listed = Object.entries(SHARD_TRANSITIONS).flatMap(([from, moves]) =>
      Object.entries(moves).map(([event, to]) => [from, event, to]),
    );
    expect(listed).toEqual(ALLOWED);
    expect(Object.keys(SHARD_TRANSITIONS)).toEqual(STATES);
  });

  it('starts reading at once only when the parent is finished or gone', () => {
    expect(initialShardState(true)).toBe('READING');
    expect(initialShardState(false)).toBe('WAITING_ON_PARENT');
  });
});
