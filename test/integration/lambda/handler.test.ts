import { randomBytes } from 'node:crypto';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createStreamsClient } from '../../../src/adapters/dynamodb/client.js';
import { ensureTopic } from '../../../src/adapters/kafka/admin.js';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { createStreamHandler, type StreamHandler } from '../../../src/lambda/handler.js';
import { secretsManagerFetcher } from '../../../src/lambda/secrets.js';
import type { LambdaStreamRecord } from '../../../src/lambda/event.js';
import { BEFORE_DROPPED_HEADER } from '../../../src/source/oversized-records.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { eventOf, lambdaEnv, lambdaRecords, streamShard } from '../../support/lambda-events.js';
import { capturingLogger } from '../../support/source.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const SECRET_KEY = `lambdaSecret${randomBytes(6).toString('hex')}`;

describe('lambda: DynamoDB Streams events → Kafka', () => {
  const { connection, dynamodb, defer } = suiteResources('lambda');
  const stack = inject('stack');
  const streams = createStreamsClient(connection);
  defer(async () => streams.destroy());
  const logLines: string[] = [];
  const moto = stack.moto!;
  const motoCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const fetchSecret = secretsManagerFetcher({ endpoint: moto.endpoint, credentials: motoCredentials });
  let secretArn: string | undefined;

  afterAll(() => {
    // The AWS secret key came from Secrets Manager: no log line of any handler may show it.
    expect(logLines.filter((line) => line.includes(SECRET_KEY))).toEqual([]);
  });

  /** The suite's DynamoDB secret key, stored once in Secrets Manager (moto) as a JSON secret. */
  async function awsSecretArn(): Promise<string> {
    if (secretArn) return secretArn;
    const client = new SecretsManagerClient({ region: moto.region, endpoint: moto.endpoint, credentials: motoCredentials });
    try {
      const created = await client.send(new CreateSecretCommand({ Name: uniqueName('lambda-aws'), SecretString: JSON.stringify({ secret: SECRET_KEY }) }));
      secretArn = created.ARN!;
    } finally {
      client.destroy();
    }
    return secretArn;
  }

  /** A handler as one Lambda container makes it, configured by environment variables only. */
  async function container(table: string, name: string, extra: Record<string, string> = {}): Promise<StreamHandler> {
    // The AWS secret key by reference only: read from Secrets Manager.
    const { DYNAMODB_KAFKA_AWS_SECRET_ACCESS_KEY: _inline, ...env } = lambdaEnv({ bootstrapServers: stack.kafka.bootstrapServers, connection, table, name });
    const handler = await createStreamHandler(
      { ...env, DYNAMODB_KAFKA_AWS_SECRET_ACCESS_KEY_SECRET_ARN: `${await awsSecretArn()}#secret`, ...extra },
      { fetchSecret, log: capturingLogger(logLines, name) },
    );
    defer(() => handler.close());
    return handler;
  }

  /** A new table (the topic is named after it) with its read_committed follower. */
  async function tableWithFollower(prefix: string) {
    const table = uniqueName(prefix);
    await createTable(dynamodb, table);
    const follower = await TopicFollower.follow(stack.kafka.bootstrapServers, table);
    defer(() => follower.close());
    return { table, follower };
  }

  const changes = (records: ConsumedRecord[]) => records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!));
  const sequenceNumbers = (records: ConsumedRecord[]) => changes(records).map((envelope) => envelope.source.seq_No as string);
  const sequenceNumbersOf = (records: LambdaStreamRecord[]) => records.map((record) => record.dynamodb!.SequenceNumber);
  const failuresAt = (record: LambdaStreamRecord) => ({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
  const OK = { batchItemFailures: [] };
  const ids = (items: number, from = 0) => Array.from({ length: items }, (_, index) => ({ id: { S: `item-${from + index}` }, version: { N: '1' } }));

  it('writes a batch to the topic named after the table, in the envelope the source connector writes', async () => {
    const { table, follower } = await tableWithFollower('lambda-envelope');
    await putItems(dynamodb, table, ids(2));
    await dynamodb.send(
      new UpdateItemCommand({ TableName: table, Key: { id: { S: 'item-0' } }, UpdateExpression: 'SET version = :v', ExpressionAttributeValues: { ':v': { N: '2' } } }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'item-1' } } }));
    const shard = await streamShard(dynamodb, streams, table);
    const records = await lambdaRecords(streams, shard);
    expect(records).toHaveLength(4);

    const handler = await container(table, uniqueName('fn'));
    expect(await handler.handle(eventOf(records))).toEqual(OK);

    await follower.waitFor((got) => got.length === 5, 30_000, 'four changes and a tombstone');
    expect(follower.records.every((record) => record.topic === table)).toBe(true);
    expect(follower.records.map((record) => record.key)).toEqual(['item-0', 'item-1', 'item-0', 'item-1', 'item-1'].map((id) => JSON.stringify({ id })));
    expect(follower.records.at(-1)!.value).toBeNull();
    const envelopes = changes(follower.records);
    expect(envelopes.map((envelope) => envelope.op)).toEqual(['c', 'c', 'u', 'd']);
    expect(envelopes.map((envelope) => envelope.source.seq_No)).toEqual(sequenceNumbersOf(records));
    for (const envelope of envelopes) expect(envelope.source).toMatchObject({ tableName: table, sync_mode: 'CDC', shard_Id: shard.shardId });
    expect(JSON.parse(envelopes[2].after.document)).toEqual({ id: { S: 'item-0' }, version: { N: '2' } });
    expect(JSON.parse(envelopes[2].before.document)).toEqual({ id: { S: 'item-0' }, version: { N: '1' } });
    expect(envelopes[3].after).toBeNull();
  });

  it('skips a re-delivered batch record by record, in the same container and after a restart: no duplicate under read_committed', async () => {
    const { table, follower } = await tableWithFollower('lambda-redelivery');
    await putItems(dynamodb, table, ids(5));
    const shard = await streamShard(dynamodb, streams, table);
    const first = await lambdaRecords(streams, shard);
    const name = uniqueName('fn');
    const handler = await container(table, name);
    expect(await handler.handle(eventOf(first))).toEqual(OK);
    // Lambda timed out after the commit and delivers the batch again, to this container…
    expect(await handler.handle(eventOf(first))).toEqual(OK);
    // …then, with new changes after it, to a new container (the first one is gone).
    await handler.close();
    await putItems(dynamodb, table, ids(3, 5));
    const all = await lambdaRecords(streams, shard);
    expect(all).toHaveLength(8);
    const restarted = await container(table, name);
    expect(await restarted.handle(eventOf(all))).toEqual(OK);

    await follower.waitFor((got) => got.length >= 8, 30_000, 'eight changes');
    expect(sequenceNumbers(follower.records)).toEqual(sequenceNumbersOf(all));
    expect(logLines.some((line) => line.includes(`[${name}]`) && line.includes('5 of 8 records were written before'))).toBe(true);
  });

  it('on a record the broker refuses, points batchItemFailures at the first unwritten record; the retry completes in order', async () => {
    const table = uniqueName('lambda-refused');
    await createTable(dynamodb, table);
    // The topic existed before, with a 64 KiB limit per record batch that the first configuration does not know of.
    const admin = createKafka({ bootstrapServers: stack.kafka.bootstrapServers }, logLevel.NOTHING).admin();
    await admin.connect();
    await ensureTopic(admin, { topic: table, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '65536' } });
    await admin.disconnect();
    const follower = await TopicFollower.follow(stack.kafka.bootstrapServers, table);
    defer(() => follower.close());
    // Random base64 compresses little: the update with both images is over the limit even compressed, one image is not.
    const big = () => ({ S: randomBytes(36_000).toString('base64') });
    await putItems(dynamodb, table, ids(2));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'big' }, blob: big() } }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'big' }, blob: big() } }));
    await putItems(dynamodb, table, ids(1, 2));
    const shard = await streamShard(dynamodb, streams, table);
    const records = await lambdaRecords(streams, shard);
    expect(records).toHaveLength(5);

    // Two records per transaction: the first two are written; the second transaction holds the refused record.
    const name = uniqueName('fn');
    const handler = await container(table, name, { DYNAMODB_KAFKA_MAX_BATCH_SIZE: '2' });
    expect(await handler.handle(eventOf(records))).toEqual(failuresAt(records[2]!));
    expect(logLines.some((line) => line.includes(`[${name}]`) && /too large/.test(line))).toBe(true);

    // Fixed as the error says (the topic's limit configured, so the policy drops the old image) and deployed: a new
    // container, to which Lambda delivers the batch from the record it was told.
    const fixed = await container(table, name, { DYNAMODB_KAFKA_MAX_BATCH_SIZE: '2', DYNAMODB_KAFKA_TOPIC_CREATION_MAX_MESSAGE_BYTES: '65536' });
    expect(await fixed.handle(eventOf(records.slice(2)))).toEqual(OK);

    await follower.waitFor((got) => got.length >= 5, 30_000, 'five changes');
    expect(sequenceNumbers(follower.records)).toEqual(sequenceNumbersOf(records));
    expect(follower.records[3]!.headers[BEFORE_DROPPED_HEADER]).toBe('true');
  });

  it('two containers on one shard: the newer fences the older, which fails its batch whole and fences back on the retry', async () => {
    const { table, follower } = await tableWithFollower('lambda-fenced');
    await putItems(dynamodb, table, ids(1));
    const shard = await streamShard(dynamodb, streams, table);
    const name = uniqueName('fn');
    const older = await container(table, name);
    const newer = await container(table, name);
    let read = 0;
    const nextBatch = async () => {
      await putItems(dynamodb, table, ids(2, 10 + read));
      const batch = (await lambdaRecords(streams, shard)).slice(read);
      read += batch.length;
      return batch;
    };

    const first = await nextBatch();
    expect(await older.handle(eventOf(first))).toEqual(OK);
    const second = await nextBatch();
    expect(await newer.handle(eventOf(second))).toEqual(OK);
    const third = await nextBatch();
    expect(await older.handle(eventOf(third))).toEqual(failuresAt(third[0]!));
    expect(logLines.some((line) => line.includes(`[${name}]`) && line.includes('fenced by another container'))).toBe(true);
    // Lambda retries the batch: the older container's new producer fences the newer one, and its offsets say where.
    expect(await older.handle(eventOf(third))).toEqual(OK);
    // The newer one, given its batch again with the next, knows its own batch is written; it is fenced at the next,
    // and on the retry from there its new producer's offsets show that the older one wrote it.
    expect(await newer.handle(eventOf([...second, ...third]))).toEqual(failuresAt(third[0]!));
    expect(await newer.handle(eventOf(third))).toEqual(OK);

    await follower.waitFor((got) => got.length >= 7, 30_000, 'seven changes');
    expect(sequenceNumbers(follower.records)).toEqual(sequenceNumbersOf([...first, ...second, ...third]));
  });

  it('sends a record that can never convert to the dead-letter topic with Connect headers, and goes on', async () => {
    const { table, follower } = await tableWithFollower('lambda-poison');
    const deadLetters = `${table}-dlq`;
    await putItems(dynamodb, table, ids(3));
    const shard = await streamShard(dynamodb, streams, table);
    const records = await lambdaRecords(streams, shard);
    const poison: LambdaStreamRecord = JSON.parse(JSON.stringify(records[1]));
    poison.dynamodb!.NewImage!.version = { N: 'not a number' };

    const name = uniqueName('fn');
    const handler = await container(table, name, { DYNAMODB_KAFKA_ERRORS_DEADLETTERQUEUE_TOPIC_NAME: deadLetters });
    expect(await handler.handle(eventOf([records[0]!, poison, records[2]!]))).toEqual(OK);

    await follower.waitFor((got) => got.length >= 2, 30_000, 'the two good changes');
    expect(sequenceNumbers(follower.records)).toEqual(sequenceNumbersOf([records[0]!, records[2]!]));
    const dlqFollower = await TopicFollower.follow(stack.kafka.bootstrapServers, deadLetters);
    defer(() => dlqFollower.close());
    await dlqFollower.waitFor((got) => got.length >= 1, 30_000, 'the poison record');
    const [dead] = dlqFollower.records;
    expect(JSON.parse(dead!.value!)).toEqual(poison);
    expect(dead!.key).toBe(JSON.stringify(poison.dynamodb!.Keys));
    expect(dead!.headers).toMatchObject({
      '__connect.errors.topic': table,
      '__connect.errors.connector.name': name,
      '__connect.errors.task.id': shard.shardId,
      '__connect.errors.stage': 'VALUE_CONVERTER',
    });
    expect(dead!.headers['__connect.errors.exception.message']).toMatch(/version/);
  });
});
