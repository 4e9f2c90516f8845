import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { createTable } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';
import { useSchemaRegistry } from '../../support/registry-server.js';

/** A connector file of Confluent's DynamoDB CDC Source, as its users have them, against the test stack. */
function confluentConfig(name: string, table: string, connection: ReturnType<typeof suiteResources>['connection'], extra: Record<string, string>) {
  return {
    'connector.class': 'io.confluent.connect.dynamodb.DynamoDbCdcSourceConnector',
    'dynamodb.table.includelist': table,
    'bootstrap.servers': inject('stack').kafka.bootstrapServers,
    'dynamodb.service.endpoint': connection.endpoint!,
    'aws.region': connection.region,
    'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
    'aws.secret.access.key': 'formatsSecretKey',
    'offset.storage.topic': `${name}-offsets`,
    ...extra,
  };
}

describe('run: record formats from a connector file', () => {
  const { connection, dynamodb, defer } = suiteResources('config-formats');
  const registryUrl = useSchemaRegistry();

  it("writes AVRO when a Confluent config names a Schema Registry and no format (Confluent's default), never printing the registry's credentials", async () => {
    const table = uniqueName('cfg-avro');
    await createTable(dynamodb, table);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' }, n: { N: '1' } } }));
    const name = uniqueName('cfg-avro');
    const userInfo = 'registryUser:registryPassword123';
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());
    const run = ConnectorProcess.start(
      name,
      confluentConfig(name, table, connection, {
        'schema.registry.url': registryUrl(),
        'basic.auth.credentials.source': 'USER_INFO',
        'schema.registry.basic.auth.user.info': userInfo,
      }),
      ['--rest-port', '0'],
    );
    defer(async () => void (await run.stop('SIGKILL')));
    await follower.waitFor((records) => records.length >= 1, 60_000, 'the snapshot read');
    const [record] = follower.records;
    expect(record!.bytes.value![0]).toBe(0); // Confluent's magic byte, then the schema id
    expect(record!.bytes.key![0]).toBe(0);
    const subjects = (await (await fetch(`${registryUrl()}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${table}-key`, `${table}-value`]));
    expect(run.output).toMatch(/records AVRO \(confluent envelope/);
    const base = /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)![1]!;
    const status = await (await fetch(`${base}/connectors/${name}/status`)).text();
    expect(run.output + status).not.toContain('registryPassword123');
  });

  it('stops the table with an error naming the registry when it does not answer, writing nothing', async () => {
    const table = uniqueName('cfg-noreg');
    await createTable(dynamodb, table);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' } } }));
    // A port that was free a moment ago: nothing answers there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const name = uniqueName('cfg-noreg');
    const run = ConnectorProcess.start(
      name,
      confluentConfig(name, table, connection, { 'schema.registry.url': `http://user:hiddenPw@127.0.0.1:${port}`, 'basic.auth.credentials.source': 'URL' }),
      ['--rest-port', '0'],
    );
    defer(async () => void (await run.stop('SIGKILL')));
    await expect.poll(() => /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)?.[1], { timeout: 60_000 }).toBeDefined();
    const base = /REST status API at (http:\/\/[^\s]+)\/connectors/.exec(run.output)![1]!;
    const taskError = async () => {
      const status = (await (await fetch(`${base}/connectors/${name}/status`)).json()) as { tasks: Array<{ trace?: string; error?: string }> };
      const task = status.tasks[0];
      return task?.trace ?? task?.error ?? '';
    };
    await expect.poll(taskError, { timeout: 60_000 }).toMatch(new RegExp(`Schema Registry at http://127\\.0\\.0\\.1:${port} did not answer registering the schema of subject "${table}-value"`));
    expect(run.output).toContain(`Schema Registry at http://127.0.0.1:${port} did not answer`);
    expect(run.output + (await taskError())).not.toContain('hiddenPw');
    // The encoder is made before the table's topic: nothing half-encoded can have been written.
    const admin = createKafka({ bootstrapServers: inject('stack').kafka.bootstrapServers, clientId: name }, logLevel.ERROR).admin();
    await admin.connect();
    defer(() => admin.disconnect());
    expect(await admin.listTopics()).not.toContain(table);
  });
});
