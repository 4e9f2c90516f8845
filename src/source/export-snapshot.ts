import { setTimeout as delay } from 'node:timers/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../domain/retry.js';
import { checkVersion, partitions, type ExportOffset } from '../domain/position.js';
import type { ExportedFile } from '../domain/export-manifest.js';
import type { ExportProgress, TableExports } from './ports.js';
import type { PhaseContext } from './settings.js';
import { encodeSnapshotItems } from './snapshot.js';
import { notePace } from './snapshot-pace.js';

/** First wait between two DescribeExport calls; it doubles up to POLL_CAP_MS (an export on AWS takes minutes). */
const POLL_FIRST_MS = 1000;
const POLL_CAP_MS = 30_000;

/** DynamoDB reports the export FAILED. */
class ExportFailedError extends Error {
  override readonly name = 'ExportFailedError';
}

export interface ExportSnapshotOptions {
  /** The first wait between two DescribeExport calls (tests make it short). */
  pollFirstMs?: number;
}

/**
 * The snapshot by DynamoDB's export to S3, in the place of the Scan: requests the export (once: its ARN is stored
 * before anything else, so a restart follows the same export), waits for it, then writes its data files' items as
 * `op: r` records, a page at a time, each page with the offset saying how far the files were written. A restart
 * resumes at the first line not written. The export's time is after the stream positions the pipeline stored
 * before calling this, so the stream read alongside carries every change the export does not show.
 */
export async function runExportSnapshot(context: PhaseContext, options: ExportSnapshotOptions = {}): Promise<void> {
  const { table, store, settings, emitter, signal } = context;
  const exports = context.exports;
  const destination = settings.snapshot.export;
  if (!exports || !destination) {
    throw new Error(`table ${table.name}: a snapshot by export needs dynamodb.snapshot.export.s3.bucket and an S3 client`);
  }
  let offset = store.get<ExportOffset>(partitions.export(table.name));
  if (!offset) throw new Error(`table ${table.name}: no export offset stored for this snapshot`);
  checkVersion(offset, `export offset of table ${table.name}`);
  if (offset.completed) return;
  const where = `table ${table.name}, bucket ${destination.bucket}`;
  if (offset.exportArn === null) {
    const started = await withRetries(() => exports.start({ name: table.name, arn: table.arn }, destination), signal);
    offset = { ...offset, exportArn: started.exportArn };
    await emitter.submit({ records: [], offsets: [{ partition: partitions.export(table.name), offset }] });
    await emitter.drain();
    context.log.info(`export ${started.exportArn} requested to s3://${destination.bucket}/${destination.prefix ?? ''}`);
  }
  let done: ExportProgress;
  try {
    done = await awaitExport(context, exports, offset.exportArn!, where, options.pollFirstMs ?? POLL_FIRST_MS);
  } catch (error) {
    if (error instanceof ExportFailedError) {
      // A failed export stays failed: once its cause is fixed (the bucket made, a permission granted), the next
      // start of the table must request a new one.
      await emitter.submit({ records: [], offsets: [{ partition: partitions.export(table.name), offset: { ...offset, exportArn: null } }] });
      await emitter.drain();
    }
    throw error;
  }
  if (!done.manifestKey) throw new Error(`export of ${where} completed without a manifest (DescribeExport gave no ExportManifest)`);
  const files = await withRetries(() => exports.files(destination.bucket, done.manifestKey!), signal);
  if (context.status.snapshot) {
    context.status.snapshot.totalSegments = files.length;
    context.status.snapshot.segmentsCompleted = offset.filesCompleted;
  }
  if (offset.filesCompleted > 0 || offset.linesWritten > 0) {
    context.log.info(`resuming export ${offset.exportArn} at file ${offset.filesCompleted + 1} of ${files.length}, line ${offset.linesWritten + 1} (${offset.itemsRead} items written before)`);
  }
  for (let index = offset.filesCompleted; index < files.length; index++) {
    offset = await writeFile(context, exports, destination.bucket, files, index, offset);
  }
  if (!offset.completed) {
    // No file at all (an empty table): the snapshot is still complete.
    await emitter.submit({ records: [], offsets: [{ partition: partitions.export(table.name), offset: { ...offset, completed: true } }] });
  }
  await emitter.drain();
}

/** Polls DescribeExport until the export is done, keeping its state in the status; a failed export stops the table. */
async function awaitExport(context: PhaseContext, exports: TableExports, exportArn: string, where: string, firstWaitMs: number): Promise<ExportProgress> {
  const { signal, status } = context;
  for (let wait = firstWaitMs; ; wait = Math.min(POLL_CAP_MS, wait * 2)) {
    const progress = await withRetries(() => exports.describe(exportArn), signal);
    if (status.snapshot) {
      status.snapshot.export = {
        exportArn,
        state: progress.state,
        ...(progress.itemCount !== undefined ? { itemsExported: progress.itemCount } : {}),
      };
    }
    if (progress.state === 'COMPLETED') return progress;
    if (progress.state === 'FAILED') throw new ExportFailedError(`export of ${where} failed: ${progress.failure ?? 'no reason given'} (export ${exportArn})`);
    await delay(wait, undefined, { signal });
  }
}

/** Writes one data file from the first line not yet written; returns the offset after it. */
async function writeFile(
  context: PhaseContext,
  exports: TableExports,
  bucket: string,
  files: readonly ExportedFile[],
  index: number,
  start: ExportOffset,
): Promise<ExportOffset> {
  const { settings, signal } = context;
  const file = files[index]!;
  let offset = start;
  let page: Record<string, AttributeValue>[] = [];
  for await (const item of exports.items(bucket, file, offset.linesWritten, signal)) {
    page.push(item);
    if (page.length < settings.snapshot.maxPollRecords) continue;
    offset = await submitPage(context, files, index, page, offset, false);
    page = [];
  }
  return submitPage(context, files, index, page, offset, true);
}

async function submitPage(
  context: PhaseContext,
  files: readonly ExportedFile[],
  index: number,
  items: Record<string, AttributeValue>[],
  before: ExportOffset,
  fileEnds: boolean,
): Promise<ExportOffset> {
  const { table, emitter, status, snapshotPages, signal } = context;
  signal.throwIfAborted();
  const last = index === files.length - 1;
  const offset: ExportOffset = {
    ...before,
    filesCompleted: fileEnds ? index + 1 : index,
    linesWritten: fileEnds ? 0 : before.linesWritten + items.length,
    completed: fileEnds && last,
    itemsRead: before.itemsRead + items.length,
  };
  // The page holds a slot of the connector's page budget until it is written, as a Scan page does.
  await snapshotPages.acquire();
  let written: Promise<void>;
  try {
    const records = encodeSnapshotItems(context, items, { ...before, segment: index, totalSegments: files.length });
    ({ written } = await emitter.submit({ records, offsets: [{ partition: partitions.export(table.name), offset }] }));
  } catch (error) {
    snapshotPages.release();
    throw error;
  }
  const release = (): void => snapshotPages.release();
  void written.then(release, release);
  if (status.snapshot) {
    status.snapshot.itemsRead += items.length;
    notePace(status.snapshot, table.name, Date.now(), context.log);
    if (fileEnds) void written.then(() => status.snapshot && status.snapshot.segmentsCompleted++, () => undefined);
  }
  return offset;
}
