import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { startSource } from '../../support/source.js';
import { createTable } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('source: the change envelope on the wire', () => {
  const { connection, dynamodb, defer } = suiteResources('envelope');

  it('keys records by the primary key and fills before/after per the stream view (NEW_IMAGE, plain JSON documents)', async () => {
    const table = uniqueName('envelope');
    await createTable(dynamodb, table, 'NEW_IMAGE', { hashKey: 'pk', rangeKey: 'sk' });
    const source = await startSource({
      name: uniqueName('envelope'),
      tables: [table],
      dynamodb: connection,
      overrides: { syncMode: 'CDC', document: 'json' },
    });
    defer(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());

    const key = { pk: { S: 'customer#1' }, sk: { S: 'order#7' } };
    const big = '12345678901234567890123456789012345678';
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { sk: key.sk, pk: key.pk, total: { N: big }, lines: { L: [{ M: { qty: { N: '2' } } }] } } }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...key, total: { N: '1.5' }, flags: { BS: [Uint8Array.from([1, 2])] } } }));
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: key }));
    await follower.waitFor((records) => records.length === 4, 60_000, 'c, u, d and a tombstone');

    expect(follower.records.map((record) => record.key)).toEqual(Array(4).fill('{"pk":"customer#1","sk":"order#7"}'));
    const [created, updated, deleted, tombstone] = follower.records.map((record) => (record.value === null ? null : JSON.parse(record.value)));
    expect(tombstone).toBeNull();
    expect([created.op, updated.op, deleted.op]).toEqual(['c', 'u', 'd']);
    // The number keeps all 38 digits: the document's text, not a JS double.
    expect(follower.records[0]!.value).toContain(`\\"total\\":${big}`);
    expect(JSON.parse(created.after.document)).toMatchObject({ pk: 'customer#1', sk: 'order#7', lines: [{ qty: 2 }] });
    expect(updated.before).toBeNull(); // NEW_IMAGE streams carry no old image
    expect(JSON.parse(updated.after.document)).toEqual({ pk: 'customer#1', sk: 'order#7', total: 1.5, flags: ['AQI='] });
    expect(JSON.parse(deleted.before.document)).toEqual({ pk: 'customer#1', sk: 'order#7' }); // the keys of what was deleted
    expect(deleted.after).toBeNull();
    for (const envelope of [created, updated, deleted]) {
      expect(Object.keys(envelope)).toEqual(['op', 'ts_ms', 'ts_us', 'ts_ns', 'source', 'before', 'after']);
      expect(envelope.source).toMatchObject({ tableName: table, sync_mode: 'CDC', snapshotCount: null, ttl_expired: false });
      expect(envelope.source.shard_Id).toMatch(/^shardId-/);
      expect(envelope.source.seq_No).toMatch(/^\d+$/);
      expect(envelope.ts_us).toBe(envelope.ts_ms * 1000);
    }
  });
});
