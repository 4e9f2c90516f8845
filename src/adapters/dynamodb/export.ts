// DynamoDB's export to S3: requesting one (ExportTableToPointInTime) and following it (DescribeExport).
import {
  DescribeExportCommand,
  ExportTableToPointInTimeCommand,
  type DynamoDBClient,
  type ExportDescription,
} from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../domain/aws-error.js';
import type { ExportDestination, ExportProgress, ExportState } from '../../source/ports.js';
import { classifyAwsError } from './errors.js';

export async function startExport(client: DynamoDBClient, table: { name: string; arn: string }, destination: ExportDestination): Promise<ExportProgress> {
  try {
    const answer = await client.send(
      new ExportTableToPointInTimeCommand({
        TableArn: table.arn,
        S3Bucket: destination.bucket,
        ...(destination.prefix ? { S3Prefix: destination.prefix } : {}),
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
      }),
    );
    return progressOf(answer.ExportDescription, `export of table ${table.name}`);
  } catch (error) {
    const what = `export of table ${table.name} to s3://${destination.bucket}/${destination.prefix ?? ''}`;
    if ((error as { name?: string }).name === 'PointInTimeRecoveryUnavailableException') {
      throw new AwsError(
        'invalid',
        `${what}: point-in-time recovery is off for table ${table.name}; dynamodb.snapshot.method=EXPORT needs it on (UpdateContinuousBackups, or the console's Backups tab)`,
        error,
      );
    }
    throw classifyAwsError(error, what);
  }
}

export async function describeExport(client: DynamoDBClient, exportArn: string): Promise<ExportProgress> {
  try {
    const answer = await client.send(new DescribeExportCommand({ ExportArn: exportArn }));
    return progressOf(answer.ExportDescription, `export ${exportArn}`);
  } catch (error) {
    throw classifyAwsError(error, `export ${exportArn}`);
  }
}

function progressOf(description: ExportDescription | undefined, what: string): ExportProgress {
  if (!description?.ExportArn) throw new AwsError('transient', `${what}: DynamoDB answered without the export's description`);
  const state = (description.ExportStatus ?? 'IN_PROGRESS') as ExportState;
  return {
    exportArn: description.ExportArn,
    state,
    ...(description.ExportTime ? { exportTimeMs: description.ExportTime.getTime() } : {}),
    ...(description.ItemCount !== undefined ? { itemCount: description.ItemCount } : {}),
    ...(state === 'FAILED' ? { failure: `${description.FailureCode ?? 'unknown'}: ${description.FailureMessage ?? 'no message'}` } : {}),
    ...(description.ExportManifest ? { manifestKey: description.ExportManifest } : {}),
  };
}
