/**
 * The stream no longer holds records this table's position needs (trimmed past the 24 h retention, or the
 * stream was re-created): continuing would silently lose changes. The pipeline re-snapshots, or stops under
 * `dynamodb.cdc.gap.policy=fail`.
 */
export class GapError extends Error {
  override readonly name = 'GapError';
  constructor(
    readonly table: string,
    readonly reason: string,
  ) {
    super(`table ${table}: ${reason}; the table must be re-snapshotted to be complete again`);
  }
}
