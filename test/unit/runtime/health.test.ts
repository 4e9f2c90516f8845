import { describe, expect, it } from 'vitest';
import { Health } from '../../../src/runtime/health.js';

const call = (outcome: 'ok' | 'error', error?: string) => ({ operation: 'GetRecords', outcome, attempts: 1, seconds: 0, consumedCapacity: 0, ...(error ? { error } : {}) });

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('health', () => {
  it('finds a call that hangs past the threshold while it hangs, and is healthy again once it ends', () => {
    const time = clock();
    const health = new Health(30_000, time.now);
    const watch = health.watch('orders-source');
    const end = watch.aws.started('GetRecords');
    time.advance(29_000);
    expect(health.problems()).toEqual([]);
    time.advance(2_000);
    expect(health.problems()).toEqual([
      { connector: 'orders-source', reason: 'a DynamoDB GetRecords call has been pending for 31 s', since: 1_000_000 },
    ]);
    end(call('ok'));
    expect(health.problems()).toEqual([]);
  });

  it('reports calls of one kind that keep failing, from the first failure, until one succeeds', () => {
    const time = clock();
    const health = new Health(30_000, time.now);
    const watch = health.watch('orders-sink');
    watch.transactions.began()('aborted', 1, 10, 'Local: Timed out');
    time.advance(20_000);
    watch.aws.started('GetRecords')(call('ok')); // another kind succeeding does not hide it
    watch.transactions.began()('aborted', 1, 10, 'Local: Broker transport failure');
    time.advance(11_000);
    expect(health.stuck('orders-sink')).toEqual({
      reason: 'Kafka transaction calls have failed for 31 s, none succeeded: Local: Broker transport failure',
      since: 1_000_000,
    });
    watch.transactions.began()('committed', 0.01, 10);
    expect(health.stuck('orders-sink')).toBeUndefined();
  });

  it('forgets a connector that was removed', () => {
    const time = clock();
    const health = new Health(1_000, time.now);
    health.watch('gone').aws.started('Scan');
    time.advance(5_000);
    expect(health.problems()).toHaveLength(1);
    health.forget('gone');
    expect(health.problems()).toEqual([]);
  });
});
