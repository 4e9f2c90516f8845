import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/config/source.js';
import type { PipelineSettings } from '../../src/source/settings.js';

/** A table's settings as unit tests of the source want them: small pages, one segment, fast polling. */
export function testPipelineSettings(connector: string, table: string, snapshot: Partial<PipelineSettings['snapshot']> = {}): PipelineSettings {
  return {
    connector,
    syncMode: 'SNAPSHOT_CDC',
    topic: table,
    maxBatchSize: 1000,
    records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
    snapshot: { maxPollRecords: 100, segments: 1, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN', ...snapshot },
    cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 1, gapPolicy: 'resnapshot' },
  };
}
