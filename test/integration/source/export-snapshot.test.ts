import { PutItemCommand, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { createS3Client } from '../../../src/adapters/s3/export-files.js';
import { motoConnection, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { backwardsAfterFirstChange, startChurn, type Envelope } from '../../support/churn.js';
import { createTable, expectedState, normalise, putItems, replay, scanAll } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

/**
 * dynamodb.snapshot.method=EXPORT as an operator runs it (`dynamodb-kafka run`), against moto's DynamoDB, Streams
 * and S3 on one endpoint; the stack's moto writes AWS's export layout with its manifests (stack/moto/
 * aws_export_output.py). The items' path is proven end to end: export → manifest → data files → `r` records, the
 * stream read from positions taken before the export, with the table changing throughout.
 */
const moto = motoConnection;

describe('source: snapshot by export (moto)', () => {
  const dynamodb = createDynamoDbClient(moto());
  const s3 = createS3Client(moto(), moto().endpoint);
  const runs: ConnectorProcess[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const run of runs) await run.stop('SIGKILL');
    dynamodb.destroy();
    s3.destroy();
  });

  async function runExport(pitr: boolean, items = 20, extra: Record<string, string> = {}): Promise<{ run: ConnectorProcess; table: string; bucket: string; config: Record<string, string>; name: string }> {
    const table = uniqueName('export-src');
    await createTable(dynamodb, table);
    if (pitr) await dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await putItems(dynamodb, table, Array.from({ length: items }, (_, i) => ({ id: { S: `item-${i}` }, w: { N: '0' }, pad: { S: 'x'.repeat(100) } })));
    const bucket = uniqueName('exports').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const name = uniqueName('export-cli');
    const config = {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': table,
      'dynamodb.snapshot.method': 'EXPORT',
      'dynamodb.snapshot.export.s3.bucket': bucket,
      'dynamodb.snapshot.export.s3.prefix': 'exports',
      'dynamodb.snapshot.export.s3.endpoint': moto().endpoint!,
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'dynamodb.service.endpoint': moto().endpoint!,
      'aws.region': moto().region,
      'aws.access.key.id': 'testing',
      'aws.secret.access.key': 'testing',
      'offset.storage.topic': `${name}-offsets`,
      ...extra,
    };
    const run = ConnectorProcess.start(name, config);
    runs.push(run);
    return { run, table, bucket, config, name };
  }

  /** The item count of the table's one export, from the manifest-summary.json AWS's layout puts beside its files. */
  async function exportedItemCount(bucket: string): Promise<number> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const summaries = (listed.Contents ?? []).filter((object) => object.Key!.endsWith('/manifest-summary.json'));
    expect(summaries).toHaveLength(1);
    const summary = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: summaries[0]!.Key! }));
    return (JSON.parse(await summary.Body!.transformToString()) as { itemCount: number }).itemCount;
  }

  it('every exported item arrives once as a snapshot read, and the stream continues from before the export without a gap', async () => {
    const items = 2500;
    const { run, table, bucket } = await runExport(true, items);
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    cleanups.push(() => follower.close());
    onTestFailed(() => console.log(run.output.split('\n').slice(-40).join('\n')));
    // The table changes from before the stream positions are taken until after the hand-off.
    const writer = startChurn(dynamodb, table, Math.floor(items * 1.1));
    cleanups.push(() => writer.stop());
    await expect.poll(() => run.output, { timeout: 90_000 }).toContain('SNAPSHOT → STREAMING');
    const atHandoff = writer.writes;
    await expect.poll(() => writer.writes, { timeout: 60_000 }).toBeGreaterThan(atHandoff + 200);
    await writer.stop();

    const expected = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    await follower.waitFor((records) => JSON.stringify(normalise(replay(records))) === JSON.stringify(expected), 90_000, 'topic state = table');
    const reads = follower.records.filter((record) => record.value !== null && (JSON.parse(record.value) as Envelope).op === 'r');
    const readKeys = reads.map((record) => record.key!);
    // Once each: no duplicate, and as many as the export holds, less those the stream had already written.
    expect(new Set(readKeys).size).toBe(readKeys.length);
    expect(readKeys.length).toBeLessThanOrEqual(await exportedItemCount(bucket));
    expect(readKeys.length).toBeGreaterThan(items / 2);
    expect(new Set(reads.map((record) => (JSON.parse(record.value!) as Envelope).source.snapshotCount))).toEqual(new Set([1]));
    expect(backwardsAfterFirstChange(follower.records)).toEqual([]);
    expect(run.output.match(/export arn:aws:dynamodb:\S+ requested/g)).toHaveLength(1);
    expect(run.output).toMatch(/snapshot 1 complete: \d+ items in [\d.]+ s \(3 exported files\), \d+ stream changes written alongside/);
    expect(run.output).not.toContain('testing'); // no credential in the log
  }, 240_000);

  it('killed mid-export, it resumes at the first line not written, without a new export, and writes each item once', async () => {
    const items = 8000;
    // Small pages: the 8 data files take many transactions, so the kill lands inside the export's items.
    const { run, table, bucket, config, name } = await runExport(true, items, { 'dynamodb.snapshot.max.poll.records': '50' });
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    cleanups.push(() => follower.close());
    const isRead = (record: ConsumedRecord) => record.value !== null && (JSON.parse(record.value) as Envelope).op === 'r';
    await follower.waitFor((records) => records.filter(isRead).length >= 1500, 120_000, 'the first data file written');
    await run.stop('SIGKILL');
    const readBeforeKill = follower.records.filter(isRead).length;
    expect(readBeforeKill).toBeLessThan(items - 1000); // the kill came while files were still to be written

    const again = ConnectorProcess.start(name, config);
    runs.push(again);
    onTestFailed(() => console.log(again.output.split('\n').slice(-40).join('\n')));
    await expect.poll(() => again.output, { timeout: 90_000 }).toContain('SNAPSHOT → STREAMING');
    const marker = { id: { S: 'after-restart' }, w: { N: '1' } };
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: marker }));
    const expected = normalise(expectedState(await scanAll(dynamodb, table), { hashKey: 'id' }));
    await follower.waitFor((records) => JSON.stringify(normalise(replay(records))) === JSON.stringify(expected), 90_000, 'topic state = table');

    const readKeys = follower.records.filter(isRead).map((record) => record.key!);
    expect(readKeys.length).toBe(await exportedItemCount(bucket));
    expect(new Set(readKeys).size).toBe(readKeys.length);
    expect(again.output).not.toMatch(/export \S+ requested/);
    const resumedAt = /resuming export \S+ at file (\d+) of 8, line (\d+) \((\d+) items written before\)/.exec(again.output);
    expect(resumedAt).not.toBeNull();
    expect(Number(resumedAt![3])).toBeGreaterThanOrEqual(readBeforeKill);
  }, 300_000);

  it('a table without point-in-time recovery stops with an error naming it', async () => {
    const { run, table } = await runExport(false);
    await expect.poll(() => run.output, { timeout: 60_000 }).toContain(`point-in-time recovery is off for table ${table}`);
  });
});
