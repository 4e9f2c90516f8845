/** Tables must carry tag `key`; with values, its value must be one of them; without, any value will do. */
export interface TagFilter {
  key: string;
  values: string[];
}

/**
 * True when a table's tags satisfy every filter (AND across filters): the table carries the filter's key and,
 * when the filter lists values, one of them (OR within a filter). These are the Resource Groups Tagging API's
 * TagFilters semantics, applied here where that API is not available. Keys and values match case-sensitively,
 * as AWS tags do.
 */
export function matchesTagFilters(tags: Readonly<Record<string, string>>, filters: readonly TagFilter[]): boolean {
  return filters.every((filter) => {
    if (!Object.hasOwn(tags, filter.key)) return false;
    return filter.values.length === 0 || filter.values.includes(tags[filter.key]!);
  });
}
