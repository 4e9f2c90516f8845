import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ScanPage, ScanPageRequest, SourceTables } from '../../source/ports.js';
import { classifyAwsError } from './errors.js';
import { describeTable } from './tables.js';
import { SCAN_ITEMS, takeListFromWire } from './wire-items.js';
import type { Item } from '../../domain/attribute-codec.js';

/** The source's SourceTables port on DynamoDB. */
export function dynamoDbSourceTables(client: DynamoDBClient): SourceTables {
  return { describe: (table) => describeTable(client, table), scanPage: (request) => scanPage(client, request) };
}


/** One page of one segment of a parallel Scan. */
export async function scanPage(client: DynamoDBClient, request: ScanPageRequest): Promise<ScanPage> {
  const command = new ScanCommand({
    TableName: request.table,
    Segment: request.segment,
    TotalSegments: request.totalSegments,
    ExclusiveStartKey: request.exclusiveStartKey,
    // Always paged: besides DynamoDB's 1 MB cap, DynamoDB Local is several times slower without a Limit.
    Limit: request.limit,
    ConsistentRead: request.consistentRead,
    ReturnConsumedCapacity: 'TOTAL',
  });
  let items: Item[] = [];
  takeListFromWire(command.middlewareStack, client.config.streamCollector, SCAN_ITEMS, (taken) => (items = taken));
  try {
    const answer = await client.send(command);
    return {
      items,
      ...(answer.LastEvaluatedKey ? { lastEvaluatedKey: answer.LastEvaluatedKey } : {}),
      consumedReadCapacity: answer.ConsumedCapacity?.CapacityUnits ?? 0,
    };
  } catch (error) {
    throw classifyAwsError(error, `Scan ${request.table} segment ${request.segment}/${request.totalSegments}`);
  }
}
