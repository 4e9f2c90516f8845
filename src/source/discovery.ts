import { AwsError } from '../domain/aws-error.js';
import type { TagFilter } from '../domain/tag-match.js';
import { matchesTagFilters } from '../domain/tag-match.js';
import type { TableCatalog } from './ports.js';

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
  /** Without `findByTags` (no Tagging API configured), discovery goes straight to listing tables and their tags. */
  catalog: TableCatalog;
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
  /** The catalog's Tagging API search, until that API proves missing. */
  private findByTags: TableCatalog['findByTags'];

  constructor(private readonly options: TagFinderOptions) {
    this.description = `matching the tag filters ${formatTagFilters(options.filters)}`;
    this.rediscoveryPeriodMs = options.rediscoveryPeriodMs;
    this.findByTags = options.catalog.findByTags?.bind(options.catalog);
  }

  async find(): Promise<string[]> {
    if (this.findByTags) {
      try {
        return sortedUnique(await this.findByTags(this.options.filters));
      } catch (error) {
        if (!taggingApiMissing(error)) throw error;
        this.options.log.warn(
          `${(error as Error).message}; discovering tables with ListTables + ListTagsOfResource instead ` +
            `(set aws.resource.tagging.endpoint, or allow tag:GetResources, to use the Tagging API)`,
        );
        this.findByTags = undefined;
      }
    }
    return this.findByListingTables();
  }

  private async findByListingTables(): Promise<string[]> {
    const { catalog, filters } = this.options;
    const names = await catalog.listTables();
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
      return await this.options.catalog.tagsOf(name);
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
