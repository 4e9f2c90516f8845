import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../src/domain/outgoing-message.js';
import { BEFORE_DROPPED_HEADER, fitChange, fits, OversizedRecordError, recordBytes } from '../../../src/source/oversized-records.js';
import type { RecordLimits } from '../../../src/source/settings.js';

const LIMIT = 10_000;
const origin = () => ({ table: 'orders', event: 'MODIFY', shardId: 'shardId-1', sequenceNumber: '42' });
const record = (valueLength: number, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  topic: 'orders',
  key: '{"id":"1"}',
  value: 'v'.repeat(valueLength),
  timestampMs: 1,
  ...extra,
});
const limits = (policy: RecordLimits['policy']): RecordLimits => ({ maxMessageBytes: LIMIT, policy, ...(policy === 'dead-letter' ? { deadLetterTopic: 'orders-dlq' } : {}) });

describe('fits and recordBytes', () => {
  it('counts UTF-8 bytes of key, value and headers, and keeps room for the batch framing', () => {
    expect(recordBytes({ key: 'é', value: '€', headers: { h: 'x' } })).toBe(2 + 3 + 2);
    expect(fits(record(LIMIT - 600), LIMIT)).toBe(true);
    expect(fits(record(LIMIT - 100), LIMIT)).toBe(false);
    // Many-byte characters are measured exactly once the cheap bound no longer proves a fit.
    expect(fits(record(4000, { value: '€'.repeat(3000) }), LIMIT)).toBe(true);
    expect(fits(record(4000, { value: '€'.repeat(3200) }), LIMIT)).toBe(false);
  });
});

describe('fitChange', () => {
  const small = [record(100)];
  const withBefore = [record(LIMIT)];
  const withoutBefore = () => [record(LIMIT / 2)];

  it('leaves records that fit as they are', () => {
    expect(fitChange(small, limits('fail'), origin, withoutBefore)).toEqual({ records: small, action: 'none' });
  });

  it('drop-before: writes the change without its old image, marked by a header, and says so', () => {
    const fitted = fitChange(withBefore, limits('drop-before'), origin, withoutBefore);
    expect(fitted.action).toBe('before-dropped');
    expect(fitted.records).toEqual([{ ...record(LIMIT / 2), headers: { [BEFORE_DROPPED_HEADER]: 'true' } }]);
    expect(fitted.note).toContain('table orders: the change of key {"id":"1"} (MODIFY at shard shardId-1, sequence number 42)');
    expect(fitted.note).toContain('written without its old image');
  });

  it('leaves a tombstone that follows the change unmarked', () => {
    const tombstone = { topic: 'orders', key: '{"id":"1"}', value: null, timestampMs: 1 };
    const fitted = fitChange([record(LIMIT), tombstone], limits('drop-before'), origin, () => [record(10), tombstone]);
    expect(fitted.records[1]).toEqual(tombstone);
  });

  it('drop-before: stops with an error naming the change when even that does not fit', () => {
    const call = () => fitChange(withBefore, limits('drop-before'), origin, () => [record(LIMIT)]);
    expect(call).toThrow(OversizedRecordError);
    expect(call).toThrow(/table orders: the change of key \{"id":"1"\} \(MODIFY at shard shardId-1, sequence number 42\) is 10010 bytes.*still too large without its old image.*oversized\.record\.policy=dead-letter/);
  });

  it('fail: stops at once, without trying to drop the old image', () => {
    let rebuilt = false;
    const call = () => fitChange(withBefore, limits('fail'), origin, () => ((rebuilt = true), small));
    expect(call).toThrow(/over the 10000 bytes of max\.message\.bytes.*oversized\.record\.policy=drop-before or dead-letter/);
    expect(rebuilt).toBe(false);
  });

  it('dead-letter: sends a reference to the change (where it came from, its size) in place of the change', () => {
    const fitted = fitChange(withBefore, limits('dead-letter'), origin, () => [record(LIMIT)]);
    expect(fitted.action).toBe('dead-lettered');
    const [reference] = fitted.records;
    expect(reference).toMatchObject({ topic: 'orders-dlq', key: '{"id":"1"}', timestampMs: 1 });
    expect(JSON.parse(reference!.value!.toString())).toEqual({
      table: 'orders',
      event: 'MODIFY',
      shardId: 'shardId-1',
      sequenceNumber: '42',
      key: '{"id":"1"}',
      topic: 'orders',
      sizeBytes: 10_010,
      maxMessageBytes: LIMIT,
    });
    expect(reference!.headers).toMatchObject({ '__connect.errors.topic': 'orders', '__connect.errors.exception.class.name': 'OversizedRecordError' });
    expect(fitted.note).toContain('dead-letter topic orders-dlq');
  });

  it('a snapshot record (no old image to drop) goes straight to the policy', () => {
    const snapshot = () => ({ table: 'orders', event: 'SNAPSHOT' as const, snapshotCount: 2, segment: 3 });
    expect(() => fitChange(withBefore, limits('drop-before'), snapshot)).toThrow(/\(snapshot 2, segment 3\) is 10010 bytes/);
    expect(fitChange(withBefore, limits('dead-letter'), snapshot).action).toBe('dead-lettered');
  });
});
