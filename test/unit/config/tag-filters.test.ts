import { describe, expect, it } from 'vitest';
import { parseTagFilters } from '../../../src/config/tag-filters.js';

describe('parseTagFilters', () => {
  it('reads key:values pairs separated by semicolons', () => {
    expect(parseTagFilters('k1:v1,v2;k2:v3')).toEqual([
      { key: 'k1', values: ['v1', 'v2'] },
      { key: 'k2', values: ['v3'] },
    ]);
  });

  it('takes a key without values as "tag present, any value"', () => {
    expect(parseTagFilters('datalake-ingest;env:prod')).toEqual([
      { key: 'datalake-ingest', values: [] },
      { key: 'env', values: ['prod'] },
    ]);
    expect(parseTagFilters('k:')).toEqual([{ key: 'k', values: [] }]);
  });

  it('trims and drops empty entries', () => {
    expect(parseTagFilters(' k1 : v1 , ,v2 ; ;k2')).toEqual([
      { key: 'k1', values: ['v1', 'v2'] },
      { key: 'k2', values: [] },
    ]);
    expect(parseTagFilters('')).toEqual([]);
  });

  it('keeps colons inside values', () => {
    expect(parseTagFilters('owner:team:data')).toEqual([{ key: 'owner', values: ['team:data'] }]);
  });

  it('rejects a filter without a key and a key given twice', () => {
    expect(parseTagFilters(':v1')).toEqual({ error: expect.stringContaining('no tag key') });
    expect(parseTagFilters('k:a;k:b')).toEqual({ error: expect.stringContaining('"k" appears twice') });
  });
});
