import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDbClient, createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import { AwsError } from '../../../src/domain/aws-error.js';
import { scanPage } from '../../../src/adapters/dynamodb/scan.js';
import { describeStream } from '../../../src/adapters/dynamodb/streams.js';
import { describeTable } from '../../../src/adapters/dynamodb/tables.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { createTable } from '../../support/tables.js';

/** The proxy the fault suite relies on: the SDK and the adapters must see its faults as DynamoDB's own. */
describe('faults: the fault proxy in front of DynamoDB Local', () => {
  const { connection, dynamodb, defer } = suiteResources('faultproxy');

  async function throughProxy() {
    const proxy = await FaultProxy.start(connection.endpoint!, 7);
    defer(() => proxy.close());
    // One attempt: the SDK's own retries would hide the fault being checked.
    const proxied = { ...connection, endpoint: proxy.endpoint, maxAttempts: 1 };
    const client = createDynamoDbClient(proxied);
    const streams = createStreamsClient(proxied);
    defer(async () => {
      client.destroy();
      streams.destroy();
    });
    const table = uniqueName('faultproxy');
    await createTable(dynamodb, table);
    return { proxy, client, streams, table };
  }

  it('forwards requests unchanged, and answers chosen operations with throttling, 500 and 503 as DynamoDB does', async () => {
    const { proxy, client, streams, table } = await throughProxy();
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' } } }));
    expect((await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'a' } }, ConsistentRead: true }))).Item).toEqual({ id: { S: 'a' } });
    const scan = () => scanPage(client, { table, segment: 0, totalSegments: 1, limit: 10, consistentRead: true });
    const kindOf = (call: Promise<unknown>) => call.then(() => 'answered', (error: unknown) => (error instanceof AwsError ? error.kind : String(error)));

    proxy.injectFaults({ fraction: 1, kinds: ['throttle'], operations: ['Scan', 'DescribeStream'] });
    expect(await kindOf(scan())).toBe('throttled');
    const streamArn = (await describeTable(client, table)).stream!.arn;
    expect(await kindOf(describeStream(streams, streamArn))).toBe('throttled');
    proxy.injectFaults({ fraction: 1, kinds: ['internal-error'], operations: ['Scan'] });
    expect(await kindOf(scan())).toBe('transient');
    proxy.injectFaults({ fraction: 1, kinds: ['unavailable'], operations: ['Scan'] });
    expect(await kindOf(scan())).toBe('transient');
    proxy.clearFaults();
    expect((await scan()).items).toHaveLength(1);
    expect(proxy.faulted('Scan')).toBe(3);
    expect(proxy.faulted('DescribeStream')).toBe(1);
    expect(proxy.faulted('DescribeTable')).toBe(0);
  });

  it('freezes: holds requests unanswered until thawed, then answers them', async () => {
    const { proxy, client, table } = await throughProxy();
    proxy.freeze();
    let answered = false;
    const put = client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'held' } } })).then(() => (answered = true));
    await expect.poll(() => proxy.held('PutItem')).toBe(1);
    expect(answered).toBe(false);
    proxy.thaw();
    await put;
    expect((await dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'held' } }, ConsistentRead: true }))).Item).toBeDefined();
  });
});
