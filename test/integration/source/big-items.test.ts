import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { ensureTopic } from '../../../src/adapters/kafka/admin.js';
import { serializeDynamoDbJson } from '../../../src/domain/attribute-codec.js';
import { BEFORE_DROPPED_HEADER } from '../../../src/source/oversized-records.js';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { capturingLogger, startSource, type SourceUnderTest } from '../../support/source.js';
import { createTable, type Item } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

/** DynamoDB's item size limit: attribute names and values, in bytes. */
const MAX_ITEM_BYTES = 400 * 1024;

/** Just under the limit with 7-byte attributes (a 6-character name, a 1-character string). */
function manySmallAttributes(id: string, value: string): Item {
  const item: Item = { id: { S: id } };
  const count = Math.floor((MAX_ITEM_BYTES - 2 - id.length) / 7) - 50;
  for (let index = 0; index < count; index++) item[`a${String(index).padStart(5, '0')}`] = { S: value };
  return item;
}

/** Just under the limit with one binary attribute. */
function oneLargeBinary(id: string, bytes = MAX_ITEM_BYTES - 2 - id.length - 1 - 200): Item {
  return { id: { S: id }, b: { B: randomBytes(bytes) } };
}

/** Roughly `bytes` of item: a binary attribute of that size. */
function binaryItem(id: string, bytes: number): Item {
  return { id: { S: id }, b: { B: randomBytes(bytes) } };
}

function envelopeOf(record: ConsumedRecord) {
  return JSON.parse(record.value!) as { op: string; before: { document: string } | null; after: { document: string } | null; source: { seq_No: string } };
}

const byKey = (id: string) => (record: ConsumedRecord) => record.key === JSON.stringify({ id });

describe('source: changes as large as DynamoDB allows', () => {
  const { connection, dynamodb, defer } = suiteResources('bigitems');
  const bootstrapServers = () => inject('stack').kafka.bootstrapServers;

  async function follow(topic: string) {
    const follower = await TopicFollower.follow(bootstrapServers(), topic);
    defer(() => follower.close());
    return follower;
  }

  async function source(table: string, overrides: Parameters<typeof startSource>[0]['overrides'], log?: string[]): Promise<SourceUnderTest> {
    const started = await startSource({
      name: uniqueName('bigitems'),
      tables: [table],
      dynamodb: connection,
      overrides,
      ...(log ? { log: capturingLogger(log) } : {}),
    });
    defer(() => started.stop());
    return started;
  }

  it('refuses an item above 400 KB, so the items below are the largest there can be', async () => {
    const table = uniqueName('limit');
    await createTable(dynamodb, table);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: manySmallAttributes('many', 'x') }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: oneLargeBinary('bin') }));
    await expect(dynamodb.send(new PutItemCommand({ TableName: table, Item: oneLargeBinary('bin', MAX_ITEM_BYTES) }))).rejects.toThrow(/size/i);
  });

  for (const format of ['dynamodb-json', 'json'] as const) {
    it(`writes snapshot reads, creates and overwrites of the largest items with both images, then keeps streaming (${format})`, async () => {
      const table = uniqueName('big');
      await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES');
      const many = manySmallAttributes('many', 'x');
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: many }));
      const follower = await follow(table);
      const running = await source(table, { document: format });
      await follower.waitFor((records) => records.some((record) => envelopeOf(record).op === 'r'), 60_000, 'the snapshot of the big item');

      const manyAgain = manySmallAttributes('many', 'y');
      const binary = oneLargeBinary('bin');
      const binaryAgain = oneLargeBinary('bin');
      for (const Item of [manyAgain, binary, binaryAgain, { id: { S: 'small' } }]) await dynamodb.send(new PutItemCommand({ TableName: table, Item }));
      await follower.waitFor((records) => records.some(byKey('small')), 60_000, 'the small item written after the big ones');

      const document = (item: Item) => JSON.parse(serializeDynamoDbJson(item));
      const parsed = (text: string) => JSON.parse(text);
      const updateOf = (id: string) => follower.records.filter(byKey(id)).map(envelopeOf).find((envelope) => envelope.op === 'u')!;
      const manyUpdate = updateOf('many');
      if (format === 'dynamodb-json') {
        expect(parsed(manyUpdate.before!.document)).toEqual(document(many));
        expect(parsed(manyUpdate.after!.document)).toEqual(document(manyAgain));
        const binaryUpdate = updateOf('bin');
        expect(parsed(binaryUpdate.before!.document)).toEqual(document(binary));
        expect(parsed(binaryUpdate.after!.document)).toEqual(document(binaryAgain));
      } else {
        expect(Object.keys(parsed(manyUpdate.before!.document))).toHaveLength(Object.keys(many).length);
        expect(parsed(manyUpdate.after!.document).a00000).toBe('y');
        const binaryUpdate = updateOf('bin');
        expect(parsed(binaryUpdate.before!.document).b).toBe(Buffer.from(binary.b!.B!).toString('base64'));
        expect(parsed(binaryUpdate.after!.document).b).toBe(Buffer.from(binaryAgain.b!.B!).toString('base64'));
      }
      // The largest changes fit whole: nothing was trimmed, and the table is still healthy.
      expect(follower.records.some((record) => record.headers[BEFORE_DROPPED_HEADER] !== undefined)).toBe(false);
      const status = running.connector.status().tables[0]!;
      expect(status).toMatchObject({ state: 'STREAMING' });
      expect(status.oversized).toBeUndefined();
    });
  }

  it('over a smaller limit: drops the old image first, then sends a reference to the dead-letter topic, and goes on', async () => {
    const table = uniqueName('trim');
    const deadLetterTopic = `${table}-dlq`;
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES');
    const follower = await follow(table);
    const deadLetters = await follow(deadLetterTopic);
    const log: string[] = [];
    const running = await source(
      table,
      { syncMode: 'CDC', records: { maxMessageBytes: 300_000, policy: 'dead-letter', deadLetterTopic } },
      log,
    );
    // 160 KB of base64 per image: one image fits in 300 KB, two do not. 320 KB of base64 fits nowhere.
    const first = binaryItem('trimmed', 120_000);
    const second = binaryItem('trimmed', 120_000);
    const huge = binaryItem('huge', 240_000);
    for (const Item of [first, second, huge, { id: { S: 'after' } }]) await dynamodb.send(new PutItemCommand({ TableName: table, Item }));
    await follower.waitFor((records) => records.some(byKey('after')), 60_000, 'the item written after the oversized ones');
    await deadLetters.waitFor((records) => records.length === 1, 30_000, 'the dead-letter reference');

    const trimmed = follower.records.filter(byKey('trimmed'));
    expect(trimmed.map((record) => envelopeOf(record).op)).toEqual(['c', 'u']);
    expect(trimmed[0]!.headers[BEFORE_DROPPED_HEADER]).toBeUndefined(); // a create has no old image to drop
    expect(trimmed[1]!.headers[BEFORE_DROPPED_HEADER]).toBe('true');
    expect(envelopeOf(trimmed[1]!).before).toBeNull();
    expect(JSON.parse(envelopeOf(trimmed[1]!).after!.document)).toEqual(JSON.parse(serializeDynamoDbJson(second)));
    expect(follower.records.some(byKey('huge'))).toBe(false);

    const [reference] = deadLetters.records;
    expect(reference!.key).toBe('{"id":"huge"}');
    const described = JSON.parse(reference!.value!);
    expect(described).toMatchObject({ table, topic: table, event: 'INSERT', key: '{"id":"huge"}', maxMessageBytes: 300_000 });
    expect(described.sequenceNumber).toMatch(/^\d+$/);
    expect(described.sizeBytes).toBeGreaterThan(300_000);
    expect(reference!.headers['__connect.errors.exception.message']).toContain(`table ${table}`);
    expect(running.connector.status().tables[0]!.oversized).toEqual({ beforeDropped: 1, deadLettered: 1 });
    expect(log.filter((line) => line.startsWith('WARN') && line.includes('max.message.bytes'))).toHaveLength(2);
  });

  it('stops the table, naming the change, when a change does not fit even without its old image (drop-before)', async () => {
    const table = uniqueName('stop');
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES');
    const follower = await follow(table);
    const running = await source(table, { syncMode: 'CDC', records: { maxMessageBytes: 300_000, policy: 'drop-before' } });
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'before' } } }));
    await follower.waitFor((records) => records.some(byKey('before')), 60_000, 'the item before the oversized one');
    for (const Item of [binaryItem('huge', 240_000), { id: { S: 'after' } }]) await dynamodb.send(new PutItemCommand({ TableName: table, Item }));
    await expect.poll(() => running.connector.status().tables[0]!.error ?? '', { timeout: 30_000 }).toMatch(/key \{"id":"huge"\} \(INSERT at shard shardId-\S+, sequence number \d+\)/);
    expect(running.connector.status().tables[0]!.error).toContain('oversized.record.policy=dead-letter');
    // Nothing after it was written past it: the table waits for a person, with its offsets before the change.
    expect(follower.records.some(byKey('after'))).toBe(false);
  });

  it('fails loudly, instead of stalling, when the broker refuses a record its topic is too small for', async () => {
    const table = uniqueName('refused');
    await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES');
    // A topic made before, by someone else, with a limit below the connector's.
    const admin = createKafka({ bootstrapServers: bootstrapServers() }, logLevel.NOTHING).admin();
    await admin.connect();
    defer(() => admin.disconnect());
    await ensureTopic(admin, { topic: table, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '100000' } });
    const running = await source(table, { syncMode: 'CDC' });
    await expect.poll(() => running.connector.status().tables[0]?.state, { timeout: 30_000 }).toBe('STREAMING');
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: binaryItem('big', 150_000) }));
    await expect
      .poll(() => running.connector.status().tables[0]!.error ?? '', { timeout: 30_000 })
      .toContain('Kafka refused a record as too large');
    expect(running.connector.status().tables[0]!.error).toContain('topic.creation.max.message.bytes');
  });
});
