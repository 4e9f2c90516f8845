import { STREAM_RETENTION_MS } from '../domain/stream-gaps.js';
import type { PipelineStatus } from './status.js';

/** The share of the stream's retention past which a snapshot's expected duration is warned about. */
export const RETENTION_WARNING_SHARE = 0.5;

type SnapshotStatus = NonNullable<PipelineStatus['snapshot']>;

/**
 * The snapshot's expected total duration at its pace so far (items read against DynamoDB's approximate count),
 * and that as a share of the stream's 24 h retention; undefined before the first item.
 */
export function snapshotPace(snapshot: SnapshotStatus, nowMs: number): { expectedDurationMs: number; retentionShare: number } | undefined {
  if (snapshot.itemsRead === 0) return undefined;
  const elapsedMs = Math.max(0, nowMs - snapshot.startedAt);
  const expectedDurationMs = Math.round((elapsedMs * Math.max(snapshot.estimatedItems, snapshot.itemsRead)) / snapshot.itemsRead);
  return { expectedDurationMs, retentionShare: expectedDurationMs / STREAM_RETENTION_MS };
}

/**
 * Updates the status with the pace, and warns once (status and log) when the snapshot would take more than half
 * the retention. The stream is read alongside, so nothing is lost while it runs; but a restart after the
 * retention cannot re-read the keys written before it, and the README tells what shortens a snapshot.
 */
export function notePace(snapshot: SnapshotStatus, table: string, nowMs: number, log: { warn(message: string): void }): void {
  const pace = snapshotPace(snapshot, nowMs);
  if (!pace) return;
  snapshot.expectedDurationMs = pace.expectedDurationMs;
  snapshot.retentionShare = Number(pace.retentionShare.toFixed(3));
  if (snapshot.retentionWarning || pace.retentionShare < RETENTION_WARNING_SHARE) return;
  const hours = (pace.expectedDurationMs / 3_600_000).toFixed(1);
  snapshot.retentionWarning =
    `table ${table}: at its current pace the snapshot takes about ${hours} h, ${Math.round(pace.retentionShare * 100)}% of the stream's 24 h retention; ` +
    `the stream is read alongside, so nothing is lost while it runs, but raise dynamodb.snapshot.max.rcu (or ` +
    `dynamodb.snapshot.max.rcu.percentage, dynamodb.snapshot.segments) to finish sooner`;
  log.warn(snapshot.retentionWarning);
}
