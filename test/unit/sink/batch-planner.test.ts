import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/domain/attribute-codec.js';
import { keyIdentity, planBatches, requestSize, requestSizeBound } from '../../../src/sink/batch-planner.js';
import type { WriteOperation } from '../../../src/sink/record-converter.js';

const keySchema = { hashKey: 'id', types: { id: 'S' as const } };
const put = (id: string, extra: Item = {}, table = 'T'): WriteOperation => ({ kind: 'put', table, key: { id: { S: id } }, item: { id: { S: id }, ...extra }, keySchema });
const del = (id: string, table = 'T'): WriteOperation => ({ kind: 'delete', table, key: { id: { S: id } }, keySchema });

describe('planBatches', () => {
  it('keeps the last operation per key: last put wins, put then delete is a delete, delete then put is a put', () => {
    const batches = planBatches([
      put('a', { v: { N: '1' } }),
      put('b', { v: { N: '1' } }),
      put('a', { v: { N: '2' } }),
      put('c'),
      del('b'),
      del('c'),
      put('c', { v: { N: '3' } }),
    ]);
    expect(batches).toEqual([
      {
        table: 'T',
        requests: [
          { PutRequest: { Item: { id: { S: 'a' }, v: { N: '2' } } } },
          { DeleteRequest: { Key: { id: { S: 'b' } } } },
          { PutRequest: { Item: { id: { S: 'c' }, v: { N: '3' } } } },
        ],
      },
    ]);
  });

  it('tells keys apart by type and value, not by attribute order', () => {
    const composite = (key: Item, v: string): WriteOperation => ({
      kind: 'put',
      table: 'T',
      key,
      item: { ...key, v: { S: v } },
      keySchema: { hashKey: 'pk', rangeKey: 'sk', types: { pk: 'S', sk: 'N' } },
    });
    const batches = planBatches([
      composite({ pk: { S: 'x' }, sk: { N: '1' } }, 'first'),
      composite({ sk: { N: '1' }, pk: { S: 'x' } }, 'second'),
      composite({ pk: { S: 'x' }, sk: { N: '2' } }, 'other sort key'),
    ]);
    expect(batches[0]!.requests.map((request) => ('PutRequest' in request ? request.PutRequest.Item.v : undefined))).toEqual([
      { S: 'second' },
      { S: 'other sort key' },
    ]);
    expect(keyIdentity({ id: { S: '1' } })).not.toBe(keyIdentity({ id: { N: '1' } }));
    expect(keyIdentity({ id: { B: Uint8Array.of(1) } })).toBe(keyIdentity({ id: { B: Buffer.from([1]) } }));
  });

  it('gives distinct keys distinct identities, even when their texts would run together', () => {
    const keys: Item[] = [
      { a: { S: 'x' }, b: { S: 'y' } },
      { a: { S: 'x,1:b=S1:y' } },
      { a: { S: 'x,1:b=S1:y' }, b: { S: 'y' } },
      { 'a=Sx,b': { S: 'y' } },
      { a: { N: '1' }, b: { N: '2' } },
      { a: { N: '12' } },
      { a: { S: '' } },
      { '': { S: 'a' } },
    ];
    expect(new Set(keys.map(keyIdentity)).size).toBe(keys.length);
    // The attributes' order in the object does not matter.
    expect(keyIdentity({ b: { S: 'y' }, a: { S: 'x' } })).toBe(keyIdentity(keys[0]!));
    expect(keyIdentity({ c: { N: '3' }, a: { N: '1' }, b: { N: '2' } })).toBe(keyIdentity({ a: { N: '1' }, b: { N: '2' }, c: { N: '3' } }));
  });

  it('plans each table on its own, in order of first appearance, and ignores skips', () => {
    const batches = planBatches([put('a', {}, 'B'), { kind: 'skip', reason: 'ignored' }, put('a', {}, 'A'), del('a', 'B')]);
    expect(batches).toEqual([
      { table: 'B', requests: [{ DeleteRequest: { Key: { id: { S: 'a' } } } }] },
      { table: 'A', requests: [{ PutRequest: { Item: { id: { S: 'a' } } } }] },
    ]);
    expect(planBatches([])).toEqual([]);
  });

  it('cuts at 25 requests', () => {
    const operations = Array.from({ length: 60 }, (_, i) => put(`k${i}`));
    const batches = planBatches(operations);
    expect(batches.map((batch) => batch.requests.length)).toEqual([25, 25, 10]);
    expect(batches.flatMap((batch) => batch.requests)).toHaveLength(60);
    expect(planBatches(Array.from({ length: 25 }, (_, i) => put(`k${i}`))).map((batch) => batch.requests.length)).toEqual([25]);
    expect(planBatches(Array.from({ length: 26 }, (_, i) => put(`k${i}`))).map((batch) => batch.requests.length)).toEqual([25, 1]);
  });

  it('honours a smaller batch size, caps larger ones at 25, refuses nonsense', () => {
    const operations = Array.from({ length: 30 }, (_, i) => put(`k${i}`));
    expect(planBatches(operations, 10).map((batch) => batch.requests.length)).toEqual([10, 10, 10]);
    expect(planBatches(operations, 100).map((batch) => batch.requests.length)).toEqual([25, 5]);
    expect(() => planBatches(operations, 0)).toThrow(RangeError);
  });

  it('cuts before a batch would pass maxBytes, and sends an oversized request alone', () => {
    const big = (id: string) => put(id, { data: { S: 'x'.repeat(1000) } });
    const batches = planBatches([big('a'), big('b'), big('c'), big('d')], 25, 2500);
    expect(batches.map((batch) => batch.requests.length)).toEqual([2, 2]);
    expect(planBatches([big('a'), big('b')], 25, 100).map((batch) => batch.requests.length)).toEqual([1, 1]);
  });

  it('bounds a request size from above for text that JSON escapes or encodes in several bytes', () => {
    const items: Item[] = [
      { id: { S: 'plain' } },
      { id: { S: '\u0001\u001f"\\\n' }, ['ctl\u0002']: { SS: ['\u0000', 'é', '😀', '\ud800'] } },
      { id: { S: '€😀' }, n: { N: '-1.5E-130' }, ns: { NS: ['1', '22'] }, b: { B: new Uint8Array([0, 1, 2, 3]) }, bs: { BS: [new Uint8Array(1), new Uint8Array(5)] } },
      { id: { S: 'k' }, m: { M: { inner: { L: [{ NULL: true }, { BOOL: false }, { M: {} }, { L: [] }, { S: '' }] } } } },
    ];
    for (const item of items) {
      const request = { PutRequest: { Item: item } };
      expect(requestSizeBound(request)).toBeGreaterThanOrEqual(requestSize(request));
    }
  });

  it('cuts where exact sizes cut, also when escaped text makes the JSON far larger than the text', () => {
    // Each item's JSON is ~6 times its text: the cheap bound says "maybe too big", the exact size decides.
    const escaped = (id: string) => put(id, { data: { S: '\u0001'.repeat(400) } });
    const plain = (id: string) => put(id, { data: { S: 'x'.repeat(400) } });
    const exactSizes = [escaped('a'), plain('b'), plain('c'), escaped('d'), plain('e')].map((entry) =>
      requestSize({ PutRequest: { Item: (entry as { item: Item }).item } }),
    );
    const limit = exactSizes[0]! + exactSizes[1]! + exactSizes[2]!;
    const batches = planBatches([escaped('a'), plain('b'), plain('c'), escaped('d'), plain('e')], 25, limit);
    expect(batches.map((batch) => batch.requests.length)).toEqual([3, 2]);
  });

  it('is deterministic', () => {
    const operations = [put('x'), del('y'), put('z', {}, 'Other'), put('x', { v: { N: '2' } })];
    expect(planBatches(operations)).toEqual(planBatches(operations));
  });
});
