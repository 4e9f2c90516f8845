import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from './errors.js';

export interface ScanPageRequest {
  table: string;
  segment: number;
  totalSegments: number;
  exclusiveStartKey?: Record<string, AttributeValue>;
  limit: number;
  consistentRead: boolean;
}

export interface ScanPage {
  items: Record<string, AttributeValue>[];
  /** Absent when the segment is finished. */
  lastEvaluatedKey?: Record<string, AttributeValue>;
  consumedReadCapacity: number;
}

/** One page of one segment of a parallel Scan. */
export async function scanPage(client: DynamoDBClient, request: ScanPageRequest): Promise<ScanPage> {
  try {
    const answer = await client.send(
      new ScanCommand({
        TableName: request.table,
        Segment: request.segment,
        TotalSegments: request.totalSegments,
        ExclusiveStartKey: request.exclusiveStartKey,
        // Always paged: besides DynamoDB's 1 MB cap, DynamoDB Local is several times slower without a Limit.
        Limit: request.limit,
        ConsistentRead: request.consistentRead,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return {
      items: answer.Items ?? [],
      ...(answer.LastEvaluatedKey ? { lastEvaluatedKey: answer.LastEvaluatedKey } : {}),
      consumedReadCapacity: answer.ConsumedCapacity?.CapacityUnits ?? 0,
    };
  } catch (error) {
    throw classifyAwsError(error, `Scan ${request.table} segment ${request.segment}/${request.totalSegments}`);
  }
}
