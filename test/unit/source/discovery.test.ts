import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { includeListFinder, TagTableFinder, formatTagFilters } from '../../../src/source/discovery.js';

const ARN_PREFIX = 'arn:aws:dynamodb:eu-west-1:123456789012:table/';

/** A DynamoDB account held in memory: what the fallback path's three operations read. */
function fakeDynamoDb(tables: Record<string, Record<string, string>>, calls: string[] = []) {
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, any> }) {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push(operation);
      const names = Object.keys(tables).sort();
      switch (operation) {
        case 'ListTables': {
          // Two tables per page, to exercise pagination.
          const from = command.input.ExclusiveStartTableName ? names.indexOf(command.input.ExclusiveStartTableName) + 1 : 0;
          const page = names.slice(from, from + 2);
          return { TableNames: page, ...(from + 2 < names.length ? { LastEvaluatedTableName: page.at(-1) } : {}) };
        }
        case 'DescribeTable': {
          const name = command.input.TableName as string;
          if (!tables[name]) throw Object.assign(new Error(`Requested resource not found: ${name}`), { name: 'ResourceNotFoundException' });
          return { Table: { TableName: name, TableArn: `${ARN_PREFIX}${name}`, TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } };
        }
        case 'ListTagsOfResource': {
          const name = (command.input.ResourceArn as string).slice(ARN_PREFIX.length);
          if (!tables[name]) throw Object.assign(new Error(`Requested resource not found: ${name}`), { name: 'ResourceNotFoundException' });
          return { Tags: Object.entries(tables[name]).map(([Key, Value]) => ({ Key, Value })) };
        }
        default:
          throw new Error(`unexpected ${operation}`);
      }
    },
  };
  return client as unknown as DynamoDBClient;
}

function failingTagging(error: Error): ResourceGroupsTaggingAPIClient {
  return { send: async () => Promise.reject(error) } as unknown as ResourceGroupsTaggingAPIClient;
}

const tables = {
  orders: { env: 'prod' },
  users: { env: 'prod', team: 'data' },
  sessions: { env: 'dev' },
  audit: {},
  events: { env: 'staging' },
};

describe('TagTableFinder', () => {
  it('lists the tables and their tags when no Tagging API is configured, sorted', async () => {
    const calls: string[] = [];
    const finder = new TagTableFinder({
      filters: [{ key: 'env', values: ['prod', 'staging'] }],
      rediscoveryPeriodMs: 1_000,
      dynamodb: fakeDynamoDb(tables, calls),
      log: { warn: () => expect.fail('no warning expected') },
    });
    expect(await finder.find()).toEqual(['events', 'orders', 'users']);
    // One DescribeTable learns the ARN prefix; every other table's ARN follows from its name.
    expect(calls.filter((call) => call === 'DescribeTable')).toHaveLength(1);
    expect(calls.filter((call) => call === 'ListTagsOfResource')).toHaveLength(5);
  });

  it('falls back for good, with one warning, when the Tagging API is not there', async () => {
    const warnings: string[] = [];
    let taggingCalls = 0;
    const tagging = {
      send: async () => {
        taggingCalls++;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      },
    } as unknown as ResourceGroupsTaggingAPIClient;
    const finder = new TagTableFinder({
      filters: [{ key: 'team', values: [] }],
      rediscoveryPeriodMs: 1_000,
      dynamodb: fakeDynamoDb(tables),
      tagging,
      log: { warn: (message) => warnings.push(message) },
    });
    expect(await finder.find()).toEqual(['users']);
    expect(await finder.find()).toEqual(['users']);
    expect(taggingCalls).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ListTables \+ ListTagsOfResource instead/);
  });

  it('does not fall back on a failure the fallback would share (a bad request)', async () => {
    const finder = new TagTableFinder({
      filters: [{ key: 'env', values: [] }],
      rediscoveryPeriodMs: 1_000,
      dynamodb: fakeDynamoDb(tables),
      tagging: failingTagging(Object.assign(new Error('TagFilters is invalid'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } })),
      log: { warn: () => expect.fail('no fallback expected') },
    });
    await expect(finder.find()).rejects.toThrow(/TagFilters is invalid/);
  });

  it('skips a table deleted between ListTables and its lookup, without losing the others', async () => {
    const dynamodb = fakeDynamoDb(tables);
    const listing = dynamodb.send.bind(dynamodb);
    const shrinking = {
      async send(command: any) {
        const answer: any = await listing(command);
        // Named first, so it is also the table whose DescribeTable would have taught the ARN prefix.
        if (command.constructor.name === 'ListTablesCommand' && !command.input.ExclusiveStartTableName) answer.TableNames = ['aaa-gone', ...answer.TableNames];
        return answer;
      },
    } as unknown as DynamoDBClient;
    const finder = new TagTableFinder({ filters: [{ key: 'env', values: ['prod'] }], rediscoveryPeriodMs: 1_000, dynamodb: shrinking, log: { warn: () => undefined } });
    expect(await finder.find()).toEqual(['orders', 'users']);
  });

  it('describes its filters in the configuration syntax', () => {
    expect(formatTagFilters([{ key: 'env', values: ['prod', 'staging'] }, { key: 'team', values: [] }])).toBe('env:prod,staging;team');
  });
});

describe('includeListFinder', () => {
  it('returns the listed tables and never asks again', async () => {
    const finder = includeListFinder(['a', 'b']);
    expect(await finder.find()).toEqual(['a', 'b']);
    expect(finder.rediscoveryPeriodMs).toBeUndefined();
  });
});
