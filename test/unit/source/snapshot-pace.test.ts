import { describe, expect, it } from 'vitest';
import { notePace, snapshotPace } from '../../../src/source/snapshot-pace.js';
import type { PipelineStatus } from '../../../src/source/status.js';

const HOUR = 3_600_000;
const snapshot = (itemsRead: number, estimatedItems: number): NonNullable<PipelineStatus['snapshot']> => ({
  snapshotCount: 1,
  totalSegments: 4,
  segmentsCompleted: 0,
  itemsRead,
  estimatedItems,
  startedAt: 0,
});

describe('snapshot pace against the stream retention', () => {
  it('extrapolates the expected duration from the items read so far', () => {
    expect(snapshotPace(snapshot(250, 1000), 2 * HOUR)).toEqual({ expectedDurationMs: 8 * HOUR, retentionShare: 8 / 24 });
  });

  it('has no pace before the first item, and never expects fewer items than were read (the count is approximate)', () => {
    expect(snapshotPace(snapshot(0, 1000), HOUR)).toBeUndefined();
    expect(snapshotPace(snapshot(2000, 1000), HOUR)?.expectedDurationMs).toBe(HOUR);
  });

  it('warns once, in the status and the log, when the snapshot would take more than half the retention', () => {
    const lines: string[] = [];
    const status = snapshot(100, 1000);
    notePace(status, 'orders', HOUR, { warn: (line) => lines.push(line) });
    expect(status).toMatchObject({ expectedDurationMs: 10 * HOUR, retentionShare: 0.417 });
    expect(lines).toEqual([]);
    status.itemsRead = 150;
    notePace(status, 'orders', 2 * HOUR, { warn: (line) => lines.push(line) });
    notePace(status, 'orders', 2 * HOUR, { warn: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^table orders: at its current pace the snapshot takes about 13\.3 h, 56% of the stream's 24 h retention; .*dynamodb\.snapshot\.max\.rcu/);
    expect(status.retentionWarning).toBe(lines[0]);
  });
});
