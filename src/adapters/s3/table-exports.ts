import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TableExports } from '../../source/ports.js';
import { describeExport, startExport } from '../dynamodb/export.js';
import { exportFiles, exportItems } from './export-files.js';

/** The TableExports port: the export requested and followed in DynamoDB, its files read from S3. */
export function awsTableExports(dynamodb: DynamoDBClient, s3: S3Client): TableExports {
  return {
    start: (table, destination) => startExport(dynamodb, table, destination),
    describe: (exportArn) => describeExport(dynamodb, exportArn),
    files: (bucket, manifestKey) => exportFiles(s3, bucket, manifestKey),
    items: (bucket, file, skip, signal) => exportItems(s3, bucket, file, skip, signal),
  };
}
