import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { scanPage } from '../../../src/adapters/dynamodb/scan.js';
import { createDynamoDbClient, createStreamsClient, type AwsCall } from '../../../src/adapters/dynamodb/client.js';
import { describeStream, getRecords, shardIterator } from '../../../src/adapters/dynamodb/streams.js';
import { describeTable } from '../../../src/adapters/dynamodb/tables.js';
import { AwsError } from '../../../src/domain/aws-error.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { createTable } from '../../support/tables.js';

/** An item with every attribute type, numbers at DynamoDB's 38 digits, binary nested in maps and lists. */
const EVERY_TYPE = {
  id: { S: 'every-type "quoted" \\ é 😀' },
  big: { N: '12345678901234567890123456789012345678' },
  tiny: { N: '-0.000000000000000000000000000000000001' },
  bytes: { B: Uint8Array.from([0, 1, 254, 255]) },
  strings: { SS: ['a', 'b'] },
  numbers: { NS: ['1', '99999999999999999999999999999999999999'] },
  binaries: { BS: [Uint8Array.from([1]), Uint8Array.from([2, 3])] },
  nothing: { NULL: true },
  yes: { BOOL: true },
  no: { BOOL: false },
  nested: { M: { list: { L: [{ B: Uint8Array.from([9]) }, { M: { deep: { BS: [Uint8Array.from([7])] } } }, { N: '1.50' }] } } },
};

describe('Scan and GetRecords pages read from the wire JSON (without the SDK deserializer)', () => {
  const { connection, dynamodb, defer } = suiteResources('scanwire');

  it('hands over exactly the items the SDK decodes: every type, 38-digit numbers, binary and sets, nested', async () => {
    const table = uniqueName('scanwire');
    await createTable(dynamodb, table, 'NEW_IMAGE', { hashKey: 'id' });
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: EVERY_TYPE }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'second' } } }));

    const sdk = await dynamodb.send(new ScanCommand({ TableName: table, Segment: 0, TotalSegments: 1, Limit: 1 }));
    const page = await scanPage(dynamodb, { table, segment: 0, totalSegments: 1, limit: 1, consistentRead: true });
    expect(page.items).toEqual(sdk.Items);
    expect(page.lastEvaluatedKey).toEqual(sdk.LastEvaluatedKey);
    expect(page.consumedReadCapacity).toBeGreaterThan(0);

    const all = await scanPage(dynamodb, { table, segment: 0, totalSegments: 1, limit: 10, consistentRead: true });
    const everyType = all.items.find((each) => each.id?.S === EVERY_TYPE.id.S)!;
    expect(everyType).toEqual(EVERY_TYPE);
    expect(everyType.bytes!.B).toBeInstanceOf(Uint8Array);
    expect(all.lastEvaluatedKey).toBeUndefined();
  });

  it('hands over exactly the stream records the SDK decodes: both images, keys, dates, every type', async () => {
    const table = uniqueName('streamwire');
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'id' });
    const key = { id: EVERY_TYPE.id };
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: EVERY_TYPE }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...EVERY_TYPE, big: { N: '-99999999999999999999999999999999999999' } } }));
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: key }));
    const streams = createStreamsClient(connection);
    defer(async () => streams.destroy());
    const stream = await describeStream(streams, (await describeTable(dynamodb, table)).stream!.arn);
    const shardId = stream.shards[0]!.shardId;
    const start = { type: 'TRIM_HORIZON' } as const;

    const sdk = await streams.send(new GetRecordsCommand({ ShardIterator: await shardIterator(streams, stream.streamArn, shardId, start), Limit: 10 }));
    const page = await getRecords(streams, (await shardIterator(streams, stream.streamArn, shardId, start))!, 10, shardId);
    expect(page.records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(page.records).toEqual(sdk.Records);
    expect(page.records[1]!.dynamodb!.ApproximateCreationDateTime).toBeInstanceOf(Date);
    expect(page.records[1]!.dynamodb!.OldImage).toEqual(EVERY_TYPE);
    expect(page.nextIterator).toEqual(expect.any(String));
  });

  it('keeps the metrics observer told of each call, its attempts and consumed capacity', async () => {
    const table = uniqueName('scanwire-observed');
    await createTable(dynamodb, table, 'NEW_IMAGE', { hashKey: 'id' });
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: EVERY_TYPE }));
    const calls: AwsCall[] = [];
    const observed = createDynamoDbClient({ ...connection, observer: { started: () => (call) => calls.push(call) } });
    defer(async () => observed.destroy());
    const page = await scanPage(observed, { table, segment: 0, totalSegments: 1, limit: 10, consistentRead: true });
    expect(page.items).toEqual([EVERY_TYPE]);
    expect(calls).toEqual([expect.objectContaining({ operation: 'Scan', outcome: 'ok', attempts: 1, consumedCapacity: page.consumedReadCapacity })]);
    expect(page.consumedReadCapacity).toBeGreaterThan(0);
  });

  it('leaves a failed Scan to the SDK: the error names the table and the cause, as before', async () => {
    const missing = uniqueName('scanwire-missing');
    const attempt = scanPage(dynamodb, { table: missing, segment: 0, totalSegments: 2, limit: 10, consistentRead: false });
    await expect(attempt).rejects.toBeInstanceOf(AwsError);
    await expect(attempt).rejects.toMatchObject({ kind: 'not-found', message: expect.stringMatching(new RegExp(`^Scan ${missing} segment 0/2: ResourceNotFoundException`)) });
  });

  it('reports an unreachable endpoint by name', async () => {
    const client = createDynamoDbClient({ ...connection, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    try {
      const attempt = scanPage(client, { table: 'any', segment: 0, totalSegments: 1, limit: 10, consistentRead: false });
      await expect(attempt).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringContaining('Scan any segment 0/1') });
    } finally {
      client.destroy();
    }
  });
});
