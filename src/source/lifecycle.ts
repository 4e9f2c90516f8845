/**
 * A table pipeline's lifecycle, written down as a transition table: each state, the events that leave it and
 * where they lead. The coordinator (table-pipeline.ts) only moves through `transition`, so an unplanned move is
 * an error instead of a silent state change.
 */
export type PipelineState = 'STARTING' | 'SNAPSHOT' | 'STREAMING' | 'SNAPSHOT_DONE' | 'FAILED' | 'STOPPED';

export type PipelineEvent =
  | 'SNAPSHOT_NEEDED' // no position yet (or a gap under the resnapshot policy): copy the table
  | 'STREAM_READY' // a complete snapshot, or CDC-only: follow the stream
  | 'NOTHING_LEFT' // SNAPSHOT mode and the snapshot is complete
  | 'SNAPSHOT_COMPLETE' // every segment read to its end and written
  | 'GAP' // the stream lost records the position needs (while streaming, or while the snapshot reads alongside)
  | 'FAILURE' // any other error: the worker restarts the pipeline from its committed offsets
  | 'STOP'; // shutdown requested

export const TRANSITIONS: Readonly<Record<PipelineState, Partial<Record<PipelineEvent, PipelineState>>>> = {
  STARTING: { SNAPSHOT_NEEDED: 'SNAPSHOT', STREAM_READY: 'STREAMING', NOTHING_LEFT: 'SNAPSHOT_DONE', GAP: 'SNAPSHOT', FAILURE: 'FAILED', STOP: 'STOPPED' },
  // The stream is read alongside the snapshot: a gap found meanwhile starts the snapshot over.
  SNAPSHOT: { SNAPSHOT_COMPLETE: 'STREAMING', NOTHING_LEFT: 'SNAPSHOT_DONE', GAP: 'SNAPSHOT', FAILURE: 'FAILED', STOP: 'STOPPED' },
  STREAMING: { GAP: 'SNAPSHOT', FAILURE: 'FAILED', STOP: 'STOPPED' },
  SNAPSHOT_DONE: { FAILURE: 'FAILED', STOP: 'STOPPED' },
  FAILED: {},
  STOPPED: {},
};

export function nextState(state: PipelineState, event: PipelineEvent): PipelineState {
  const next = TRANSITIONS[state][event];
  if (!next) throw new Error(`pipeline lifecycle: no transition from ${state} on ${event}`);
  return next;
}
