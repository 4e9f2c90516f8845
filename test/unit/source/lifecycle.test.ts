import { describe, expect, it } from 'vitest';
import { TRANSITIONS, nextState, type PipelineEvent, type PipelineState } from '../../../src/source/lifecycle.js';

const STATES: PipelineState[] = ['STARTING', 'SNAPSHOT', 'STREAMING', 'SNAPSHOT_DONE', 'FAILED', 'STOPPED'];
const EVENTS: PipelineEvent[] = ['SNAPSHOT_NEEDED', 'STREAM_READY', 'NOTHING_LEFT', 'SNAPSHOT_COMPLETE', 'GAP', 'FAILURE', 'STOP'];

const defined = Object.entries(TRANSITIONS).flatMap(([from, moves]) =>
  Object.entries(moves).map(([event, to]) => [from, event, to] as [PipelineState, PipelineEvent, PipelineState]),
);
const undefinedPairs = STATES.flatMap((state) => EVENTS.map((event) => [state, event] as [PipelineState, PipelineEvent])).filter(
  ([state, event]) => TRANSITIONS[state][event] === undefined,
);

describe('pipeline lifecycle', () => {
  it('has a row for every state and only known events', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATES].sort());
    for (const moves of Object.values(TRANSITIONS)) {
      for (const [event, to] of Object.entries(moves)) {
        expect(EVENTS).toContain(event);
        expect(STATES).toContain(to);
      }
    }
  });

  it.each(defined)('%s on %s → %s', (from, event, to) => {
    expect(nextState(from, event)).toBe(to);
  });

  it('covers the planned moves', () => {
    expect(nextState('STARTING', 'SNAPSHOT_NEEDED')).toBe('SNAPSHOT');
    expect(nextState('STARTING', 'STREAM_READY')).toBe('STREAMING');
    expect(nextState('SNAPSHOT', 'SNAPSHOT_COMPLETE')).toBe('STREAMING');
    expect(nextState('SNAPSHOT', 'NOTHING_LEFT')).toBe('SNAPSHOT_DONE');
    expect(nextState('STREAMING', 'GAP')).toBe('SNAPSHOT');
    for (const state of ['STARTING', 'SNAPSHOT', 'STREAMING', 'SNAPSHOT_DONE'] as const) {
      expect(nextState(state, 'FAILURE')).toBe('FAILED');
      expect(nextState(state, 'STOP')).toBe('STOPPED');
    }
  });

  it.each(undefinedPairs)('%s on %s throws', (state, event) => {
    expect(() => nextState(state, event)).toThrow(`pipeline lifecycle: no transition from ${state} on ${event}`);
  });

  it.each(['FAILED', 'STOPPED'] as const)('%s is final', (state) => {
    expect(TRANSITIONS[state]).toEqual({});
    for (const event of EVENTS) expect(() => nextState(state, event)).toThrow();
  });

  it('checks defined and undefined pairs exhaustively', () => {
    expect(defined.length + undefinedPairs.length).toBe(STATES.length * EVENTS.length);
  });
});
