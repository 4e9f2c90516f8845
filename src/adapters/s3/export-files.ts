// The files of a DynamoDB export in S3: its manifests, and its gzip'd DynamoDB-JSON data objects read as streams.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AwsError } from '../../domain/aws-error.js';
import { parseExportFiles, parseExportSummary, type ExportedFile } from '../../domain/export-manifest.js';
import { fromDynamoDbJson } from '../../domain/attribute-codec.js';
import { clientConfig, type DynamoDbConnection } from '../dynamodb/client.js';
import { classifyAwsError } from '../dynamodb/errors.js';

/** An S3 client on the connection's credentials and region; `endpoint` (moto, a VPC endpoint) is S3's own. */
export function createS3Client(connection: DynamoDbConnection, endpoint: string | undefined): S3Client {
  const { region, credentials, maxAttempts, logger } = clientConfig(connection);
  // Path-style addressing: an endpoint of its own (moto) does not resolve bucket names as host names.
  return new S3Client({
    region,
    logger,
    ...(credentials ? { credentials } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

/** The export's data files, from manifest-summary.json (at `manifestKey`) and the manifest-files.json it names. */
export async function exportFiles(s3: S3Client, bucket: string, manifestKey: string): Promise<ExportedFile[]> {
  const summary = parseExportSummary(await readText(s3, bucket, manifestKey), `s3://${bucket}/${manifestKey}`);
  return parseExportFiles(await readText(s3, bucket, summary.manifestFilesKey), `s3://${bucket}/${summary.manifestFilesKey}`);
}

/**
 * One data file's items, a line at a time: gunzipped as it streams in, its lines handed over as they are asked
 * for (readline pauses the object's stream while lines wait), so a file is never whole in memory.
 */
export async function* exportItems(
  s3: S3Client,
  bucket: string,
  file: ExportedFile,
  skip: number,
  signal: AbortSignal,
): AsyncGenerator<Record<string, AttributeValue>> {
  const where = `s3://${bucket}/${file.key}`;
  const body = await open(s3, bucket, file.key, signal);
  const gunzip = createGunzip();
  body.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: body.pipe(gunzip), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (number <= skip || line.trim() === '') continue;
      yield itemOf(line, `${where} line ${number}`);
    }
  } catch (error) {
    if (error instanceof AwsError || signal.aborted) throw error;
    throw classifyS3Error(error, `reading ${where}`);
  } finally {
    lines.close();
    body.destroy();
  }
}

function itemOf(line: string, where: string): Record<string, AttributeValue> {
  let parsed: { Item?: unknown };
  try {
    parsed = JSON.parse(line) as { Item?: unknown };
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed.Item !== 'object' || parsed.Item === null) throw new Error(`${where}: expected {"Item": {…}}`);
  return fromDynamoDbJson(parsed.Item as Parameters<typeof fromDynamoDbJson>[0]);
}

async function open(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
    return answer.Body as Readable;
  } catch (error) {
    throw classifyS3Error(error, `reading s3://${bucket}/${key}`);
  }
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const body = await open(s3, bucket, key);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw classifyS3Error(error, `reading s3://${bucket}/${key}`);
  }
}

/** S3 answers a missing bucket or key with 404, which the DynamoDB classification takes for an absent API. */
function classifyS3Error(error: unknown, what: string): AwsError {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? String(error);
  if (name === 'NoSuchBucket') return new AwsError('not-found', `${what}: the bucket does not exist (${name}: ${message})`, error);
  if (name === 'NoSuchKey') return new AwsError('not-found', `${what}: no such object (${name}: ${message})`, error);
  if (name === 'AccessDenied' || name === 'Forbidden') {
    return new AwsError('auth', `${what}: access denied (${name}: ${message}); the connector's credentials need s3:GetObject on the export's prefix`, error);
  }
  return classifyAwsError(error, what);
}
