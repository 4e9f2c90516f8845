import type { Sema } from 'async-sema';
import { AwsError } from '../domain/aws-error.js';
import { withRetries } from '../domain/retry.js';
import { checkVersion, partitions, type ExportOffset, type SegmentOffset, type ShardOffset, type StreamOffset } from '../domain/position.js';
import type { TableInfo } from '../domain/table-info.js';
import type { OffsetStore } from '../offsets/offset-store.js';
import type { Emitter, Lane, OffsetUpdate } from './emitter.js';
import { GapError } from './gap.js';
import { streamRecreated } from '../domain/stream-gaps.js';
import { nextState, type PipelineEvent, type PipelineState } from './lifecycle.js';
import type { ChangeStreams, SourceKafka, SourceTables, TableExports } from './ports.js';
import { HANDOFF_MARGIN_MS, type PhaseContext, type PipelineSettings } from './settings.js';
import { defaultSegments, runSnapshot } from './snapshot.js';
import { runExportSnapshot } from './export-snapshot.js';
import type { PipelineStatus } from './status.js';

import { runStream } from './stream-reader.js';
import { ChangedKeys } from './changed-keys.js';
import { rebuildChangedKeys } from './rebuild-changed-keys.js';
import type { RecordFormat } from '../formats/ports.js';

/** Creation times are rounded down by up to a minute (DynamoDB Local): a start position keeps that much more. */
const CREATION_TIME_ROUNDING_MS = 60_000;

export interface PipelineDependencies {
  settings: PipelineSettings;
  /** How changes become Kafka records. */
  format: RecordFormat;
  tableName: string;
  /** How the table was chosen, for the message when it does not exist ("listed in dynamodb.table.includelist"). */
  foundBy: string;
  topic: { partitions: number; replicationFactor: number };
  kafka: Pick<SourceKafka, 'ensureTopic'>;
  tables: SourceTables;
  streams: ChangeStreams;
  /** DynamoDB's export to S3, for dynamodb.snapshot.method=EXPORT. */
  exports?: TableExports;
  /** The task's committed offsets; each of its tables reads and writes only its own partitions. */
  store: OffsetStore;
  /** The task's single writer: the pipeline writes through a lane of its own. */
  emitter: Emitter;
  /** The connector's budget of snapshot pages held in memory, shared by all its tables. */
  snapshotPages: Sema;
  log: { info(message: string): void; warn(message: string): void };
}

/** A table that cannot be replicated as configured: retrying will not help until someone changes it. */
export class TableNotReplicableError extends Error {
  override readonly name = 'TableNotReplicableError';
}

/**
 * Replicates one table: snapshot, then stream, back to snapshot on a gap. It writes through its own lane of its
 * task's emitter (the task owns the producer and the offsets), so a failing table stops only itself.
 */
export class TablePipeline {
  readonly status: PipelineStatus;
  private state: PipelineState = 'STARTING';
  /** The stream read started alongside the snapshot, carried on into STREAMING. */
  private streaming?: Promise<void>;
  /** The table's lane of the task's writer, while the pipeline runs. */
  private lane?: Lane;

  constructor(private readonly deps: PipelineDependencies) {
    this.status = { table: deps.tableName, topic: deps.settings.topic, state: this.state };
  }

  async run(signal: AbortSignal): Promise<void> {
    const { deps } = this;
    const lane = deps.emitter.lane();
    this.lane = lane;
    try {
      const table = await this.describe(signal);
      const encoder = await deps.format.forTable(table, deps.settings.topic);
      const { maxMessageBytes, deadLetterTopic } = deps.settings.records;
      // Topics hold the largest change the connector lets through (Kafka's default, 1 MB, does not).
      const configs = { 'max.message.bytes': String(maxMessageBytes) };
      await deps.kafka.ensureTopic({ topic: deps.settings.topic, ...deps.topic, configs });
      if (deadLetterTopic) await deps.kafka.ensureTopic({ topic: deadLetterTopic, ...deps.topic, configs });
      // A failed write stops the phases at once: a reader waiting on an idle shard would not notice until its
      // next submit, and the table would sit there, unwritten, looking healthy.
      const phaseSignal = AbortSignal.any([signal, lane.failureSignal]);
      // The error of the run before (kept in the status while this one starts) is over once a write succeeds.
      const inherited = this.status.error;
      void lane.firstWrite.then(() => {
        if (this.status.error === inherited) this.status.error = undefined;
      });
      const context: PhaseContext = { ...deps, table, encoder, emitter: lane, status: this.status, signal: phaseSignal };
      await this.loop(context);
    } catch (error) {
      // A failed write of the task is this table's failure too, even once the task began stopping its tables.
      if (signal.aborted && !deps.emitter.failed) {
        this.move('STOP');
      } else {
        const cause = deps.emitter.failed ?? error;
        this.status.error = cause instanceof Error ? cause.message : String(cause);
        this.move('FAILURE');
        throw cause;
      }
    } finally {
      // Its batches already queued are written (or fail) before a restart reads this table's positions again.
      await lane.close();
    }
  }

  private async loop(context: PhaseContext): Promise<void> {
    this.move(await this.firstEvent(context));
    for (;;) {
      context.signal.throwIfAborted();
      switch (this.state) {
        case 'SNAPSHOT':
          if (context.settings.syncMode === 'SNAPSHOT') {
            if (this.status.snapshot) this.status.snapshot.scanStartedAt = Date.now();
            await copyTable(context);
            await this.completeSnapshot(context);
            this.logSnapshotComplete();
            this.move('NOTHING_LEFT');
          } else {
            await this.snapshotAlongsideStream(context);
          }
          break;
        case 'STREAMING': {
          // The stream started alongside the snapshot goes on; after a restart it starts here.
          const position = context.store.get<StreamOffset>(partitions.stream(context.table.name))!;
          const streaming = this.streaming ?? runStream(context, position);
          this.streaming = undefined;
          try {
            await streaming;
          } catch (error) {
            if (!(error instanceof GapError)) throw error;
            await this.onGap(context, error, position.snapshotCount);
          }
          break;
        }
        case 'SNAPSHOT_DONE':
          // Nothing more to copy; stay up (the connector keeps running) until stopped.
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
          break;
        default:
          return;
      }
    }
  }

  /**
   * Scans the table while its stream is read alongside (see README, "Big tables"): first every shard is read up
   * to its newest record and those positions are stored, nothing written (the changes read so far precede the
   * scan, which will show them); then the scan runs while the stream is read on from them, so the stream never falls behind its
   * 24 h retention however long the scan takes. A snapshot read of a key the stream wrote since the scan began
   * is dropped (ChangedKeys). A gap found meanwhile stops the scan and starts a new snapshot (or fails, by the
   * gap policy).
   */
  private async snapshotAlongsideStream(context: PhaseContext): Promise<void> {
    const phase = new AbortController();
    const signal = AbortSignal.any([context.signal, phase.signal]);
    let position = context.store.get<StreamOffset>(partitions.stream(context.table.name))!;
    const keys = new ChangedKeys(context.emitter);
    const running: Array<Promise<void>> = [];
    try {
      if (!position.scanStartPositions && !scanBegun(context.store, context.table.name)) {
        // Not written: every change in the stream before the scan begins is in what the scan reads, so a fresh
        // table's items come as snapshot reads, as they did when the stream was read after the scan.
        await runStream({ ...context, signal }, position, { positionsOnly: true });
        position = await this.storeScanStart(context, position);
      }
      await rebuildChangedKeys(context, position, keys);
      this.status.snapshot ??= resumedSnapshotStatus(context, position);
      this.status.snapshot.scanStartedAt = Date.now();
      const streaming = runStream({ ...context, emitter: keys.stream, signal }, position);
      const snapshot = copyTable({ ...context, emitter: keys.snapshot, signal });
      running.push(streaming, snapshot);
      // The stream runs until stopped: it settles first only by failing.
      await Promise.race([snapshot, streaming]);
      await this.completeSnapshot({ ...context, emitter: keys.snapshot });
      this.streaming = streaming;
      // Not awaited until STREAMING: a failure meanwhile must not go unobserved.
      streaming.catch(() => undefined);
    } catch (error) {
      phase.abort(error);
      const reason = error instanceof Error ? error : new Error(String(error));
      void keys.shutOut(reason); // refused from now on...
      await Promise.allSettled(running);
      await keys.shutOut(reason); // ...and what was let through is queued before a new snapshot clears the offsets
      if (!(error instanceof GapError)) throw error;
      return this.onGap(context, error, position.snapshotCount);
    } finally {
      keys.release();
    }
    this.logSnapshotComplete();
    this.move('SNAPSHOT_COMPLETE');
  }

  /** Stores each shard's position (its checkpoint, read up to its newest record) as the scan's starting point. */
  private async storeScanStart(context: PhaseContext, position: StreamOffset): Promise<StreamOffset> {
    const { table, store, emitter } = context;
    await emitter.drain();
    const scanStartPositions: Record<string, string> = {};
    for (const { partition, offset } of store.find<ShardOffset>({ stream: table.name })) {
      if (partition.shard !== undefined && offset.streamArn === position.streamArn && offset.seq_No !== null) scanStartPositions[partition.shard] = offset.seq_No;
    }
    const stored: StreamOffset = { ...position, scanStartPositions };
    await emitter.submit({ records: [], offsets: [{ partition: partitions.stream(table.name), offset: stored }] });
    await emitter.drain();
    return stored;
  }

  private logSnapshotComplete(): void {
    const snapshot = this.status.snapshot;
    if (!snapshot) return;
    const seconds = (Date.now() - snapshot.startedAt) / 1000;
    this.deps.log.info(
      `snapshot ${snapshot.snapshotCount} complete: ${snapshot.itemsRead} items in ${seconds.toFixed(1)} s (${snapshot.totalSegments} ${snapshot.export ? 'exported files' : 'segments'})` +
        (this.status.stream ? `, ${this.status.stream.recordsWritten} stream changes written alongside` : ''),
    );
  }

  /** Decides, from the stored offsets, where this table resumes. */
  private async firstEvent(context: PhaseContext): Promise<PipelineEvent> {
    const { settings, table, store } = context;
    const position = store.get<StreamOffset>(partitions.stream(table.name));
    if (!position) {
      if (settings.syncMode === 'CDC') {
        await this.startStreamOnly(context);
        return 'STREAM_READY';
      }
      await this.startSnapshot(context, 1);
      return 'SNAPSHOT_NEEDED';
    }
    checkVersion(position, `stream offset of table ${table.name}`);
    if (settings.syncMode !== 'SNAPSHOT' && position.streamArn !== table.stream!.arn) {
      const readUpTo = store
        .find<ShardOffset>({ stream: table.name })
        .map((entry) => entry.offset.lastRecordMs)
        .filter((time): time is number => time !== undefined);
      const lastReadMs = readUpTo.length > 0 ? Math.max(...readUpTo) : undefined;
      await this.onGap(context, new GapError(table.name, streamRecreated(position.streamArn, table.stream!.arn, lastReadMs, Date.now())), position.snapshotCount);
      return 'GAP';
    }
    if (!position.snapshotCompleted && settings.syncMode !== 'CDC') return 'SNAPSHOT_NEEDED';
    return settings.syncMode === 'SNAPSHOT' ? 'NOTHING_LEFT' : 'STREAM_READY';
  }

  private async onGap(context: PhaseContext, gap: GapError, snapshotCount: number): Promise<void> {
    // A stream that vanished with its table is no gap to fill: the pipeline stops with the offsets as they are.
    await this.describe(context.signal);
    if (context.settings.cdc.gapPolicy === 'fail') {
      throw new Error(`${gap.message} (dynamodb.cdc.gap.policy=fail; set it to resnapshot to re-snapshot automatically)`);
    }
    this.status.error = `re-snapshotting: ${gap.message}`;
    this.deps.log.warn(this.status.error);
    await this.startSnapshot(context, snapshotCount + 1);
    if (this.state === 'STREAMING' || this.state === 'SNAPSHOT') this.move('GAP');
  }

  /**
   * Stores the snapshot's start time before anything is scanned: the stream is later read from its oldest
   * record, skipping what precedes that time, so no change between the scan and the stream is lost.
   */
  private async startSnapshot(context: PhaseContext, snapshotCount: number): Promise<void> {
    const { settings, table, store, emitter } = context;
    const startedAt = Date.now();
    const totalSegments = settings.snapshot.segments ?? defaultSegments(table.sizeBytes);
    const updates: OffsetUpdate[] = [
      ...clearOffsets(store, table.name),
      {
        partition: partitions.stream(table.name),
        offset: {
          v: 1,
          streamArn: table.stream?.arn ?? '',
          snapshotCount,
          snapshotCompleted: false,
          snapshotStartTime: startedAt,
          skipBeforeMs: startedAt - HANDOFF_MARGIN_MS,
        } satisfies StreamOffset,
      },
    ];
    if (settings.snapshot.method === 'EXPORT') {
      updates.push({
        partition: partitions.export(table.name),
        offset: {
          v: 1,
          tableName: table.name,
          snapshotCount,
          snapshotStartTime: startedAt,
          exportArn: null,
          filesCompleted: 0,
          linesWritten: 0,
          completed: false,
          itemsRead: 0,
        } satisfies ExportOffset,
      });
    }
    for (let segment = 0; segment < (settings.snapshot.method === 'EXPORT' ? 0 : totalSegments); segment++) {
      updates.push({
        partition: partitions.segment(table.name, segment),
        offset: {
          v: 1,
          tableName: table.name,
          segment,
          totalSegments,
          snapshotCount,
          snapshotStartTime: startedAt,
          exclusiveStartKey: null,
          completed: false,
          itemsRead: 0,
        } satisfies SegmentOffset,
      });
    }
    await emitter.submit({ records: [], offsets: updates });
    await emitter.drain();
    this.status.error = undefined;
    this.status.snapshot = {
      snapshotCount,
      // An export's files are counted once its manifest is read.
      totalSegments: settings.snapshot.method === 'EXPORT' ? 0 : totalSegments,
      segmentsCompleted: 0,
      itemsRead: 0,
      estimatedItems: table.itemCount,
      startedAt,
    };
  }

  /** Marks the snapshot complete, with when it ended and how many items it read (what later records may tell). */
  private async completeSnapshot(context: PhaseContext): Promise<void> {
    const { table, store, emitter } = context;
    const position = store.get<StreamOffset>(partitions.stream(table.name))!;
    const counts = store
      .find<SegmentOffset>({ tableName: table.name })
      .filter((entry) => entry.partition.segment !== undefined)
      .map((entry) => entry.offset.itemsRead);
    const exported = store.get<ExportOffset>(partitions.export(table.name));
    if (exported) counts.push(exported.itemsRead);
    const offset: StreamOffset = {
      ...position,
      snapshotCompleted: true,
      snapshotEndTime: Date.now(),
      ...(counts.every((count) => count !== undefined) ? { snapshotItems: counts.reduce((sum, count) => sum + count, 0) } : {}),
    };
    await emitter.submit({ records: [], offsets: [{ partition: partitions.stream(table.name), offset }] });
    await emitter.drain();
  }

  private async startStreamOnly(context: PhaseContext): Promise<void> {
    const { settings, table, emitter } = context;
    const { initialPosition, startTimestampMs } = settings.cdc;
    const startMs = initialPosition === 'LATEST' ? Date.now() : initialPosition === 'AT_TIMESTAMP' ? startTimestampMs! : null;
    const offset: StreamOffset = {
      v: 1,
      streamArn: table.stream!.arn,
      snapshotCount: 0,
      snapshotCompleted: false,
      snapshotStartTime: null,
      skipBeforeMs: startMs === null ? null : startMs - CREATION_TIME_ROUNDING_MS,
    };
    await emitter.submit({ records: [], offsets: [{ partition: partitions.stream(table.name), offset }] });
    await emitter.drain();
  }

  private async describe(signal: AbortSignal): Promise<TableInfo> {
    const { settings, tableName, tables } = this.deps;
    let table: TableInfo;
    try {
      table = await withRetries(() => tables.describe(tableName), signal);
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'not-found') {
        throw new TableNotReplicableError(`table ${tableName} does not exist (${this.deps.foundBy})`);
      }
      throw error;
    }
    if (settings.syncMode !== 'SNAPSHOT') {
      if (!table.stream) {
        throw new TableNotReplicableError(
          `table ${tableName} has no DynamoDB stream: enable one with view type NEW_AND_OLD_IMAGES (or NEW_IMAGE), ` +
            `or set dynamodb.table.sync.mode=SNAPSHOT`,
        );
      }
      if (table.stream.viewType !== 'NEW_AND_OLD_IMAGES' && table.stream.viewType !== 'NEW_IMAGE') {
        throw new TableNotReplicableError(
          `table ${tableName} has a stream with view type ${table.stream.viewType}, which carries no item images: ` +
            `the stream must use NEW_AND_OLD_IMAGES (or NEW_IMAGE)`,
        );
      }
    }
    return table;
  }

  private move(event: PipelineEvent): void {
    const previous = this.state;
    this.state = nextState(this.state, event);
    this.status.state = this.state;
    if (this.lane) this.lane.phase = this.state === 'STREAMING' ? 'stream' : this.state === 'SNAPSHOT' ? 'snapshot' : 'other';
    if (this.state !== previous && this.state !== 'FAILED') this.deps.log.info(`${previous} → ${this.state}`);
  }
}

/** Some segment has scanned a page: a snapshot begun by a release that did not store the scan's start positions. */
function scanBegun(store: OffsetStore, tableName: string): boolean {
  return store
    .find<SegmentOffset>({ tableName })
    .some((entry) => entry.partition.segment !== undefined && (entry.offset.completed || entry.offset.exclusiveStartKey !== null));
}

/** The status of a snapshot resumed after a restart, from its stored segment offsets. */
function resumedSnapshotStatus({ store, table }: PhaseContext, position: StreamOffset): NonNullable<PipelineStatus['snapshot']> {
  const segments = store.find<SegmentOffset>({ tableName: table.name }).filter((entry) => entry.partition.segment !== undefined);
  const exported = store.get<ExportOffset>(partitions.export(table.name));
  return {
    snapshotCount: position.snapshotCount,
    totalSegments: segments[0]?.offset.totalSegments ?? segments.length,
    segmentsCompleted: segments.filter((entry) => entry.offset.completed).length,
    itemsRead: segments.reduce((sum, entry) => sum + (entry.offset.itemsRead ?? 0), 0) + (exported?.itemsRead ?? 0),
    estimatedItems: table.itemCount,
    startedAt: position.snapshotStartTime ?? Date.now(),
  };
}

/** Offsets of a previous snapshot or stream position, deleted when a new snapshot starts. */
function clearOffsets(store: OffsetStore, tableName: string): OffsetUpdate[] {
  return [
    ...store.find<SegmentOffset>({ tableName }).filter((entry) => entry.partition.segment !== undefined || entry.partition.export !== undefined),
    ...store.find<ShardOffset>({ stream: tableName }).filter((entry) => entry.partition.shard !== undefined),
  ].map((entry) => ({ partition: entry.partition, offset: null }));
}

/**
 * Copies the table's items as snapshot reads: by the export the snapshot's offsets say it was begun with (a
 * changed dynamodb.snapshot.method applies from the next snapshot), else by the Scan.
 */
function copyTable(context: PhaseContext): Promise<void> {
  return context.store.get<ExportOffset>(partitions.export(context.table.name)) ? runExportSnapshot(context) : runSnapshot(context);
}
