import { CreateTableCommand, DescribeTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyAttributeType, StreamViewType, TableInfo } from '../../domain/table-info.js';
import type { TableToCreate } from '../../sink/ports.js';
import { classifyAwsError } from './errors.js';

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
  const keyTypes = Object.fromEntries(
    (table.AttributeDefinitions ?? [])
      .filter((definition) => definition.AttributeName === hashKey || definition.AttributeName === rangeKey)
      .map((definition) => [definition.AttributeName!, definition.AttributeType as KeyAttributeType]),
  );
  return {
    name,
    arn: table.TableArn ?? '',
    keySchema: rangeKey ? { hashKey, rangeKey } : { hashKey },
    keyTypes,
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

/** Creates the table (another writer may be creating it at the same time) and waits until it is ACTIVE. */
export async function createTable(client: DynamoDBClient, spec: TableToCreate): Promise<void> {
  const keys = [spec.hashKey, ...(spec.rangeKey ? [spec.rangeKey] : [])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: spec.name,
        KeySchema: keys.map((key, index) => ({ AttributeName: key.name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
        AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
        BillingMode: spec.billing.mode,
        ...(spec.billing.mode === 'PROVISIONED'
          ? { ProvisionedThroughput: { ReadCapacityUnits: spec.billing.readCapacity, WriteCapacityUnits: spec.billing.writeCapacity } }
          : {}),
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw classifyAwsError(error, `CreateTable ${spec.name}`);
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: spec.name });
  } catch (error) {
    throw classifyAwsError(error, `waiting for table ${spec.name} to become ACTIVE`);
  }
}
