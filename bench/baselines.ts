/**
 * What the connector is compared with, per phase, in the same run: the SDK call alone (Scan, GetRecords,
 * BatchWriteItem; answers discarded) and the floor (the same request signed and sent over plain HTTP, its body
 * only JSON.parse'd: bench/floor.ts). Each answers its records per second and this process's CPU per record.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { floorCaller, type FloorCall } from './floor.js';
import { measureRun, type MeasuredRun } from './measure.js';
import { writeBenchItems, type BatchWrite } from './tables.js';

export type Baseline = 'sdk' | 'floor';

/** A parallel Scan of the whole table, `segments` at once, pages of 1,000 (the connector's). */
export async function parallelScan(baseline: Baseline, client: DynamoDBClient, table: string, segments: number): Promise<MeasuredRun> {
  const floor = baseline === 'floor' ? await floorCaller(client, 'dynamodb', segments) : undefined;
  const scan = floor
    ? (request: ScanRequest) => floor.call('Scan', request) as Promise<{ Items?: unknown[]; LastEvaluatedKey?: Record<string, AttributeValue> }>
    : (request: ScanRequest) => client.send(new ScanCommand(request));
  try {
    return await measureRun(async () => {
      let items = 0;
      await Promise.all(
        Array.from({ length: segments }, async (_, segment) => {
          let start: Record<string, AttributeValue> | undefined;
          do {
            const page = await scan({ TableName: table, Segment: segment, TotalSegments: segments, Limit: 1000, ReturnConsumedCapacity: 'TOTAL', ...(start ? { ExclusiveStartKey: start } : {}) });
            items += page.Items?.length ?? 0;
            start = page.LastEvaluatedKey;
          } while (start);
        }),
      );
      return items;
    });
  } finally {
    floor?.close();
  }
}

interface ScanRequest {
  TableName: string;
  Segment: number;
  TotalSegments: number;
  Limit: number;
  ReturnConsumedCapacity: 'TOTAL';
  ExclusiveStartKey?: Record<string, AttributeValue>;
}

/** Each shard of the stream read from TRIM_HORIZON, one GetRecords of 1,000 at a time, until `records` are read. */
export async function streamRead(baseline: Baseline, streams: DynamoDBStreamsClient, streamArn: string, shardIds: string[], records: number): Promise<MeasuredRun> {
  const floor = baseline === 'floor' ? await floorCaller(streams, 'streams', 1) : undefined;
  const call: FloorCall = floor
    ? floor.call
    : (operation, body) => (operation === 'GetRecords' ? streams.send(new GetRecordsCommand(body as never)) : streams.send(new GetShardIteratorCommand(body as never)));
  try {
    return await measureRun(async () => {
      let read = 0;
      for (const shardId of shardIds) {
        let iterator: string | undefined = (await call('GetShardIterator', { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
        while (iterator && read < records) {
          const page = await call('GetRecords', { ShardIterator: iterator, Limit: 1000 });
          const count = page.Records?.length ?? 0;
          read += count;
          iterator = page.NextShardIterator;
          if (count === 0) break;
        }
      }
      return read;
    });
  } finally {
    floor?.close();
  }
}

/** `count` bench items written into `table` by BatchWriteItem calls of 25, `concurrency` in flight, unprocessed items retried. */
export async function batchWrite(baseline: Baseline, client: DynamoDBClient, table: string, count: number, concurrency: number): Promise<MeasuredRun> {
  const floor = baseline === 'floor' ? await floorCaller(client, 'dynamodb', concurrency) : undefined;
  const write: BatchWrite = floor
    ? (requests) => floor.call('BatchWriteItem', { RequestItems: requests })
    : (requests) => client.send(new BatchWriteItemCommand({ RequestItems: requests as never })) as ReturnType<BatchWrite>;
  try {
    return await measureRun(async () => {
      await writeBenchItems(write, table, count, concurrency);
      return count;
    });
  } finally {
    floor?.close();
  }
}
