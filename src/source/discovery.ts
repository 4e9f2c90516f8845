import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { AwsError } from '../domain/aws-error.js';
import { describeTable } from '../adapters/dynamodb/tables.js';
import { listTableNames, tablesByTags, tagsOfTable } from '../adapters/dynamodb/tags.js';
import type { TagFilter } from '../config/tag-filters.js';
import { matchesTagFilters } from '../domain/tag-match.js';

/**
 * Finds the tables a source connector replicates. The connector asks again every `rediscoveryPeriodMs` and
 * starts or stops table pipelines as the answer changes.
 */
export interface TableFinder {
  /** How the tables are chosen, for log lines and error messages ("listed in dynamodb.table.includelist"). */
  readonly description: string;
  /** How often to look again; undefined when the answer cannot change (an include list). */
  readonly rediscoveryPeriodMs: number | undefined;
  find(): Promise<string[]>;
}

/** INCLUDELIST discovery: exactly the configured tables, once. */
export function includeListFinder(tables: readonly string[]): TableFinder {
  return {
    description: 'listed in dynamodb.table.includelist',
    rediscoveryPeriodMs: undefined,
    find: async () => [...tables],
  };
}

export interface TagFinderOptions {
  filters: readonly TagFilter[];
  rediscoveryPeriodMs: number;
  dynamodb: DynamoDBClient;
  /** The Resource Groups Tagging API; absent: go straight to ListTables + ListTagsOfResource. */
  tagging?: ResourceGroupsTaggingAPIClient;
  log: { warn(message: string): void };
}

/** How many tables' tags are asked for at once when the Tagging API is not used. */
const TAG_LOOKUP_CONCURRENCY = 8;

/**
 * TAG discovery: the tables whose tags match every filter. It asks the Resource Groups Tagging API (one
 * paginated call for the whole account) and, where that API is not available, falls back for good to
 * ListTables + ListTagsOfResource per table.
 */
export class TagTableFinder implements TableFinder {
  readonly description: string;
  readonly rediscoveryPeriodMs: number;
  private useTaggingApi: boolean;
  /** `arn:…:table/`, learnt from one DescribeTable (of `table`): every other table's ARN follows from its name. */
  private tableArnPrefix?: { table: string; prefix: Promise<string> };

  constructor(private readonly options: TagFinderOptions) {
    this.description = `matching the tag filters ${formatTagFilters(options.filters)}`;
    this.rediscoveryPeriodMs = options.rediscoveryPeriodMs;
    this.useTaggingApi = options.tagging !== undefined;
  }

  async find(): Promise<string[]> {
    if (this.useTaggingApi) {
      try {
        return sortedUnique(await tablesByTags(this.options.tagging!, this.options.filters));
      } catch (error) {
        if (!taggingApiMissing(error)) throw error;
        this.options.log.warn(
          `${(error as Error).message}; discovering tables with ListTables + ListTagsOfResource instead ` +
            `(set aws.resource.tagging.endpoint, or allow tag:GetResources, to use the Tagging API)`,
        );
        this.useTaggingApi = false;
      }
    }
    return this.findByListingTables();
  }

  private async findByListingTables(): Promise<string[]> {
    const { dynamodb, filters } = this.options;
    const names = await listTableNames(dynamodb);
    const matching: string[] = [];
    let next = 0;
    const lookUp = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        const tags = await this.tagsOf(name);
        if (tags && matchesTagFilters(tags, filters)) matching.push(name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(TAG_LOOKUP_CONCURRENCY, names.length) }, lookUp));
    return sortedUnique(matching);
  }

  /** The table's tags; undefined when it was deleted after ListTables named it. */
  private async tagsOf(name: string): Promise<Record<string, string> | undefined> {
    try {
      return await tagsOfTable(this.options.dynamodb, await this.arnOf(name));
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'not-found') return undefined;
      if (error instanceof AwsError && error.kind === 'unsupported') {
        throw new AwsError(
          'unsupported',
          `${error.message}: this DynamoDB endpoint keeps no tags (DynamoDB Local supports none), so ` +
            `dynamodb.table.discovery.mode=TAG cannot find tables there; list them in dynamodb.table.includelist`,
          error,
        );
      }
      throw error;
    }
  }

  /** The table's ARN. One DescribeTable is shared by the concurrent lookups and forgotten when it fails. */
  private async arnOf(name: string): Promise<string> {
    for (;;) {
      const learning = (this.tableArnPrefix ??= {
        table: name,
        prefix: describeTable(this.options.dynamodb, name).then((table) => table.arn.replace(/table\/.*$/, 'table/')),
      });
      try {
        return `${await learning.prefix}${name}`;
      } catch (error) {
        if (this.tableArnPrefix === learning) this.tableArnPrefix = undefined;
        // Another table, deleted meanwhile, said nothing about this one: learn the prefix from this one.
        if (learning.table !== name && error instanceof AwsError && error.kind === 'not-found') continue;
        throw error;
      }
    }
  }
}

/** Failures that mean "no Tagging API here" rather than "discovery failed": the fallback may still work. */
function taggingApiMissing(error: unknown): boolean {
  return error instanceof AwsError && (error.kind === 'unsupported' || error.kind === 'unreachable' || error.kind === 'auth');
}

export function formatTagFilters(filters: readonly TagFilter[]): string {
  return filters.map((filter) => (filter.values.length > 0 ? `${filter.key}:${filter.values.join(',')}` : filter.key)).join(';');
}

function sortedUnique(names: string[]): string[] {
  return [...new Set(names)].sort();
}
