import { gzipSync } from 'node:zlib';
import { UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { createS3Client } from '../../../src/adapters/s3/export-files.js';
import { awsTableExports } from '../../../src/adapters/s3/table-exports.js';
import { AwsError } from '../../../src/domain/aws-error.js';
import type { ExportProgress } from '../../../src/source/ports.js';
import { motoConnection, uniqueName } from '../../support/aws.js';
import { createTable, putItems } from '../../support/tables.js';

/**
 * The TableExports adapter against moto, which serves ExportTableToPointInTime, DescribeExport and S3 on one
 * endpoint. moto's export differs from AWS's (moto 5.2.5, dynamodb/models/table_export.py): it writes one data
 * object `<prefix>/AWSDynamoDB/<random uuid>/data/<random uuid>.gz` and no manifest at all, its DescribeExport
 * has no ExportManifest and no ExportTime, and it answers
 * HTTP 500 (KeyError 'S3Prefix') to a request without S3Prefix, which AWS makes optional. So the
 * export is requested and followed on moto here, and the manifest → data-file reading is proven on objects this
 * test writes into moto's S3 in AWS's documented layout.
 */
const moto = motoConnection;

describe('TableExports on moto (DynamoDB export to S3)', () => {
  const dynamodb = createDynamoDbClient(moto());
  const s3 = createS3Client(moto(), moto().endpoint);
  const exports = awsTableExports(dynamodb, s3);
  afterAll(() => {
    dynamodb.destroy();
    s3.destroy();
  });

  async function bucket(): Promise<string> {
    const name = uniqueName('exports').toLowerCase();
    const { region } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: name, ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}) }));
    return name;
  }

  async function untilDone(exportArn: string): Promise<ExportProgress> {
    let progress!: ExportProgress;
    await expect.poll(async () => (progress = await exports.describe(exportArn)).state, { timeout: 10_000 }).not.toBe('IN_PROGRESS');
    return progress;
  }

  async function tableWithItems(pitr: boolean): Promise<{ name: string; arn: string }> {
    const name = uniqueName('exported');
    const arn = (await createTable(dynamodb, name)).TableArn!;
    if (pitr) await dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await putItems(dynamodb, name, Array.from({ length: 5 }, (_, i) => ({ id: { S: `item-${i}` } })));
    return { name, arn };
  }

  it('requests an export of a table with point-in-time recovery and follows it to COMPLETED', async () => {
    const table = await tableWithItems(true);
    const started = await exports.start(table, { bucket: await bucket(), prefix: 'orders' });
    expect(started.exportArn).toMatch(/^arn:aws:dynamodb:/);
    const done = await untilDone(started.exportArn);
    expect(done).toMatchObject({ state: 'COMPLETED', itemCount: 5 });
    // moto names no manifest (AWS does): the connector stops there with a clear error rather than guess.
    expect(done.manifestKey).toBeUndefined();
  });

  it('refuses a table without point-in-time recovery, naming the table', async () => {
    const table = await tableWithItems(false);
    await expect(exports.start(table, { bucket: await bucket(), prefix: 'orders' })).rejects.toThrow(
      `point-in-time recovery is off for table ${table.name}; dynamodb.snapshot.method=EXPORT needs it on`,
    );
  });

  it('an export to a bucket that does not exist FAILS, with AWS\'s reason', async () => {
    const table = await tableWithItems(true);
    const started = await exports.start(table, { bucket: uniqueName('missing').toLowerCase(), prefix: 'orders' });
    const done = await untilDone(started.exportArn);
    expect(done).toMatchObject({ state: 'FAILED', failure: 'S3NoSuchBucket: The specified bucket does not exist' });
  });

  it('reads the data files the manifest lists, gunzipping each as a stream, from any line on', async () => {
    const name = await bucket();
    const base = 'orders/AWSDynamoDB/01234567890123-a1b2c3d4';
    const lines = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => JSON.stringify({ Item: { id: { S: `item-${from + i}` }, n: { N: String(from + i) }, tags: { SS: ['a', 'b'] } } })).join('\n') + '\n';
    const put = (key: string, body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body }));
    await put(`${base}/data/first.json.gz`, gzipSync(lines(0, 3000)));
    await put(`${base}/data/second.json.gz`, gzipSync(lines(3000, 2)));
    await put(
      `${base}/manifest-files.json`,
      [`${base}/data/first.json.gz`, `${base}/data/second.json.gz`].map((key, i) => JSON.stringify({ itemCount: i === 0 ? 3000 : 2, md5Checksum: 'x', etag: 'y', dataFileS3Key: key })).join('\n') + '\n',
    );
    await put(`${base}/manifest-summary.json`, JSON.stringify({ version: '2020-06-30', exportArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/export/01234567890123-a1b2c3d4', manifestFilesS3Key: `${base}/manifest-files.json`, itemCount: 3002, outputFormat: 'DYNAMODB_JSON' }));

    const files = await exports.files(name, `${base}/manifest-summary.json`);
    expect(files).toEqual([
      { key: `${base}/data/first.json.gz`, itemCount: 3000 },
      { key: `${base}/data/second.json.gz`, itemCount: 2 },
    ]);
    const signal = new AbortController().signal;
    const ids: string[] = [];
    for await (const item of exports.items(name, files[0]!, 2990, signal)) ids.push(item.id!.S!);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `item-${2990 + i}`));
    const second = [];
    for await (const item of exports.items(name, files[1]!, 0, signal)) second.push(item);
    expect(second).toEqual([
      { id: { S: 'item-3000' }, n: { N: '3000' }, tags: { SS: ['a', 'b'] } },
      { id: { S: 'item-3001' }, n: { N: '3001' }, tags: { SS: ['a', 'b'] } },
    ]);
  });

  it('a bucket or object that is not there fails naming bucket and key, and the reason', async () => {
    const missing = uniqueName('missing').toLowerCase();
    const failure = await exports.files(missing, 'AWSDynamoDB/x/manifest-summary.json').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsError);
    expect((failure as AwsError).kind).toBe('not-found');
    expect((failure as AwsError).message).toContain(`s3://${missing}/AWSDynamoDB/x/manifest-summary.json: the bucket does not exist (NoSuchBucket`);
    const name = await bucket();
    const noKey = await exports.files(name, 'nothing/manifest-summary.json').catch((error: unknown) => error);
    expect((noKey as AwsError).message).toContain(`s3://${name}/nothing/manifest-summary.json: no such object (NoSuchKey`);
  });
});
