import { ListTablesCommand, ListTagsOfResourceCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { TagFilter } from '../../domain/tag-match.js';
import { AwsError } from '../../domain/aws-error.js';
import type { TableCatalog } from '../../source/ports.js';
import { classifyAwsError } from './errors.js';
import { describeTable } from './tables.js';

/**
 * The source's TableCatalog port on DynamoDB (ListTables, ListTagsOfResource) and, when given, the Resource
 * Groups Tagging API (one paginated search for the whole account).
 */
export function dynamoDbTableCatalog(dynamodb: DynamoDBClient, tagging?: ResourceGroupsTaggingAPIClient): TableCatalog {
  const arns = new TableArns(dynamodb);
  return {
    ...(tagging ? { findByTags: (filters: readonly TagFilter[]) => tablesByTags(tagging, filters) } : {}),
    listTables: () => listTableNames(dynamodb),
    tagsOf: async (table) => tagsOfTable(dynamodb, await arns.of(table)),
  };
}

/**
 * Tables' ARNs, which ListTagsOfResource takes. One DescribeTable teaches the account's `arn:…:table/` prefix
 * (shared by concurrent lookups, forgotten when it fails); every other table's ARN follows from its name.
 */
class TableArns {
  private prefix?: { table: string; prefix: Promise<string> };

  constructor(private readonly dynamodb: DynamoDBClient) {}

  async of(table: string): Promise<string> {
    for (;;) {
      const learning = (this.prefix ??= {
        table,
        prefix: describeTable(this.dynamodb, table).then((info) => info.arn.replace(/table\/.*$/, 'table/')),
      });
      try {
        return `${await learning.prefix}${table}`;
      } catch (error) {
        if (this.prefix === learning) this.prefix = undefined;
        // Another table, deleted meanwhile, said nothing about this one: learn the prefix from this one.
        if (learning.table !== table && error instanceof AwsError && error.kind === 'not-found') continue;
        throw error;
      }
    }
  }
}

/**
 * The names of the tables carrying the tags, from the Resource Groups Tagging API (GetResources, paginated).
 * Its TagFilters have the semantics of ours: every key must be present; a key's values are alternatives.
 */
export async function tablesByTags(client: ResourceGroupsTaggingAPIClient, filters: readonly TagFilter[]): Promise<string[]> {
  const names: string[] = [];
  let paginationToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['dynamodb:table'],
          TagFilters: filters.map((filter) => ({ Key: filter.key, ...(filter.values.length > 0 ? { Values: filter.values } : {}) })),
          ...(paginationToken ? { PaginationToken: paginationToken } : {}),
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, 'Resource Groups Tagging API GetResources');
    }
    for (const resource of page.ResourceTagMappingList ?? []) {
      const name = tableNameOfArn(resource.ResourceARN ?? '');
      if (name) names.push(name);
    }
    paginationToken = page.PaginationToken || undefined;
  } while (paginationToken);
  return names;
}

/** Every table name in the account and region (ListTables, paginated). */
export async function listTableNames(client: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let exclusiveStartTableName: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListTablesCommand({ ...(exclusiveStartTableName ? { ExclusiveStartTableName: exclusiveStartTableName } : {}) }));
    } catch (error) {
      throw classifyAwsError(error, 'ListTables');
    }
    names.push(...(page.TableNames ?? []));
    exclusiveStartTableName = page.LastEvaluatedTableName;
  } while (exclusiveStartTableName);
  return names;
}

/** A table's tags (ListTagsOfResource, paginated), as key → value. */
export async function tagsOfTable(client: DynamoDBClient, tableArn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListTagsOfResourceCommand({ ResourceArn: tableArn, ...(nextToken ? { NextToken: nextToken } : {}) }));
    } catch (error) {
      throw classifyAwsError(error, `ListTagsOfResource ${tableArn}`);
    }
    for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    nextToken = page.NextToken;
  } while (nextToken);
  return tags;
}

/** `arn:aws:dynamodb:eu-west-1:123456789012:table/orders` → `orders`; undefined for other ARNs. */
export function tableNameOfArn(arn: string): string | undefined {
  const resource = arn.split(':').slice(5).join(':');
  return /^table\/([^/]+)$/.exec(resource)?.[1];
}
