import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeySchema } from '../../domain/attribute-codec.js';
import { classifyAwsError } from './errors.js';

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

export interface TableInfo {
  name: string;
  keySchema: KeySchema;
  status: string;
  /** Approximate, refreshed by DynamoDB about every six hours. */
  itemCount: number;
  sizeBytes: number;
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  /** Provisioned read capacity; undefined for on-demand tables. */
  readCapacityUnits?: number;
  stream?: { arn: string; viewType: StreamViewType };
}

export async function describeTable(client: DynamoDBClient, name: string): Promise<TableInfo> {
  let table;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    throw classifyAwsError(error, `DescribeTable ${name}`);
  }
  if (!table) throw classifyAwsError(new Error('empty answer'), `DescribeTable ${name}`);
  const hashKey = table.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const rangeKey = table.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  if (!hashKey) throw classifyAwsError(new Error('no HASH key in its key schema'), `DescribeTable ${name}`);
  const streamEnabled = table.StreamSpecification?.StreamEnabled === true;
  const provisioned = table.ProvisionedThroughput?.ReadCapacityUnits;
  const onDemand = table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' || !provisioned;
  return {
    name,
    keySchema: rangeKey ? { hashKey, rangeKey } : { hashKey },
    status: table.TableStatus ?? 'UNKNOWN',
    itemCount: table.ItemCount ?? 0,
    sizeBytes: table.TableSizeBytes ?? 0,
    billingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(onDemand ? {} : { readCapacityUnits: provisioned }),
    ...(streamEnabled && table.LatestStreamArn
      ? { stream: { arn: table.LatestStreamArn, viewType: table.StreamSpecification!.StreamViewType as StreamViewType } }
      : {}),
  };
}
