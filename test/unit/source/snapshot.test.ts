import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../../src/adapters/dynamodb/tables.js';
import type { PipelineSettings } from '../../../src/source/settings.js';
import { defaultSegments, snapshotCapacity } from '../../../src/source/snapshot.js';

const GIB = 1024 ** 3;

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
    format: 'json',
    tombstones: true,
    maxBatchSize: 500,
    snapshot: {
      maxPollRecords: 100,
      maxRcuPercentage: options.maxRcuPercentage,
      ...(options.maxRcu !== undefined ? { maxRcu: options.maxRcu } : {}),
      consistentRead: false,
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
