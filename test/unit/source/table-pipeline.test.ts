import { Sema } from 'async-sema';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/config/source.js';
import type { Item } from '../../../src/domain/attribute-codec.js';
import type { ExportedFile } from '../../../src/domain/export-manifest.js';
import type { PipelineSettings } from '../../../src/source/settings.js';
import { Emitter, type Lane } from '../../../src/source/emitter.js';
import { TableNotReplicableError, TablePipeline } from '../../../src/source/table-pipeline.js';
import { InMemoryExports, InMemoryKafka, InMemoryStreams, InMemoryTables } from '../../support/fakes/source-ports.js';
import { until } from '../../support/fakes/until.js';
import { confluentJsonFormat } from '../../../src/formats/confluent-json.js';
import type { RecordFormat } from '../../../src/formats/ports.js';
import { trustpilotJsonFormat } from '../../../src/formats/trustpilot-json.js';
import { SchemaRegistryError } from '../../../src/formats/registry/ports.js';

const STREAM = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/1';
const OFFSETS = 'offsets';
const TRANSACTIONAL_ID = 'orders-source-0';

const items = (count: number, prefix = 'item'): Item[] => Array.from({ length: count }, (_, i) => ({ id: { S: `${prefix}-${i}` }, n: { N: String(i) } }));

function settings(overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    connector: 'orders-source',
    syncMode: 'SNAPSHOT_CDC',
    topic: 'orders',
    maxBatchSize: 1000,
    records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
    snapshot: { maxPollRecords: 3, segments: 2, maxRcuPercentage: 50, consistentRead: false, method: 'SCAN' },
    cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 1, gapPolicy: 'resnapshot' },
    ...overrides,
  };
}

/** A table with a stream, and the fakes a pipeline runs against; `start()` runs one pipeline until stopped. */
function world(tableItems: Item[] = items(7), format: RecordFormat = confluentJsonFormat({ document: 'dynamodb-json', tombstones: true })) {
  const tables = new InMemoryTables();
  const streams = new InMemoryStreams();
  const kafka = new InMemoryKafka();
  tables.add('orders', tableItems, { streamArn: STREAM });
  streams.addShard(STREAM, 'shard-1');
  const exports = new InMemoryExports((name) => tables.itemsOf(name));
  const log: string[] = [];
  const start = async (overrides: Partial<PipelineSettings> = {}, table = 'orders', inheritedError?: string) => {
    // What the pipeline's task gives it: a writer (fencing the one before), the offsets read after, an emitter.
    const writer = await kafka.openWriter({ transactionalId: TRANSACTIONAL_ID, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
    const store = await kafka.loadOffsets(OFFSETS, 'orders-source');
    const emitter = new Emitter(writer, store, { queueCapacity: 32, maxRecordsPerWrite: overrides.maxBatchSize ?? 1000 });
    const pipeline = new TablePipeline({
      settings: settings(overrides),
      format,
      tableName: table,
      foundBy: 'listed in dynamodb.table.includelist',
      topic: { partitions: 1, replicationFactor: 1 },
      kafka,
      tables,
      streams,
      exports,
      store,
      emitter,
      snapshotPages: new Sema(8),
      log: { info: (line) => log.push(line), warn: (line) => log.push(line) },
    });
    if (inheritedError) pipeline.status.error = inheritedError; // as the supervisor carries it over
    const controller = new AbortController();
    const running = pipeline.run(controller.signal).finally(async () => {
      await emitter.close().catch(() => undefined);
      await writer.close();
    });
    running.catch(() => undefined);
    return {
      pipeline,
      running,
      async stop() {
        controller.abort(new Error('test stops'));
        await running.catch(() => undefined);
      },
    };
  };
  const envelopes = () => kafka.messages('orders').filter((message) => message.value !== null).map((message) => JSON.parse(message.value!.toString()));
  return { tables, streams, kafka, exports, log, start, envelopes };
}

describe('TablePipeline: its lifecycle, against in-memory ports', () => {
  it('first start: STARTING → SNAPSHOT (every item once) → STREAMING (then every change)', async () => {
    const { start, streams, envelopes, log } = world();
    const { pipeline, stop } = await start();
    await until(() => pipeline.status.state === 'STREAMING', 'streaming');
    expect(log.filter((line) => line.includes('→'))).toEqual(['STARTING → SNAPSHOT', 'SNAPSHOT → STREAMING']);
    expect(envelopes().filter((envelope) => envelope.op === 'r')).toHaveLength(7);
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'new' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'c'), 'the change');
    await stop();
    expect(pipeline.status.state).toBe('STOPPED');
    expect(log.at(-1)).toBe('STREAMING → STOPPED');
  });

  it('tells its lane its phase: streaming once its snapshot is over (the task then keeps its writes short for it)', async () => {
    const lanes = vi.spyOn(Emitter.prototype, 'lane');
    try {
      const { start } = world();
      const { pipeline, stop } = await start();
      const lane = lanes.mock.results[0]!.value as Lane;
      expect(lane.phase).toBe(pipeline.status.state === 'SNAPSHOT' ? 'snapshot' : 'other');
      await until(() => pipeline.status.state === 'STREAMING', 'streaming');
      expect(lane.phase).toBe('stream');
      await stop();
      expect(lane.phase).toBe('other');
    } finally {
      lanes.mockRestore();
    }
  });

  it("tells trustpilot's records about the snapshot: RUNNING while it runs, then its start, end and item count, across a restart", async () => {
    const { start, streams, envelopes } = world(items(7), trustpilotJsonFormat());
    const first = await start();
    await until(() => first.pipeline.status.state === 'STREAMING', 'streaming');
    const read = envelopes().filter((record) => record.op === 'r');
    expect(read).toHaveLength(7);
    const startedAt = read[0].source.init_sync_start;
    expect(read.every((record) => record.source.init_sync_state === 'RUNNING' && record.source.init_sync_start === startedAt)).toBe(true);
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'a' } });
    await until(() => envelopes().some((record) => record.op === 'c'), 'the first change');
    await first.stop();
    const after = envelopes().find((record) => record.op === 'c').source;
    expect(after).toMatchObject({ init_sync: false, init_sync_state: 'FINISHED', init_sync_start: startedAt, init_sync_count: 7 });
    expect(after.init_sync_end).toBeGreaterThanOrEqual(startedAt);

    const second = await start();
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'b' } });
    await until(() => envelopes().filter((record) => record.op === 'c').length === 2, 'the second change');
    await second.stop();
    expect(envelopes().filter((record) => record.op === 'c')[1].source).toEqual(after);
  });

  it('a schema the registry refuses fails the table before anything is written, naming the subject', async () => {
    const refusing: RecordFormat = {
      description: 'AVRO (refusing)',
      forTable: async () => Promise.reject(new SchemaRegistryError('Schema Registry at memory refused registering the schema of subject "orders-value": HTTP 409', true)),
    };
    const { start, kafka } = world(items(3), refusing);
    const { pipeline, running } = await start();
    await expect(running).rejects.toThrow(/refused registering the schema of subject "orders-value"/);
    expect(pipeline.status.state).toBe('FAILED');
    expect(pipeline.status.error).toMatch(/orders-value/);
    expect(kafka.messages('orders')).toEqual([]);
  });

  it('restart after a complete snapshot: straight to STREAMING, nothing scanned again, no change read twice', async () => {
    const { start, streams, tables, envelopes } = world();
    const first = await start();
    await until(() => first.pipeline.status.state === 'STREAMING', 'streaming');
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'a' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'c'), 'the first change');
    await first.stop();
    const scans = tables.scans;

    const second = await start();
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'b' } });
    await until(() => envelopes().filter((envelope) => envelope.op === 'c').length === 2, 'the second change');
    expect(tables.scans).toBe(scans);
    expect(envelopes().filter((envelope) => envelope.op === 'r')).toHaveLength(7);
    expect(envelopes().filter((envelope) => envelope.op === 'c').map((envelope) => envelope.source.seq_No)).toHaveLength(2);
    await second.stop();
  });

  it('a re-created stream (new ARN) is a gap: the table is snapshotted again (snapshotCount 2)', async () => {
    const { start, tables, streams, envelopes, log } = world();
    const first = await start();
    await until(() => first.pipeline.status.state === 'STREAMING', 'streaming');
    await first.stop();
    tables.replaceStream('orders', `${STREAM}-new`);
    streams.addShard(`${STREAM}-new`, 'shard-9');
    const second = await start();
    await until(() => second.pipeline.status.state === 'STREAMING', 'streaming again');
    expect(envelopes().filter((envelope) => envelope.op === 'r' && envelope.source.snapshotCount === 2)).toHaveLength(7);
    expect(log.some((line) => line.includes('re-snapshotting') && line.includes('re-created'))).toBe(true);
    await second.stop();
  });

  it('records trimmed past the checkpoint while stopped: STREAMING → SNAPSHOT again (resnapshot policy)', async () => {
    const { start, streams, envelopes, log } = world();
    const first = await start();
    await until(() => first.pipeline.status.state === 'STREAMING', 'streaming');
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'a' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'c'), 'the first change');
    await first.stop();
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'b' } });
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'c' } });
    streams.trim(STREAM, 'shard-1', 2); // 'b' is gone before it was read

    log.length = 0;
    const second = await start();
    await until(() => envelopes().filter((envelope) => envelope.op === 'r' && envelope.source.snapshotCount === 2).length === 7, 'the second snapshot');
    await until(() => second.pipeline.status.state === 'STREAMING', 'streaming again');
    expect(log.filter((line) => line.includes('→'))).toEqual(['STARTING → STREAMING', 'STREAMING → SNAPSHOT', 'SNAPSHOT → STREAMING']);
    expect(log.some((line) => line.includes('re-snapshotting') && line.includes('no longer in the stream'))).toBe(true);
    await second.stop();
  });

  it('SNAPSHOT mode ends in SNAPSHOT_DONE and reads no stream', async () => {
    const { start, streams, envelopes } = world();
    const { pipeline, stop } = await start({ syncMode: 'SNAPSHOT' });
    await until(() => pipeline.status.state === 'SNAPSHOT_DONE', 'snapshot done');
    expect(envelopes()).toHaveLength(7);
    expect(streams.reads).toHaveLength(0);
    await stop();
  });

  it('CDC mode starts at the stream, with no snapshot', async () => {
    const { start, streams, envelopes } = world();
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'early' } });
    const { pipeline, stop } = await start({ syncMode: 'CDC' });
    await until(() => envelopes().length === 1, 'the change');
    expect(pipeline.status.snapshot).toBeUndefined();
    expect(envelopes()[0].op).toBe('c');
    await stop();
  });

  it("clears the error of the run before once a write succeeds, and not before", async () => {
    const { start, streams, kafka } = world([]);
    kafka.failWrites(new Error('still broken'));
    const first = await start({ syncMode: 'CDC' }, 'orders', 'could not create topic orders: Local: Timed out');
    await expect(first.running).rejects.toThrow('still broken');
    expect(first.pipeline.status.error).toBe('still broken');

    const second = await start({ syncMode: 'CDC' }, 'orders', 'still broken');
    await until(() => second.pipeline.status.state === 'STREAMING', 'streaming');
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'x' } });
    await until(() => second.pipeline.status.error === undefined, 'the old error cleared');
    await second.stop();
  });

  it('a missing table fails with TableNotReplicableError naming it and how it was found', async () => {
    const { start } = world();
    const { pipeline, running } = await start({}, 'missing');
    await expect(running).rejects.toThrow(TableNotReplicableError);
    await expect(running).rejects.toThrow('table missing does not exist (listed in dynamodb.table.includelist)');
    expect(pipeline.status.state).toBe('FAILED');
  });

  it('a failed write fails the pipeline at once, even while its reader waits on an idle shard', async () => {
    const { start, streams, kafka } = world([]);
    const { pipeline, running } = await start({ syncMode: 'CDC' });
    await until(() => pipeline.status.state === 'STREAMING', 'streaming');
    kafka.failWrites(new Error('broker refused the record'));
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'x' } });
    await expect(running).rejects.toThrow('broker refused the record');
    expect(pipeline.status).toMatchObject({ state: 'FAILED', error: 'broker refused the record' });
  });

  it('read N, acknowledge half, reopen: nothing lost, nothing twice (a write fails mid-snapshot)', async () => {
    const { start, kafka, envelopes } = world(items(40));
    // Pages of 3 items in 2 segments: the fifth write fails, after four were committed.
    let writes = 0;
    const failAfter = 4;
    const original = kafka.openWriter.bind(kafka);
    kafka.openWriter = async (options) => {
      const writer = await original(options);
      return {
        ...writer,
        write: async (data, offsets) => {
          if (data.length > 0 && ++writes === failAfter + 1) throw new Error('connection lost');
          return writer.write(data, offsets);
        },
      };
    };
    const first = await start({ maxBatchSize: 3 });
    await expect(first.running).rejects.toThrow('connection lost');
    const committedBefore = envelopes().length;
    expect(committedBefore).toBeGreaterThan(0);
    expect(committedBefore).toBeLessThan(40);

    const second = await start({ maxBatchSize: 3 });
    await until(() => second.pipeline.status.state === 'STREAMING', 'streaming after the reopen');
    const ids = envelopes().map((envelope) => JSON.parse(envelope.after.document).id.S as string);
    expect(ids.sort()).toEqual(items(40).map((item) => item.id!.S!).sort());
    await second.stop();
  });

  it('a fenced writer fails with FencedError and writes nothing more', async () => {
    const { start, kafka, streams, envelopes } = world([]);
    const first = await start({ syncMode: 'CDC' });
    await until(() => first.pipeline.status.state === 'STREAMING', 'streaming');
    await kafka.openWriter({ transactionalId: TRANSACTIONAL_ID, maxMessageBytes: 1_000_000 }); // a new owner
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'x' } });
    await expect(first.running).rejects.toThrow(/taken over/);
    expect(envelopes()).toHaveLength(0);
  });

  it('reads the stream alongside the snapshot: a change made mid-scan is written at once, and its key\'s later snapshot read is dropped', async () => {
    const { start, streams, tables, envelopes } = world(items(20));
    // The scan stops after each segment's first page until the change was written.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const scanPage = tables.scanPage.bind(tables);
    tables.scanPage = async (request) => {
      if (request.exclusiveStartKey) await gate;
      return scanPage(request);
    };
    const { pipeline, stop } = await start();
    await until(() => envelopes().filter((envelope) => envelope.op === 'r').length === 6, 'the first page of each segment');
    streams.put(STREAM, 'shard-1', 'MODIFY', { id: { S: 'item-18' }, n: { N: '99' } }, { id: { S: 'item-18' }, n: { N: '18' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'u'), 'the change, while the scan waits');
    expect(pipeline.status.state).toBe('SNAPSHOT');
    release();
    await until(() => pipeline.status.state === 'STREAMING', 'streaming');
    await stop();
    const ofItem18 = envelopes().filter((envelope) => JSON.parse((envelope.after ?? envelope.before).document).id.S === 'item-18');
    expect(ofItem18.map((envelope) => envelope.op)).toEqual(['u']);
    expect(envelopes().filter((envelope) => envelope.op === 'r')).toHaveLength(19);
  });
});

describe('TablePipeline: a snapshot by export (dynamodb.snapshot.method=EXPORT), against in-memory ports', () => {
  const byExport = (snapshot: Partial<PipelineSettings['snapshot']> = {}): Partial<PipelineSettings> => ({
    snapshot: { ...settings().snapshot, method: 'EXPORT', export: { bucket: 'exports', prefix: 'orders/' }, ...snapshot },
  });
  const idOf = (envelope: { after?: { document: string }; before: { document: string } }) => JSON.parse((envelope.after ?? envelope.before).document).id.S as string;

  it('exports once, writes every exported item as a snapshot read, then streams; nothing is scanned', async () => {
    const { start, tables, streams, exports, envelopes } = world(items(10));
    exports.describesUntilDone = 2; // one DescribeExport answers IN_PROGRESS, the pipeline waits and asks again
    const { pipeline, stop } = await start(byExport());
    await expect.poll(() => pipeline.status.snapshot?.export?.state).toBe('IN_PROGRESS');
    // The second DescribeExport comes after the first wait (1 s).
    await expect.poll(() => pipeline.status.state, { timeout: 5000 }).toBe('STREAMING');
    expect(exports.started).toEqual([{ table: 'orders', destination: { bucket: 'exports', prefix: 'orders/' } }]);
    expect(tables.scans).toBe(0);
    const reads = envelopes().filter((envelope) => envelope.op === 'r');
    expect(reads.map(idOf).sort()).toEqual(items(10).map((item) => item.id!.S!).sort());
    // The files are the segments: 10 items in files of 4.
    expect(reads.map((envelope) => envelope.source.segment)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    expect(pipeline.status.snapshot).toMatchObject({ totalSegments: 3, segmentsCompleted: 3, itemsRead: 10, export: { state: 'COMPLETED', itemsExported: 10 } });
    streams.put(STREAM, 'shard-1', 'INSERT', { id: { S: 'new' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'c'), 'the change after the export');
    await stop();
  });

  it('a change made while the export is written comes through the stream, and its key\'s exported read is dropped', async () => {
    const { start, streams, exports, envelopes } = world(items(10));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const items_ = exports.items.bind(exports);
    exports.items = async function* (bucket: string, file: ExportedFile, skip: number, signal?: AbortSignal) {
      if (file.key.endsWith('/2.json.gz')) await gate;
      yield* items_(bucket, file, skip, signal);
    };
    const { pipeline, stop } = await start(byExport());
    await until(() => envelopes().filter((envelope) => envelope.op === 'r').length === 8, 'the first two files');
    streams.put(STREAM, 'shard-1', 'MODIFY', { id: { S: 'item-9' }, n: { N: '99' } }, { id: { S: 'item-9' }, n: { N: '9' } });
    await until(() => envelopes().some((envelope) => envelope.op === 'u'), 'the change, while the export is read');
    release();
    await until(() => pipeline.status.state === 'STREAMING', 'streaming');
    await stop();
    expect(envelopes().filter((envelope) => idOf(envelope) === 'item-9').map((envelope) => envelope.op)).toEqual(['u']);
    expect(envelopes().filter((envelope) => envelope.op === 'r')).toHaveLength(9);
  });

  it('resumes after a crash mid-file: the same export, completed files not read again, no line written twice', async () => {
    const { start, kafka, exports, envelopes } = world(items(10));
    exports.failItemsAt = { key: 'orders/AWSDynamoDB/1/data/1.json.gz', line: 4, error: new Error('connection reset reading the export') };
    // Pages of 2 lines: file 1's first page (lines 1–2) is written before line 4 fails.
    const first = await start(byExport({ maxPollRecords: 2 }));
    await expect(first.running).rejects.toThrow('connection reset reading the export');
    const written = envelopes().map(idOf);
    expect(written).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5']);

    const second = await start(byExport({ maxPollRecords: 2 }));
    await until(() => second.pipeline.status.state === 'STREAMING', 'streaming after the restart');
    await second.stop();
    expect(exports.started).toHaveLength(1);
    expect(exports.reads).toEqual([
      { key: 'orders/AWSDynamoDB/1/data/0.json.gz', skip: 0 },
      { key: 'orders/AWSDynamoDB/1/data/1.json.gz', skip: 0 },
      { key: 'orders/AWSDynamoDB/1/data/1.json.gz', skip: 2 },
      { key: 'orders/AWSDynamoDB/1/data/2.json.gz', skip: 0 },
    ]);
    expect(envelopes().map(idOf)).toEqual(items(10).map((item) => item.id!.S!));
    expect(kafka.messages('orders')).toHaveLength(10);
  });

  it('an export that failed stops the table with an error naming table, bucket and AWS\'s reason; the next start exports again', async () => {
    const { start, exports, envelopes } = world(items(3));
    exports.failure = 'S3NoSuchBucket: The specified bucket does not exist';
    const { pipeline, running } = await start(byExport());
    await expect(running).rejects.toThrow(/export of table orders, bucket exports failed: S3NoSuchBucket: The specified bucket does not exist/);
    expect(pipeline.status.state).toBe('FAILED');
    expect(pipeline.status.error).toContain('bucket exports');
    expect(envelopes()).toHaveLength(0);

    // Once the cause is fixed, the next start requests a new export instead of following the failed one.
    exports.failure = undefined;
    const again = await start(byExport());
    await until(() => again.pipeline.status.state === 'STREAMING', 'streaming after the fix');
    await again.stop();
    expect(exports.started).toHaveLength(2);
    expect(envelopes().filter((envelope) => envelope.op === 'r')).toHaveLength(3);
  });

  it('an empty table: the export has no file, and the snapshot completes', async () => {
    const { start, exports } = world([]);
    const { pipeline, stop } = await start(byExport());
    await until(() => pipeline.status.state === 'STREAMING', 'streaming');
    expect(exports.reads).toEqual([]);
    await stop();
  });
});
