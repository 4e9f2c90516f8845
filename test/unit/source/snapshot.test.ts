import { setTimeout as delay } from 'node:timers/promises';
import { Sema } from 'async-sema';
import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../../src/domain/table-info.js';
import type { BatchWriter, ChangeStreams, SourceTables } from '../../../src/source/ports.js';
import { partitions, type SegmentOffset } from '../../../src/domain/position.js';
import { OffsetStore } from '../../../src/offsets/offset-store.js';
import { Emitter } from '../../../src/source/emitter.js';
import type { PipelineSettings } from '../../../src/source/settings.js';
import { defaultSegments, runSnapshot, snapshotCapacity } from '../../../src/source/snapshot.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../src/config/source.js';
import { confluentJsonEncoder } from '../../../src/formats/confluent-json.js';
import { SNAPSHOT_PAGES_IN_MEMORY } from '../../../src/runtime/source-connector.js';

const encoder = confluentJsonEncoder({ document: 'json', tombstones: true });

const GIB = 1024 ** 3;

/** The snapshot reads no stream. */
const unusedStreams: ChangeStreams = {
  describe: async () => Promise.reject(new Error('not used')),
  iterator: async () => Promise.reject(new Error('not used')),
  read: async () => Promise.reject(new Error('not used')),
};

describe('defaultSegments', () => {
  it('uses at least 4 segments', () => {
    expect(defaultSegments(0)).toBe(4);
    expect(defaultSegments(1)).toBe(4);
    expect(defaultSegments(8 * GIB)).toBe(4);
  });

  it('adds one segment per 2 GiB beyond that', () => {
    expect(defaultSegments(8 * GIB + 1)).toBe(5);
    expect(defaultSegments(10 * GIB)).toBe(5);
    expect(defaultSegments(100 * GIB)).toBe(50);
    expect(defaultSegments(1998 * GIB)).toBe(999);
  });

  it('grows monotonically with size', () => {
    let previous = 0;
    for (let gib = 0; gib <= 3000; gib += 37) {
      const segments = defaultSegments(gib * GIB);
      expect(segments).toBeGreaterThanOrEqual(previous);
      previous = segments;
    }
  });

  it('is capped at 1000', () => {
    expect(defaultSegments(2000 * GIB)).toBe(1000);
    expect(defaultSegments(2000 * GIB + 1)).toBe(1000);
    expect(defaultSegments(1024 ** 5)).toBe(1000);
  });
});

function context(options: { readCapacityUnits?: number; maxRcuPercentage: number; maxRcu?: number }) {
  const settings: PipelineSettings = {
    connector: 'orders-source',
    syncMode: 'SNAPSHOT_CDC',
    topic: 'orders',
    maxBatchSize: 500,
    records: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, policy: 'drop-before' },
    snapshot: {
      maxPollRecords: 100,
      maxRcuPercentage: options.maxRcuPercentage,
      ...(options.maxRcu !== undefined ? { maxRcu: options.maxRcu } : {}),
      consistentRead: false,
      method: 'SCAN',
    },
    cdc: { initialPosition: 'TRIM_HORIZON', maxPollRecords: 1000, pollIntervalMs: 1000, gapPolicy: 'fail' },
  };
  const table: TableInfo = {
    name: 'orders',
    arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
    keySchema: { hashKey: 'id' },
    keyTypes: { id: 'S' },
    status: 'ACTIVE',
    itemCount: 0,
    sizeBytes: 0,
    billingMode: options.readCapacityUnits === undefined ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(options.readCapacityUnits !== undefined ? { readCapacityUnits: options.readCapacityUnits } : {}),
  };
  return { settings, table };
}

describe('snapshotCapacity', () => {
  it('takes a percentage of the provisioned read capacity', () => {
    expect(snapshotCapacity(context({ readCapacityUnits: 200, maxRcuPercentage: 50 }))).toBe(100);
    expect(snapshotCapacity(context({ readCapacityUnits: 10, maxRcuPercentage: 25 }))).toBe(2.5);
    expect(snapshotCapacity(context({ readCapacityUnits: 40, maxRcuPercentage: 100 }))).toBe(40);
  });

  it('uses the absolute cap for an on-demand table', () => {
    expect(snapshotCapacity(context({ maxRcuPercentage: 50, maxRcu: 30 }))).toBe(30);
  });

  it('takes the smaller of percentage and absolute cap', () => {
    expect(snapshotCapacity(context({ readCapacityUnits: 1000, maxRcuPercentage: 50, maxRcu: 30 }))).toBe(30);
    expect(snapshotCapacity(context({ readCapacityUnits: 40, maxRcuPercentage: 50, maxRcu: 30 }))).toBe(20);
  });

  it('has no limit for an on-demand table without a cap', () => {
    expect(snapshotCapacity(context({ maxRcuPercentage: 50 }))).toBeUndefined();
  });
});

describe('runSnapshot: the connector-wide budget of pages in memory', () => {
  const PAGE = 10;
  const PAGES_PER_SEGMENT = 5;
  // More segments than the connector holds pages, so the budget is what bounds them.
  const SEGMENTS = SNAPSHOT_PAGES_IN_MEMORY + 4;
  const BUDGET = 4;

  /** Snapshots `tables` tables of SEGMENTS segments at once through one budget; returns the most pages and bytes alive. */
  async function snapshotTogether(tables: string[], budget: Sema, itemBytes: number, pagesPerSegment = PAGES_PER_SEGMENT, sizeBytes = SEGMENTS * pagesPerSegment * PAGE * itemBytes) {
    let scannedItems = 0;
    let writtenItems = 0;
    let mostPagesAlive = 0;
    const payload = 'x'.repeat(itemBytes);
    const pagedTables = (tableName: string): SourceTables => ({
      describe: async () => Promise.reject(new Error('not used')),
      async scanPage(request) {
        await new Promise((resolve) => setImmediate(resolve));
        const page = Number(request.exclusiveStartKey?.page?.N ?? 0);
        const items = Array.from({ length: PAGE }, (_, i) => ({ id: { S: `${tableName}-${request.segment}-${page}-${i}` }, payload: { S: payload } }));
        scannedItems += items.length;
        mostPagesAlive = Math.max(mostPagesAlive, (scannedItems - writtenItems) / PAGE);
        const last = page + 1 === pagesPerSegment;
        return { items, ...(last ? {} : { lastEvaluatedKey: { page: { N: String(page + 1) } } }), consumedReadCapacity: 0 };
      },
    });
    const slowWriter: BatchWriter = {
      exactlyOnce: true,
      async write(data) {
        await delay(3);
        writtenItems += data.length;
      },
      close: async () => undefined,
    };
    await Promise.all(
      tables.map(async (name) => {
        const { settings, table } = context({ maxRcuPercentage: 50 });
        const store = OffsetStore.empty('offsets', 'test');
        for (let segment = 0; segment < SEGMENTS; segment++) {
          const offset: SegmentOffset = { v: 1, tableName: name, segment, totalSegments: SEGMENTS, snapshotCount: 1, snapshotStartTime: 0, exclusiveStartKey: null, completed: false };
          store.apply(partitions.segment(name, segment), offset);
        }
        const emitter = new Emitter(slowWriter, store, { queueCapacity: 32, maxRecordsPerWrite: 1000 });
        await runSnapshot({
          settings,
          table: { ...table, name, sizeBytes },
          encoder,
          tables: pagedTables(name),
          streams: unusedStreams,
          store,
          emitter: emitter.lane(),
          status: { table: name, topic: name, state: 'SNAPSHOT' },
          snapshotPages: budget,
          signal: new AbortController().signal,
          log: { info: () => undefined, warn: () => undefined },
        });
        await emitter.close();
        // Every segment's offset says it is done, and each was written with the data that finished it.
        expect(store.find<SegmentOffset>({ tableName: name }).every((entry) => entry.offset.completed)).toBe(true);
      }),
    );
    expect(writtenItems).toBe(tables.length * SEGMENTS * pagesPerSegment * PAGE);
    return { mostPagesAlive, mostBytesAlive: mostPagesAlive * PAGE * itemBytes };
  }

  it('keeps at most the budget of pages between scan and write, however many tables snapshot at once', async () => {
    // Pages of 10 items of 10 kB: each a sizeable share of a 1 MB page, so each holds a slot of its own.
    const { mostPagesAlive } = await snapshotTogether(['a', 'b', 'c'], new Sema(BUDGET), 10_000);
    expect(mostPagesAlive).toBeLessThanOrEqual(BUDGET);
    expect(mostPagesAlive).toBeGreaterThan(1);
  });

  it("holds a table of more segments than the connector's budget to that budget, still scanning pages side by side", async () => {
    // The budget is what bounds the process's memory (issue 18: a 1M-item snapshot under 256 MiB RSS); a table's segments
    // of pages large enough to hold a slot each must not keep more pages than it alive.
    expect(SEGMENTS).toBeGreaterThan(SNAPSHOT_PAGES_IN_MEMORY);
    const { mostPagesAlive } = await snapshotTogether(['big'], new Sema(SNAPSHOT_PAGES_IN_MEMORY), 10_000);
    expect(mostPagesAlive).toBeLessThanOrEqual(SNAPSHOT_PAGES_IN_MEMORY);
    expect(mostPagesAlive).toBeGreaterThan(1);
  });

  it('lets the small pages of many tables share slots, within the same bytes', async () => {
    // 40 small tables through a budget of two pages: one slot to scan with, and their pages of about 1 kB ride in
    // the other together, instead of one page of theirs at a time.
    const tables = Array.from({ length: 40 }, (_, index) => `small-${index}`);
    const { mostPagesAlive, mostBytesAlive } = await snapshotTogether(tables, new Sema(2), 100, 1);
    expect(mostPagesAlive).toBeGreaterThan(2);
    expect(mostBytesAlive).toBeLessThanOrEqual(2 * 1_000_000);
  });

  it('a table DynamoDB\'s estimate calls small scans without slots, and its segments take slots once a page proves it large', async () => {
    // The estimate (DescribeTable's size, updated about every six hours on AWS) says 0 bytes; the pages are full
    // ones: each segment's first page is scanned without a slot, every later one with.
    const { mostPagesAlive } = await snapshotTogether(['stale'], new Sema(BUDGET), 10_000, PAGES_PER_SEGMENT, 0);
    expect(mostPagesAlive).toBeGreaterThan(BUDGET);
    expect(mostPagesAlive).toBeLessThanOrEqual(BUDGET + SEGMENTS);
  });

  it('fails with the write error, leaving no rejection unhandled, when Kafka refuses a page', async () => {
    const { settings, table } = context({ maxRcuPercentage: 50 });
    const store = OffsetStore.empty('offsets', 'test');
    const offset: SegmentOffset = { v: 1, tableName: 'orders', segment: 0, totalSegments: 1, snapshotCount: 1, snapshotStartTime: 0, exclusiveStartKey: null, completed: false };
    store.apply(partitions.segment('orders', 0), offset);
    const refusing: BatchWriter = { exactlyOnce: true, write: async () => Promise.reject(new Error('broker gone')), close: async () => undefined };
    const oneLastPage: SourceTables = {
      describe: async () => Promise.reject(new Error('not used')),
      scanPage: async () => ({ items: [{ id: { S: 'only' } }], consumedReadCapacity: 0 }),
    };
    const snapshotPages = new Sema(BUDGET);
    await expect(
      runSnapshot({
        settings,
        table,
        encoder,
        tables: oneLastPage,
        streams: unusedStreams,
        store,
        emitter: new Emitter(refusing, store, { queueCapacity: 32, maxRecordsPerWrite: 1000 }).lane(),
        status: { table: 'orders', topic: 'orders', state: 'SNAPSHOT', snapshot: { snapshotCount: 1, totalSegments: 1, segmentsCompleted: 0, itemsRead: 0, estimatedItems: 1, startedAt: 0 } },
        snapshotPages,
        signal: new AbortController().signal,
        log: { info: () => undefined, warn: () => undefined },
      }),
    ).rejects.toThrow('broker gone');
    // The page's slot came back with the failed write.
    expect(snapshotPages.nrWaiting()).toBe(0);
    expect(snapshotPages.tryAcquire()).toBeDefined();
  });
});
