import { describeAtRisk, type AtRisk, type StreamGap } from '../domain/stream-gaps.js';

/**
 * The stream no longer holds records this table's position needs (trimmed past the 24 h retention, or the
 * stream was re-created): continuing would silently lose changes. The pipeline re-snapshots, or stops under
 * `dynamodb.cdc.gap.policy=fail`. The message names the table and, when known, the time range at risk.
 */
export class GapError extends Error {
  override readonly name = 'GapError';
  readonly reason: string;
  readonly atRisk: AtRisk | undefined;
  constructor(
    readonly table: string,
    gap: StreamGap | string,
  ) {
    const { reason, atRisk } = typeof gap === 'string' ? { reason: gap, atRisk: undefined } : gap;
    super(`table ${table}: ${reason}${atRisk ? `: ${describeAtRisk(atRisk)}` : ''}; the table must be re-snapshotted to be complete again`);
    this.reason = reason;
    this.atRisk = atRisk;
  }
}
