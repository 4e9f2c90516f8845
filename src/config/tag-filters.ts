import type { TagFilter } from '../domain/tag-match.js';

/**
 * Parses Confluent's `k1:v1,v2;k2:v3` (semicolon between filters, colon after the key, commas between values).
 * A key without values (`k3` or `k3:`) matches the tag's presence. Returns an error text for malformed input.
 */
export function parseTagFilters(text: string): TagFilter[] | { error: string } {
  const filters: TagFilter[] = [];
  for (const entry of text.split(';').map((part) => part.trim()).filter((part) => part !== '')) {
    const colon = entry.indexOf(':');
    const key = (colon === -1 ? entry : entry.slice(0, colon)).trim();
    const values = colon === -1 ? [] : entry.slice(colon + 1).split(',').map((value) => value.trim()).filter((value) => value !== '');
    if (key === '') return { error: `a filter has no tag key ("${entry}")` };
    if (filters.some((filter) => filter.key === key)) {
      return { error: `tag key "${key}" appears twice (list all its values in one filter: ${key}:v1,v2)` };
    }
    filters.push({ key, values });
  }
  return filters;
}
