// The confluent JSON envelope of single changes, for tests that write records the way the source does.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { Item } from '../../src/domain/attribute-codec.js';
import { readStreamRecord, withoutBefore, type SnapshotPage, type StreamOrigin } from '../../src/domain/change.js';
import { confluentJsonEncoder, type DocumentFormat } from '../../src/formats/confluent-json.js';

export interface TextRecord {
  key: string;
  value: string | null;
  timestampMs: number;
}

interface FormatOptions {
  format?: DocumentFormat;
  version?: string | null;
}

export function snapshotPageRecords(items: readonly Item[], page: SnapshotPage & FormatOptions): TextRecord[] {
  return asText(encoder(page, true).snapshotPage(items, page));
}

export function streamRecords(record: _Record, origin: StreamOrigin & FormatOptions & { tombstones: boolean; omitBefore?: boolean }): TextRecord[] {
  const change = readStreamRecord(record, origin);
  return asText(encoder(origin, origin.tombstones).streamChange(origin.omitBefore ? withoutBefore(change) : change));
}

function encoder(options: FormatOptions, tombstones: boolean) {
  return confluentJsonEncoder({
    document: options.format ?? 'dynamodb-json',
    tombstones,
    ...(options.version !== undefined ? { version: options.version } : {}),
  });
}

/** The JSON format writes text; a Buffer here would be a bug worth failing on. */
function asText(records: ReturnType<ReturnType<typeof encoder>['snapshotPage']>): TextRecord[] {
  return records.map((record) => {
    if (typeof record.key !== 'string' || (record.value !== null && typeof record.value !== 'string')) throw new Error('expected text records');
    return { key: record.key, value: record.value, timestampMs: record.timestampMs };
  });
}
