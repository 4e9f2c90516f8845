import { PutItemCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { startSource } from '../../support/source.js';
import { createTable } from '../../support/tables.js';
import { TopicFollower } from '../../support/topic-follower.js';

describe('source: TTL expiries', () => {
  const { connection, dynamodb, defer } = suiteResources('ttl');

  it('flags deletes made by DynamoDB TTL, and only those', async () => {
    const table = uniqueName('ttl');
    await createTable(dynamodb, table);
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
    const source = await startSource({ name: uniqueName('ttl'), tables: [table], dynamodb: connection });
    defer(() => source.stop());
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
    defer(() => follower.close());

    const expiresAt = Math.floor(Date.now() / 1000) + 1;
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'short-lived' }, expiresAt: { N: String(expiresAt) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'kept' }, expiresAt: { N: String(expiresAt + 86_400) } } }));

    const deletes = () => follower.records.filter((record) => record.value && JSON.parse(record.value).op === 'd').map((record) => JSON.parse(record.value!));
    await follower.waitFor(() => deletes().length === 1, 60_000, 'the TTL delete');
    const [expired] = deletes();
    expect(expired.source.ttl_expired).toBe(true);
    expect(JSON.parse(expired.before.document).id).toEqual({ S: 'short-lived' });
    const inserts = follower.records.filter((record) => record.value && JSON.parse(record.value).op === 'c').map((record) => JSON.parse(record.value!));
    expect(inserts.map((insert) => insert.source.ttl_expired)).toEqual([false, false]);
  });
});
