import { UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/adapters/dynamodb/client.js';
import { createS3Client } from '../../../src/adapters/s3/export-files.js';
import { motoConnection, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { createTable, putItems } from '../../support/tables.js';

/**
 * dynamodb.snapshot.method=EXPORT as an operator runs it (`dynamodb-kafka run`), against moto's DynamoDB, Streams
 * and S3 on one endpoint. moto's export writes no manifest and DescribeExport names none (see
 * test/integration/adapters/table-exports.test.ts), so a whole snapshot by export cannot complete on moto: these
 * tests prove the wiring up to there — the keys, the S3 client, the export requested after the stream positions —
 * and that each way it stops names table and bucket with the reason. The items' path (manifest → files → `r`
 * records → hand-off, restart per file) is proven in unit tests against the port.
 */
const moto = motoConnection;

describe('source: snapshot by export (moto)', () => {
  const dynamodb = createDynamoDbClient(moto());
  const s3 = createS3Client(moto(), moto().endpoint);
  const runs: ConnectorProcess[] = [];
  afterAll(async () => {
    for (const run of runs) await run.stop('SIGKILL');
    dynamodb.destroy();
    s3.destroy();
  });

  async function runExport(pitr: boolean): Promise<{ run: ConnectorProcess; table: string; bucket: string }> {
    const table = uniqueName('export-src');
    await createTable(dynamodb, table);
    if (pitr) await dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await putItems(dynamodb, table, Array.from({ length: 20 }, (_, i) => ({ id: { S: `item-${i}` } })));
    const bucket = uniqueName('exports').toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const name = uniqueName('export-cli');
    const run = ConnectorProcess.start(name, {
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
    });
    runs.push(run);
    return { run, table, bucket };
  }

  it('requests the export and, as moto names no manifest, stops the table saying so, naming table and bucket', async () => {
    const { run, table, bucket } = await runExport(true);
    await expect.poll(() => run.output, { timeout: 60_000 }).toContain(`export of table ${table}, bucket ${bucket} completed without a manifest`);
    expect(run.output).toMatch(/export arn:aws:dynamodb:\S+ requested to s3:\/\//);
    expect(run.output).not.toContain('testing'); // no credential in the log
  });

  it('a table without point-in-time recovery stops with an error naming it', async () => {
    const { run, table } = await runExport(false);
    await expect.poll(() => run.output, { timeout: 60_000 }).toContain(`point-in-time recovery is off for table ${table}`);
  });
});
