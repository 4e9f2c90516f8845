import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { describeExport, startExport } from '../../../../src/adapters/dynamodb/export.js';
import { AwsError } from '../../../../src/domain/aws-error.js';

/** A client whose every call answers `answer` (or throws it, for an error). */
function answering(answer: unknown): DynamoDBClient {
  return {
    send: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as DynamoDBClient;
}

const table = { name: 'orders', arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders' };
const exportArn = `${table.arn}/export/01234567890123-a1b2c3d4`;

describe('the export adapter', () => {
  it('refuses a table without point-in-time recovery, naming the table and what to do', async () => {
    const refusal = Object.assign(new Error('Point in time recovery is not enabled for table \'orders\''), { name: 'PointInTimeRecoveryUnavailableException' });
    const failure = await startExport(answering(refusal), table, { bucket: 'exports', prefix: 'p/' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsError);
    expect((failure as AwsError).kind).toBe('invalid');
    expect((failure as AwsError).message).toBe(
      'export of table orders to s3://exports/p/: point-in-time recovery is off for table orders; dynamodb.snapshot.method=EXPORT needs it on (UpdateContinuousBackups, or the console\'s Backups tab)',
    );
  });

  it('names table, bucket and AWS\'s reason for other refusals', async () => {
    const denied = Object.assign(new Error('not authorized to perform: dynamodb:ExportTableToPointInTime'), { name: 'AccessDeniedException' });
    await expect(startExport(answering(denied), table, { bucket: 'exports' })).rejects.toThrow(
      'export of table orders to s3://exports/: AccessDeniedException: not authorized to perform: dynamodb:ExportTableToPointInTime',
    );
  });

  it('tells a completed export by its manifest, a failed one by its code and message', async () => {
    const completed = await describeExport(
      answering({ ExportDescription: { ExportArn: exportArn, ExportStatus: 'COMPLETED', ExportTime: new Date(1000), ItemCount: 8, ExportManifest: 'p/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-summary.json' } }),
      exportArn,
    );
    expect(completed).toEqual({ exportArn, state: 'COMPLETED', exportTimeMs: 1000, itemCount: 8, manifestKey: 'p/AWSDynamoDB/01234567890123-a1b2c3d4/manifest-summary.json' });
    const failed = await describeExport(
      answering({ ExportDescription: { ExportArn: exportArn, ExportStatus: 'FAILED', FailureCode: 'S3NoSuchBucket', FailureMessage: 'The specified bucket does not exist' } }),
      exportArn,
    );
    expect(failed).toEqual({ exportArn, state: 'FAILED', failure: 'S3NoSuchBucket: The specified bucket does not exist' });
  });
});
