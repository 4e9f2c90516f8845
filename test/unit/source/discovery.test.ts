import { describe, expect, it } from 'vitest';
import type { TagFilter } from '../../../src/domain/tag-match.js';
import { AwsError } from '../../../src/domain/aws-error.js';
import { includeListFinder, TagTableFinder, formatTagFilters } from '../../../src/source/discovery.js';
import { InMemoryTableCatalog } from '../../support/fakes/source-ports.js';

const tables = {
  orders: { env: 'prod' },
  users: { env: 'prod', team: 'data' },
  sessions: { env: 'dev' },
  audit: {},
  events: { env: 'staging' },
};

/** The catalog holding `tables`, and a finder over it that records its warnings. */
function world(filters: TagFilter[], options: { taggingApi?: boolean } = {}) {
  const catalog = new InMemoryTableCatalog(options);
  for (const [name, tags] of Object.entries(tables)) catalog.tag(name, tags);
  const warnings: string[] = [];
  const finder = new TagTableFinder({ filters, rediscoveryPeriodMs: 1_000, catalog, log: { warn: (message) => warnings.push(message) } });
  return { catalog, finder, warnings };
}

describe('TagTableFinder', () => {
  it("without a Tagging API: lists the tables and looks up their tags, every filter AND, a filter's values OR; sorted", async () => {
    const { catalog, finder, warnings } = world([
      { key: 'env', values: ['prod', 'staging'] },
      { key: 'team', values: [] },
    ]);
    expect(await finder.find()).toEqual(['users']);
    expect(catalog.calls.filter((call) => call === 'tagsOf')).toHaveLength(5);

    const anyEnv = world([{ key: 'env', values: ['prod', 'staging'] }]);
    expect(await anyEnv.finder.find()).toEqual(['events', 'orders', 'users']);
    expect(warnings).toEqual([]);
  });

  it('asks the Tagging API when there is one, and then lists nothing', async () => {
    const { catalog, finder } = world([{ key: 'env', values: ['prod'] }], { taggingApi: true });
    expect(await finder.find()).toEqual(['orders', 'users']);
    expect(catalog.calls).toEqual(['findByTags']);
  });

  it('answers each run with the tables as they are then: a newly tagged one appears, an untagged or deleted one goes', async () => {
    for (const taggingApi of [false, true]) {
      const { catalog, finder } = world([{ key: 'env', values: ['prod'] }], { taggingApi });
      expect(await finder.find()).toEqual(['orders', 'users']);
      catalog.tag('sessions', { env: 'prod' });
      catalog.tag('later', { env: 'prod' });
      expect(await finder.find()).toEqual(['later', 'orders', 'sessions', 'users']);
      catalog.tag('users', { team: 'data' });
      catalog.remove('orders');
      expect(await finder.find(), `taggingApi ${taggingApi}`).toEqual(['later', 'sessions']);
    }
  });

  it.each([
    ['unreachable', 'connect ECONNREFUSED 127.0.0.1:9'],
    ['unsupported', 'UnknownOperationException'],
    ['auth', 'not authorized to perform: tag:GetResources'],
  ] as const)('falls back for good, with one warning, when the Tagging API is %s', async (kind, message) => {
    const { catalog, finder, warnings } = world([{ key: 'team', values: [] }], { taggingApi: true });
    catalog.fail('findByTags', new AwsError(kind, message));
    expect(await finder.find()).toEqual(['users']);
    expect(await finder.find()).toEqual(['users']);
    expect(catalog.calls.filter((call) => call === 'findByTags')).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(message);
    expect(warnings[0]).toMatch(/ListTables \+ ListTagsOfResource instead/);
  });

  it('does not fall back on a failure the fallback would share (a bad request), nor on one that may pass', async () => {
    const { catalog, finder, warnings } = world([{ key: 'env', values: [] }], { taggingApi: true });
    catalog.fail('findByTags', new AwsError('invalid', 'TagFilters is invalid'), new AwsError('throttled', 'Rate exceeded'));
    await expect(finder.find()).rejects.toThrow(/TagFilters is invalid/);
    await expect(finder.find()).rejects.toThrow(/Rate exceeded/);
    // The failures were the run's, not the API's: the next run asks it again.
    expect(await finder.find()).toEqual(['events', 'orders', 'sessions', 'users']);
    expect(catalog.calls).toEqual(['findByTags', 'findByTags', 'findByTags']);
    expect(warnings).toEqual([]);
  });

  it('skips a table deleted between the listing and its tag lookup, without losing the others', async () => {
    const { catalog, finder } = world([{ key: 'env', values: ['prod'] }]);
    catalog.tag('gone', { env: 'prod' });
    catalog.afterListing = () => catalog.remove('gone');
    expect(await finder.find()).toEqual(['orders', 'users']);
  });

  it('fails the run when a listing or a lookup fails otherwise, and the next run starts afresh', async () => {
    const { catalog, finder } = world([{ key: 'env', values: ['prod'] }]);
    catalog.fail('listTables', new AwsError('throttled', 'ListTables: ThrottlingException'));
    await expect(finder.find()).rejects.toMatchObject({ kind: 'throttled', message: 'ListTables: ThrottlingException' });
    catalog.fail('tagsOf', new AwsError('transient', 'ListTagsOfResource orders: 503'));
    await expect(finder.find()).rejects.toThrow(/503/);
    expect(await finder.find()).toEqual(['orders', 'users']);
  });

  it('says plainly that an endpoint without tags (DynamoDB Local) cannot do TAG discovery, and what to use instead', async () => {
    const { catalog, finder } = world([{ key: 'env', values: [] }]);
    catalog.fail('tagsOf', new AwsError('unsupported', 'ListTagsOfResource: UnknownOperationException'));
    const failure = await finder.find().catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'AwsError', kind: 'unsupported' });
    expect((failure as Error).message).toMatch(/UnknownOperationException: this DynamoDB endpoint keeps no tags.*list them in dynamodb\.table\.includelist/);
  });

  it("looks up at most 8 tables' tags at once", async () => {
    const { catalog, finder } = world([{ key: 'env', values: ['prod'] }]);
    for (let i = 0; i < 30; i++) catalog.tag(`extra-${i}`, { env: i % 2 === 0 ? 'prod' : 'dev' });
    expect(await finder.find()).toHaveLength(17);
    expect(catalog.maxTagLookupsAtOnce).toBe(8);
  });

  it('describes its filters in the configuration syntax', () => {
    expect(formatTagFilters([{ key: 'env', values: ['prod', 'staging'] }, { key: 'team', values: [] }])).toBe('env:prod,staging;team');
    expect(world([{ key: 'env', values: ['prod'] }]).finder.description).toBe('matching the tag filters env:prod');
  });
});

describe('includeListFinder', () => {
  it('returns the listed tables and never asks again', async () => {
    const finder = includeListFinder(['a', 'b']);
    expect(await finder.find()).toEqual(['a', 'b']);
    expect(finder.rediscoveryPeriodMs).toBeUndefined();
  });
});
