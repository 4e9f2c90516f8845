import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbTableCatalog } from '../../../../src/adapters/dynamodb/tags.js';

const ARN_PREFIX = 'arn:aws:dynamodb:eu-west-1:123456789012:table/';

/**
 * The two operations behind a table's tags, over tables held in memory: DescribeTable (which teaches the ARN)
 * and ListTagsOfResource (which takes it). `calls` records them in order.
 */
function fakeDynamoDb(tables: Record<string, Record<string, string>>, calls: string[] = []) {
  const missing = (name: string) => Object.assign(new Error(`Requested resource not found: ${name}`), { name: 'ResourceNotFoundException' });
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, any> }) {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push(operation);
      if (operation === 'DescribeTable') {
        const name = command.input.TableName as string;
        if (!tables[name]) throw missing(name);
        return { Table: { TableName: name, TableArn: `${ARN_PREFIX}${name}`, TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } };
      }
      if (operation === 'ListTagsOfResource') {
        const name = (command.input.ResourceArn as string).slice(ARN_PREFIX.length);
        if (!tables[name]) throw missing(name);
        return { Tags: Object.entries(tables[name]).map(([Key, Value]) => ({ Key, Value })) };
      }
      throw new Error(`unexpected ${operation}`);
    },
  };
  return client as unknown as DynamoDBClient;
}

describe('dynamoDbTableCatalog: tags of a table', () => {
  it('learns the ARN prefix from one DescribeTable, shared by concurrent lookups, and builds every other ARN from the name', async () => {
    const calls: string[] = [];
    const catalog = dynamoDbTableCatalog(fakeDynamoDb({ orders: { env: 'prod' }, users: { team: 'data' }, audit: {} }, calls));
    expect(await Promise.all(['orders', 'users', 'audit'].map((table) => catalog.tagsOf(table)))).toEqual([{ env: 'prod' }, { team: 'data' }, {}]);
    expect(await catalog.tagsOf('orders')).toEqual({ env: 'prod' });
    expect(calls.filter((call) => call === 'DescribeTable')).toHaveLength(1);
    expect(calls.filter((call) => call === 'ListTagsOfResource')).toHaveLength(4);
  });

  it('learns the prefix again from another table when the table it asked about was deleted meanwhile', async () => {
    const catalog = dynamoDbTableCatalog(fakeDynamoDb({ orders: { env: 'prod' } }));
    const [gone, orders] = await Promise.allSettled([catalog.tagsOf('gone'), catalog.tagsOf('orders')]);
    expect(gone).toMatchObject({ status: 'rejected', reason: { name: 'AwsError', kind: 'not-found' } });
    expect(orders).toEqual({ status: 'fulfilled', value: { env: 'prod' } });
  });

  it('offers the Tagging API search only when given that API', () => {
    expect(dynamoDbTableCatalog(fakeDynamoDb({})).findByTags).toBeUndefined();
  });
});
