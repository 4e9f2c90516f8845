import { ListTablesCommand, ListTagsOfResourceCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { TagFilter } from '../../config/tag-filters.js';
import { classifyAwsError } from './errors.js';

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
