// What a source test sees once an independent deserializer has read the records changeEveryWay produced.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, inject } from 'vitest';
import type { DynamoDbConnection } from '../../src/adapters/dynamodb/client.js';
import { fromDynamoDbJson } from '../../src/domain/attribute-codec.js';
import type { RecordFormat } from '../../src/formats/ports.js';
import { uniqueName } from './aws.js';
import { changeEveryWay, richItem } from './format-fixtures.js';
import { startSource } from './source.js';
import { createTable, type Item } from './tables.js';
import { TopicFollower, type ConsumedRecord } from './topic-follower.js';

/** A record as a Schema-Registry deserializer gives it: the key's fields, the envelope (null: a tombstone). */
export interface ReadRecord {
  key: any;
  value: any;
}

/**
 * The records, after the snapshot read, end with changeEveryWay's changes and the delete's tombstone; replaying
 * their after documents by key gives the table's items exactly (`items`, as scanned). Returns the last four
 * envelopes: the put, the update, the second put and the delete.
 */
export function expectReadBackEqualsTable(read: readonly ReadRecord[], items: readonly Item[]): any[] {
  const ops = read.map((record) => record.value?.op ?? null);
  expect(ops[0]).toBe('r');
  expect(ops.slice(-5)).toEqual(['c', 'u', 'c', 'd', null]);
  const state = new Map<string, Item>();
  for (const { key, value } of read) {
    const id = `${key.pk}|${key.sk}`;
    if (value === null || value.op === 'd') state.delete(id);
    else state.set(id, fromDynamoDbJson(JSON.parse(value.after.document)));
  }
  expect(new Map(items.map((item) => [`${item.pk!.S}|${item.sk!.N}`, item]))).toEqual(state);
  const changes = read.slice(-5, -1).map((record) => record.value);
  const updated = changes[1];
  expect(JSON.parse(updated.before.document).text).toEqual({ S: '' });
  expect(JSON.parse(updated.after.document).text).toEqual({ S: 'changed' });
  return changes;
}

/**
 * Runs a source in `format` on a new table holding richItem('first'), applies changeEveryWay once the snapshot read
 * is out (after `onSnapshotRead`, when given), and returns every record up to the delete's tombstone. The first
 * item's insert may come twice (snapshot read, then its stream record: the hand-off replays the minutes before the
 * snapshot); the tombstone comes last.
 */
export async function captureEveryWay(
  suite: { connection: DynamoDbConnection; dynamodb: DynamoDBClient; defer: (cleanup: () => Promise<void>) => void },
  prefix: string,
  format: RecordFormat,
  onSnapshotRead?: (table: string) => Promise<void>,
): Promise<{ table: string; records: ConsumedRecord[] }> {
  const { connection, dynamodb, defer } = suite;
  const table = uniqueName(prefix);
  await createTable(dynamodb, table, 'NEW_AND_OLD_IMAGES', { hashKey: 'pk', rangeKey: 'sk' }, { sk: 'N' });
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: richItem('first') }));
  const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, table);
  defer(() => follower.close());
  const source = await startSource({ name: uniqueName(prefix), tables: [table], dynamodb: connection, format });
  defer(() => source.stop());
  await follower.waitFor((records) => records.length >= 1, 60_000, 'the snapshot read');
  await onSnapshotRead?.(table);
  await changeEveryWay(dynamodb, table);
  await follower.waitFor((records) => records.some((record) => record.bytes.value === null), 60_000, 'the tombstone after the delete');
  return { table, records: follower.records };
}
