import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, PutItemCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbClient, createTaggingClient, type DynamoDbConnection } from '../../../src/adapters/dynamodb/client.js';
import { dynamoDbTableCatalog } from '../../../src/adapters/dynamodb/tags.js';
import { listTopics } from '../../../src/adapters/kafka/client.js';
import { TagTableFinder } from '../../../src/source/discovery.js';
import { isolatedDynamoDb, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { capturingLogger, startSource } from '../../support/source.js';
import { createTable, putItems, type StreamView } from '../../support/tables.js';
import { TopicFollower, type ConsumedRecord } from '../../support/topic-follower.js';

/**
 * TAG discovery against moto, which (unlike DynamoDB Local) keeps tables' tags and serves the Resource Groups
 * Tagging API. Every test tags its tables with its own `suite` value, so tables of other tests never match.
 */
const moto = (): DynamoDbConnection => {
  const { endpoint, region } = inject('stack').moto!;
  return { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
};
const bootstrapServers = () => inject('stack').kafka.bootstrapServers;
const envelopes = (records: ConsumedRecord[]) => records.filter((record) => record.value !== null).map((record) => JSON.parse(record.value!));
/** Snapshot reads; the items' inserts also come again as changes, since CDC reads from shortly before the snapshot. */
const snapshotted = (records: ConsumedRecord[]) => envelopes(records).filter((envelope) => envelope.op === 'r');
const changedIds = (records: ConsumedRecord[]) =>
  envelopes(records).filter((envelope) => envelope.op !== 'r').map((envelope) => JSON.parse(envelope.after.document).id.S as string);
const PERIOD_MS = 1_000;

describe('source: TAG discovery (moto)', () => {
  const dynamodb = createDynamoDbClient(moto());
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    dynamodb.destroy();
  });

  async function taggedTable(prefix: string, tags: Record<string, string>, options: { items?: number; view?: StreamView } = {}) {
    const name = uniqueName(prefix);
    const arn = (await createTable(dynamodb, name, options.view)).TableArn!;
    if (Object.keys(tags).length > 0) await tag(arn, tags);
    const items = options.items ?? 5;
    await putItems(dynamodb, name, Array.from({ length: items }, (_, index) => ({ id: { S: `item-${index}` } })));
    return { name, arn };
  }
  const tag = (arn: string, tags: Record<string, string>) =>
    dynamodb.send(new TagResourceCommand({ ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  const follow = async (table: string) => {
    const follower = await TopicFollower.follow(bootstrapServers(), table);
    cleanups.push(() => follower.close());
    return follower;
  };
  const topicExists = async (topic: string) => (await listTopics({ bootstrapServers: bootstrapServers() }, 10_000)).includes(topic);

  it('replicates only the matching tables of 12, picks up a newly tagged one within a period, lets go of untagged and deleted ones', async () => {
    const suite = randomUUID();
    const filters = [
      { key: 'suite', values: [suite] },
      { key: 'env', values: ['prod', 'staging'] },
    ];
    const matching = await Promise.all([
      ...Array.from({ length: 5 }, () => taggedTable('tag-prod', { suite, env: 'prod', team: 'data' })),
      taggedTable('tag-staging', { suite, env: 'staging' }),
    ]);
    const others = await Promise.all([
      ...Array.from({ length: 3 }, () => taggedTable('tag-dev', { suite, env: 'dev' })),
      taggedTable('tag-noenv', { suite }),
      taggedTable('tag-othersuite', { suite: randomUUID(), env: 'prod' }),
    ]);
    const later = await taggedTable('tag-later', {});

    const tagging = createTaggingClient(moto());
    cleanups.push(async () => tagging.destroy());
    const source = await startSource({
      name: uniqueName('tags'),
      tables: new TagTableFinder({ filters, rediscoveryPeriodMs: PERIOD_MS, catalog: dynamoDbTableCatalog(dynamodb, tagging), log: { warn: (message) => expect.fail(message) } }),
      dynamodb: moto(),
    });
    cleanups.push(() => source.stop());
    const status = () => source.connector.status();

    // Every matching table is snapshotted into its own topic; no other table gets one.
    const followers = new Map(await Promise.all(matching.map(async ({ name }) => [name, await follow(name)] as const)));
    for (const [name, follower] of followers) {
      await follower.waitFor((records) => snapshotted(records).length === 5, 60_000, `the snapshot of ${name}`);
    }
    expect(status().discovery.tables).toEqual(matching.map(({ name }) => name).sort());
    expect(status().discovery.method).toBe(`matching the tag filters suite:${suite};env:prod,staging`);
    for (const { name } of [...others, later]) expect(await topicExists(name), name).toBe(false);

    // Tagging a table while running starts it at the next discovery.
    const taggedAt = Date.now();
    await tag(later.arn, { suite, env: 'prod' });
    await expect.poll(() => status().discovery.tables.includes(later.name), { timeout: 3 * PERIOD_MS + 5_000, interval: 50 }).toBe(true);
    expect(Date.now() - taggedAt).toBeLessThan(PERIOD_MS + 2_000);
    const laterFollower = await follow(later.name);
    await laterFollower.waitFor((records) => snapshotted(records).length === 5, 60_000, `the snapshot of the newly tagged ${later.name}`);

    // Untagging one table and deleting another stops their pipelines; the rest keep following changes.
    const [untagged, deleted, ...kept] = matching;
    await dynamodb.send(new UntagResourceCommand({ ResourceArn: untagged!.arn, TagKeys: ['env'] }));
    await dynamodb.send(new DeleteTableCommand({ TableName: deleted!.name }));
    await expect
      .poll(() => status().tables.map((table) => table.table).sort(), { timeout: 3 * PERIOD_MS + 10_000, interval: 50 })
      .toEqual([...kept.map(({ name }) => name), later.name].sort());
    expect(status().discovery.tables).not.toContain(untagged!.name);

    await dynamodb.send(new PutItemCommand({ TableName: untagged!.name, Item: { id: { S: 'after-untagging' } } }));
    for (const { name } of [...kept, later]) {
      await dynamodb.send(new PutItemCommand({ TableName: name, Item: { id: { S: 'after-untagging' } } }));
    }
    for (const { name } of kept) {
      await followers.get(name)!.waitFor((records) => changedIds(records).includes('after-untagging'), 60_000, `the change in ${name}`);
    }
    await laterFollower.waitFor((records) => changedIds(records).includes('after-untagging'), 60_000, `the change in ${later.name}`);
    // Written before the others' changes, which all arrived: the untagged table's change was not picked up.
    expect(changedIds(followers.get(untagged!.name)!.records)).not.toContain('after-untagging');
    for (const table of status().tables) expect(table.error, table.table).toBeUndefined();
  });

  it('reports a matching table that cannot be replicated once, in the log and in the status, without retrying it hot', async () => {
    const suite = randomUUID();
    const noStream = await taggedTable('tag-nostream', { suite }, { view: 'none' });
    const good = await taggedTable('tag-good', { suite });
    const lines: string[] = [];
    const source = await startSource({
      name: uniqueName('tags-bad'),
      tables: new TagTableFinder({
        filters: [{ key: 'suite', values: [suite] }],
        rediscoveryPeriodMs: 200,
        catalog: dynamoDbTableCatalog(dynamodb, createTaggingClient(moto())),
        log: { warn: (message) => lines.push(message) },
      }),
      dynamodb: moto(),
      log: capturingLogger(lines),
    });
    cleanups.push(() => source.stop());
    const follower = await follow(good.name);
    await follower.waitFor((records) => snapshotted(records).length === 5, 60_000, `the snapshot of ${good.name}`);
    const errorOf = () => source.connector.status().tables.find((table) => table.table === noStream.name)?.error ?? '';
    await expect.poll(errorOf, { timeout: 30_000 }).toMatch(new RegExp(`table ${noStream.name} has no DynamoDB stream`));

    // Ten more discovery runs change nothing: the table is still found, still reported, logged only once.
    const runs = (source.connector.status().discovery.lastRunAt ?? 0) + 10 * 200;
    await expect.poll(() => source.connector.status().discovery.lastRunAt ?? 0, { timeout: 30_000 }).toBeGreaterThan(runs);
    expect(lines.filter((line) => line.includes(`table ${noStream.name} has no DynamoDB stream`))).toHaveLength(1);
    expect(source.connector.status().discovery.tables).toEqual([good.name, noStream.name].sort());
    expect(errorOf()).toMatch(/has no DynamoDB stream/);
  });

  it('falls back to ListTables + ListTagsOfResource when the Tagging API cannot be reached, and a whole `run` works that way', async () => {
    const suite = randomUUID();
    const matching = await Promise.all([
      taggedTable('tag-fallback', { suite, 'datalake-ingest': 'true', environment: 'dev' }),
      taggedTable('tag-fallback', { suite, 'datalake-ingest': 'yes', environment: 'dev' }),
    ]);
    await taggedTable('tag-fallback-prod', { suite, 'datalake-ingest': 'true', environment: 'prod' });
    await taggedTable('tag-fallback-noingest', { suite, environment: 'dev' });
    const expected = matching.map(({ name }) => name).sort();

    // Directly: a Tagging API endpoint nobody listens on.
    const warnings: string[] = [];
    const unreachable = createTaggingClient({ ...moto(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const finder = new TagTableFinder({
      filters: [{ key: 'suite', values: [suite] }, { key: 'datalake-ingest', values: [] }, { key: 'environment', values: ['dev'] }],
      rediscoveryPeriodMs: PERIOD_MS,
      catalog: dynamoDbTableCatalog(dynamodb, unreachable),
      log: { warn: (message) => warnings.push(message) },
    });
    expect(await finder.find()).toEqual(expected);
    expect(await finder.find()).toEqual(expected);
    unreachable.destroy();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ListTables \+ ListTagsOfResource instead/);

    // As an operator runs it: trustpilot's keys, a custom DynamoDB endpoint and no tagging endpoint.
    const name = uniqueName('tags-cli');
    const credentials = moto().credentials as { accessKeyId: string; secretAccessKey: string };
    const run = ConnectorProcess.start(name, {
      'connector.class': 'com.trustpilot.connector.dynamodb.DynamoDBSourceConnector',
      'dynamodb.table.env.tag.key': 'environment',
      'dynamodb.table.env.tag.value': 'dev',
      'dynamodb.table.ingestion.tag.key': 'datalake-ingest',
      'dynamodb.table.discovery.mode': 'TAG',
      'dynamodb.table.tag.filters': `suite:${suite}`,
      'connect.dynamodb.rediscovery.period': String(PERIOD_MS),
      'bootstrap.servers': bootstrapServers(),
      'dynamodb.service.endpoint': moto().endpoint!,
      'aws.region': moto().region,
      'aws.access.key.id': credentials.accessKeyId,
      'aws.secret.access.key': credentials.secretAccessKey,
      'offset.storage.topic': `${name}-offsets`,
    });
    cleanups.push(async () => void (await run.stop('SIGKILL')));
    for (const table of expected) {
      const follower = await follow(`dynamodb-${table}`); // trustpilot's default topic prefix
      await follower.waitFor((records) => snapshotted(records).length === 5, 60_000, `the snapshot of ${table} through \`run\``);
    }
    expect(run.output).toMatch(/ListTables \+ ListTagsOfResource/);
    expect(await run.stop()).toBe(0);
  });

  it('says plainly that DynamoDB Local keeps no tags', async () => {
    const local = createDynamoDbClient(isolatedDynamoDb('tagslocal'));
    await createTable(local, uniqueName('tag-local'));
    const finder = new TagTableFinder({ filters: [{ key: 'env', values: [] }], rediscoveryPeriodMs: PERIOD_MS, catalog: dynamoDbTableCatalog(local), log: { warn: () => undefined } });
    await expect(finder.find()).rejects.toThrow(/keeps no tags.*dynamodb\.table\.includelist/);
    local.destroy();
  });
});
