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
 * endpoint. moto 5.2.5 alone writes no manifest; the stack's moto writes AWS's layout (stack/moto/
 * aws_export_output.py): manifest-summary.json named by DescribeExport, manifest-files.json listing data objects
 * of at most 1,000 items. The reading of a manifest is also proven on objects this test writes itself.
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

  async function tableWithItems(pitr: boolean, count = 5): Promise<{ name: string; arn: string }> {
    const name = uniqueName('exported');
    const arn = (await createTable(dynamodb, name)).TableArn!;
    if (pitr) await dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await putItems(dynamodb, name, Array.from({ length: count }, (_, i) => ({ id: { S: `item-${i}` } })));
    return { name, arn };
  }

  it('requests an export of a table with point-in-time recovery, follows it to COMPLETED and reads its files from the manifest', async () => {
    const table = await tableWithItems(true, 2500);
    const destination = { bucket: await bucket(), prefix: 'orders' };
    const started = await exports.start(table, destination);
    expect(started.exportArn).toMatch(/^arn:aws:dynamodb:/);
    const done = await untilDone(started.exportArn);
    expect(done).toMatchObject({ state: 'COMPLETED', itemCount: 2500 });
    expect(done.exportTimeMs).toBeGreaterThan(0);
    expect(done.manifestKey).toMatch(/^orders\/AWSDynamoDB\/[^/]+\/manifest-summary\.json$/);
    const files = await exports.files(destination.bucket, done.manifestKey!);
    expect(files.map((file) => file.itemCount)).toEqual([1000, 1000, 500]);
    const ids = new Set<string>();
    for (const file of files) for await (const item of exports.items(destination.bucket, file, 0, new AbortController().signal)) ids.add(item.id!.S!);
    expect(ids).toEqual(new Set(Array.from({ length: 2500 }, (_, i) => `item-${i}`)));
  });

  it('an export without a prefix is written at the bucket\'s root, as on AWS', async () => {
    const table = await tableWithItems(true);
    const done = await untilDone((await exports.start(table, { bucket: await bucket() })).exportArn);
    expect(done.manifestKey).toMatch(/^AWSDynamoDB\/[^/]+\/manifest-summary\.json$/);
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
