import { describe, expect, it } from 'vitest';
import { closestKey, editDistance } from '../../../src/config/suggest.js';

describe('editDistance', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('table', 'table')).toBe(0);
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('tble', 'table')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestKey', () => {
  const known = ['dynamodb.table.includelist', 'dynamodb.table.whitelist', 'dynamodb.snapshot.segments', 'tasks.max'];

  it('suggests the nearest key', () => {
    expect(closestKey('dynamodb.tabel.includelist', known)).toBe('dynamodb.table.includelist');
    expect(closestKey('task.max', known)).toBe('tasks.max');
    expect(closestKey('DYNAMODB.TABLE.INCLUDELIST', known)).toBe('dynamodb.table.includelist');
  });

  it('suggests the key a namespace-less one stands for', () => {
    expect(closestKey('snapshot.segments', known)).toBe('dynamodb.snapshot.segments');
  });

  it('suggests nothing for a key unlike any', () => {
    expect(closestKey('completely.different', known)).toBeUndefined();
  });
});
