import { describe, expect, it } from 'vitest';
import { tableNameOfArn } from '../../../src/adapters/dynamodb/tags.js';
import { matchesTagFilters } from '../../../src/domain/tag-match.js';

describe('matchesTagFilters', () => {
  const tags = { env: 'prod', team: 'data', empty: '' };

  it('needs every filter to match (AND across keys)', () => {
    expect(matchesTagFilters(tags, [{ key: 'env', values: ['prod'] }, { key: 'team', values: ['data'] }])).toBe(true);
    expect(matchesTagFilters(tags, [{ key: 'env', values: ['prod'] }, { key: 'team', values: ['web'] }])).toBe(false);
  });

  it('accepts any listed value of a key (OR within one filter)', () => {
    expect(matchesTagFilters(tags, [{ key: 'env', values: ['dev', 'prod'] }])).toBe(true);
    expect(matchesTagFilters(tags, [{ key: 'env', values: ['dev', 'staging'] }])).toBe(false);
  });

  it('treats a key without values as "present, any value", an empty value included', () => {
    expect(matchesTagFilters(tags, [{ key: 'empty', values: [] }])).toBe(true);
    expect(matchesTagFilters(tags, [{ key: 'owner', values: [] }])).toBe(false);
  });

  it('matches keys and values case-sensitively, as AWS tags do', () => {
    expect(matchesTagFilters(tags, [{ key: 'Env', values: [] }])).toBe(false);
    expect(matchesTagFilters(tags, [{ key: 'env', values: ['Prod'] }])).toBe(false);
  });

  it('does not mistake inherited object properties for tags', () => {
    expect(matchesTagFilters({}, [{ key: 'constructor', values: [] }])).toBe(false);
  });
});

describe('tableNameOfArn', () => {
  it('takes the table name from a table ARN in any partition', () => {
    expect(tableNameOfArn('arn:aws:dynamodb:eu-west-1:123456789012:table/orders')).toBe('orders');
    expect(tableNameOfArn('arn:aws-cn:dynamodb:cn-north-1:123456789012:table/my.table-1')).toBe('my.table-1');
  });

  it('rejects ARNs of streams, indexes and other resources', () => {
    expect(tableNameOfArn('arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000')).toBeUndefined();
    expect(tableNameOfArn('arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-date')).toBeUndefined();
    expect(tableNameOfArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(tableNameOfArn('')).toBeUndefined();
  });
});
