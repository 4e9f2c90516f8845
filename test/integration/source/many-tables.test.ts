import { readFileSync } from 'node:fs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { createTable, putItems } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

const TABLES = 50;
const ITEMS = 20;

/** Peak resident memory of a process (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

const countBy = (records: ConsumedRecord[], op: (envelope: { op: string }) => boolean) => {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.value === null || !op(JSON.parse(record.value))) continue;
    counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
  }
  return counts;
};

describe('source: many tables in one process', () => {
  const { connection, dynamodb, defer } = suiteResources('manytables');

  it(`snapshots ${TABLES} tables and follows changes in all of them from one \`run\``, async () => {
    const prefix = uniqueName('many');
    const tables = Array.from({ length: TABLES }, (_, index) => `${prefix}-${String(index).padStart(2, '0')}`);
    for (const table of tables) {
      await createTable(dynamodb, table);
      await putItems(dynamodb, table, Array.from({ length: ITEMS }, (_, item) => ({ id: { S: `item-${item}` }, table: { S: table } })));
    }

    const startedAt = Date.now();
    const run = ConnectorProcess.start(prefix, {
      'connector.class': 'DynamoDbSource',
      'dynamodb.table.includelist': tables.join(','),
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'dynamodb.service.endpoint': connection.endpoint!,
      'aws.region': connection.region,
      'aws.access.key.id': (connection.credentials as { accessKeyId: string }).accessKeyId,
      'aws.secret.access.key': 'local',
      'offset.storage.topic': `${prefix}-offsets`,
    });
    defer(async () => void (await run.stop('SIGKILL')));
    const follower = await TopicFollower.follow(inject('stack').kafka.bootstrapServers, tables);
    defer(() => follower.close());

    const snapshots = (records: ConsumedRecord[]) => countBy(records, (envelope) => envelope.op === 'r');
    await follower.waitFor(
      (records) => tables.every((table) => snapshots(records).get(table) === ITEMS),
      240_000,
      `${ITEMS} snapshot records in each of the ${TABLES} topics`,
    );
    const snapshotSeconds = (Date.now() - startedAt) / 1000;

    for (const table of tables) {
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'changed-later' }, table: { S: table } } }));
    }
    const laterChanges = (records: ConsumedRecord[]) =>
      countBy(records, (envelope) => envelope.op === 'c' && (envelope as { after?: { document: string } }).after!.document.includes('changed-later'));
    await follower.waitFor(
      (records) => tables.every((table) => laterChanges(records).get(table) === 1),
      120_000,
      `the later change in each of the ${TABLES} topics`,
    );

    // Every record landed in its own table's topic.
    for (const record of follower.records.filter((record) => record.value !== null)) {
      expect(JSON.parse(JSON.parse(record.value!).after.document).table.S).toBe(record.topic);
    }
    const peak = peakRssMiB(run.pid);
    console.log(`${TABLES} tables × ${ITEMS} items: all snapshots in ${snapshotSeconds.toFixed(1)} s from start; peak RSS ${peak.toFixed(0)} MiB`);
    expect(peak).toBeLessThan(1024);
    expect(await run.stop()).toBe(0);
  });
});
