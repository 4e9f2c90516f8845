import { describe, expect, it } from 'vitest';
import { FaultPlan, faultAnswer, operationOf, seededRandom } from '../../support/fault-plan.js';

describe('fault plan (the fault proxy’s decisions)', () => {
  it('draws the same sequence from the same seed, and another from another seed', () => {
    const draws = (seed: number) => Array.from({ length: 20 }, seededRandom(seed));
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    for (const value of draws(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('faults about the configured share of requests, spread over the kinds', () => {
    const plan = new FaultPlan(1234);
    const rule = { fraction: 0.4, kinds: ['throttle', 'internal-error', 'unavailable'] as const };
    const decisions = Array.from({ length: 10_000 }, () => plan.decide('Scan', { ...rule, kinds: [...rule.kinds] }));
    const faulted = decisions.filter((kind) => kind !== undefined);
    expect(faulted.length / decisions.length).toBeGreaterThan(0.37);
    expect(faulted.length / decisions.length).toBeLessThan(0.43);
    for (const kind of rule.kinds) expect(faulted.filter((each) => each === kind).length).toBeGreaterThan(faulted.length / 4);
  });

  it('replays the same decisions for the same seed and requests', () => {
    const run = () => {
      const plan = new FaultPlan(99);
      return ['Scan', 'GetRecords', 'Scan', 'PutItem', 'GetRecords'].map((operation) =>
        plan.decide(operation, { fraction: 0.5, kinds: ['throttle', 'unavailable'] }),
      );
    };
    expect(run()).toEqual(run());
  });

  it('leaves operations outside the rule, and everything without a rule, alone', () => {
    const plan = new FaultPlan(5);
    const rule = { fraction: 1, kinds: ['throttle' as const], operations: ['BatchWriteItem'] };
    expect(plan.decide('BatchWriteItem', rule)).toBe('throttle');
    expect(plan.decide('DescribeTable', rule)).toBeUndefined();
    expect(plan.decide('BatchWriteItem', undefined)).toBeUndefined();
    expect(plan.decide('Scan', { fraction: 0, kinds: ['throttle'] })).toBeUndefined();
  });

  it('names the operation from X-Amz-Target, for DynamoDB and DynamoDB Streams', () => {
    expect(operationOf('DynamoDB_20120810.BatchWriteItem')).toBe('BatchWriteItem');
    expect(operationOf('DynamoDBStreams_20120810.GetRecords')).toBe('GetRecords');
    expect(operationOf(undefined)).toBe('unknown');
  });

  it('answers as DynamoDB does: throttling by operation kind, 500 and 503 with their error types', () => {
    const scan = faultAnswer('throttle', 'Scan');
    expect(scan.status).toBe(400);
    expect(JSON.parse(scan.body).__type).toBe('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException');
    expect(JSON.parse(faultAnswer('throttle', 'GetRecords').body).__type).toMatch(/#ThrottlingException$/);
    const internal = faultAnswer('internal-error', 'GetRecords');
    expect([internal.status, JSON.parse(internal.body).__type]).toEqual([500, 'com.amazonaws.dynamodb.v20120810#InternalServerError']);
    expect(faultAnswer('unavailable', 'Scan').status).toBe(503);
    expect(scan.headers['content-type']).toBe('application/x-amz-json-1.0');
  });
});
