import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/stack/ports.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { startSource } from '../../support/source.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

const cli = join(import.meta.dirname, '..', '..', '..', 'bin', 'dynamodb-kafka.js');

describe('source: bad input gets a clear error and stops nothing else', () => {
  const { connection, dynamodb, defer } = suiteResources('badinput');

  it('reports tables that cannot be replicated, by name, while the good table replicates', async () => {
    const good = uniqueName('good');
    const noStream = uniqueName('nostream');
    const keysOnly = uniqueName('keysonly');
    const missing = uniqueName('missing');
    await createTable(dynamodb, good);
    await createTable(dynamodb, noStream, 'none');
    await createTable(dynamodb, keysOnly, 'KEYS_ONLY');
    await putItems(dynamodb, good, [{ id: { S: 'a' } }, { id: { S: 'b' } }]);

    const source = await startSource({ name: uniqueName('badinput'), tables: [noStream, good, keysOnly, missing], dynamodb: connection });
    defer(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, good);
    defer(() => follower.close());
    await follower.waitFor(
      (records) => records.filter((record) => record.value && JSON.parse(record.value).op === 'r').length === 2,
      60_000,
      'the good table snapshot',
    );

    const errorOf = (table: string) => () => source.connector.status().tables.find((status) => status.table === table)?.error ?? '';
    await expect.poll(errorOf(noStream), { timeout: 30_000 }).toMatch(new RegExp(`table ${noStream} has no DynamoDB stream.*NEW_AND_OLD_IMAGES`));
    await expect.poll(errorOf(keysOnly), { timeout: 30_000 }).toMatch(new RegExp(`table ${keysOnly} has a stream with view type KEYS_ONLY`));
    await expect.poll(errorOf(missing), { timeout: 30_000 }).toMatch(new RegExp(`table ${missing} does not exist.*dynamodb.table.includelist`));
    expect(errorOf(good)()).toBe('');
  });

  it('names the endpoint setting when DynamoDB is unreachable', async () => {
    const closedPort = await freePort();
    const table = uniqueName('unreachable');
    const source = await startSource({
      name: uniqueName('unreachable'),
      tables: [table],
      dynamodb: { ...connection, endpoint: `http://127.0.0.1:${closedPort}`, maxAttempts: 1 },
    });
    defer(() => source.stop());
    await expect
      .poll(() => source.connector.status().tables[0]?.error ?? '', { timeout: 30_000 })
      .toMatch(new RegExp(`DescribeTable ${table}.*check dynamodb.service.endpoint`));
  });

  it('names the credential settings, never their values, when credentials are refused', async () => {
    const secret = 'TopSecretValue123';
    const table = uniqueName('badcreds');
    const source = await startSource({
      name: uniqueName('badcreds'),
      tables: [table],
      dynamodb: { ...connection, credentials: { accessKeyId: 'not-a-valid-key!', secretAccessKey: secret } },
    });
    defer(() => source.stop());
    await expect.poll(() => source.connector.status().tables[0]?.error ?? '', { timeout: 30_000 }).toMatch(/aws\.access\.key\.id/);
    expect(JSON.stringify(source.connector.status())).not.toContain(secret);
  });

  it('names the broker and the cause (connection refused) when Kafka is unreachable, in readable log lines', async () => {
    const closedPort = await freePort();
    const table = uniqueName('nokafka');
    await createTable(dynamodb, table);
    const { endpoint, region, credentials } = connection;
    const connector = ConnectorProcess.start(uniqueName('nokafka'), {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': table,
      'bootstrap.servers': `127.0.0.1:${closedPort}`,
      'dynamodb.service.endpoint': endpoint!,
      'aws.region': region,
      'aws.access.key.id': (credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
    });
    defer(async () => void (await connector.stop()));
    // The first thing it asks Kafka is the offsets topic (to fence producers of earlier tasks): that is named.
    const refused = new RegExp(`ERROR .*cannot fence .*could not create topic dynamodb-kafka-offsets: .*\\(Kafka at 127\\.0\\.0\\.1:${closedPort}: .*Connection refused\\)`);
    await expect.poll(() => connector.output, { timeout: 30_000 }).toMatch(refused);
    // librdkafka's own lines come as one readable line each, not as printed objects.
    expect(connector.output).toMatch(new RegExp(`WARN .*Kafka client \\(127\\.0\\.0\\.1:${closedPort}\\): .*Connection refused`));
    expect(connector.output).not.toMatch(/^\s*\{|fac: '/m);
    expect(await connector.stop()).toBe(0);
  });

  it('refuses an invalid configuration before starting, naming every bad key and hiding secrets', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-bad-')), 'bad.json');
    const secret = 'AnotherSecret987';
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        config: {
          'connector.class': 'DynamoDbSource',
          'dynamodb.table.includelist': 'orders',
          'bootstrap.servers': inject('stack').kafka.bootstrapServers,
          'aws.region': 'us-east-1',
          'aws.secret.access.key': secret,
          'dynamodb.snapshot.segmnets': '4',
          'tombstones.on.delete': 'sometimes',
        },
      }),
    );
    const result = await promisify(execFile)(process.execPath, [cli, 'run', file]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown key "dynamodb.snapshot.segmnets" \(did you mean "dynamodb.snapshot.segments"\?\)/);
    expect(result.stderr).toMatch(/tombstones.on.delete: .*"sometimes"/);
    expect(result.stderr).toMatch(/aws.access.key.id/);
    expect(result.stderr).not.toContain(secret);
  });
});
