import { describe, expect, it } from 'vitest';
import { POSITION_VERSION, checkVersion, offsetKey, parseOffsetKey, partitions } from '../../../src/domain/position.js';

describe('offsetKey', () => {
  it('is independent of the order of the partition keys', () => {
    const a = offsetKey('c', { stream: 'orders', shard: 'shardId-1' });
    const b = offsetKey('c', { shard: 'shardId-1', stream: 'orders' });
    expect(a).toBe(b);
    expect(a).toBe('["c",{"shard":"shardId-1","stream":"orders"}]');
  });

  it('uses Kafka Connect\'s ["connector",{partition}] shape', () => {
    expect(offsetKey('orders-source', partitions.stream('orders'))).toBe('["orders-source",{"stream":"orders"}]');
  });

  it.each([
    ['segment', partitions.segment('orders', 7)],
    ['stream', partitions.stream('orders')],
    ['shard', partitions.shard('orders', 'shardId-00000001-abc')],
    ['awkward characters', { 'z"key': 'va\\lue', a: 'ünïcode ✓', m: '' }],
  ])('round-trips through parseOffsetKey (%s)', (_name, partition) => {
    const key = offsetKey('my-connector', partition);
    expect(parseOffsetKey(key)).toEqual({ connector: 'my-connector', partition });
  });
});

describe('parseOffsetKey', () => {
  it.each([
    ['not JSON', 'not json'],
    ['empty', ''],
    ['an object', '{"connector":"c"}'],
    ['a string', '"c"'],
    ['null', 'null'],
    ['one element', '["c"]'],
    ['three elements', '["c",{},{}]'],
    ['non-string connector', '[1,{"stream":"t"}]'],
    ['null partition', '["c",null]'],
    ['array partition', '["c",["stream","t"]]'],
    ['string partition', '["c","stream"]'],
  ])('rejects %s', (_name, key) => {
    expect(parseOffsetKey(key)).toBeUndefined();
  });
});

describe('checkVersion', () => {
  it('accepts the current version 1', () => {
    expect(POSITION_VERSION).toBe(1);
    expect(() => checkVersion({ v: 1 }, 'anywhere')).not.toThrow();
  });

  it.each([[{ v: 2 }], [{ v: 0 }], [{ v: '1' }], [{}], [{ v: null }]])('rejects %j naming the location', (offset) => {
    expect(() => checkVersion(offset, 'stream offset of table orders')).toThrow(/^stream offset of table orders: /);
    expect(() => checkVersion(offset, 'stream offset of table orders')).toThrow('this release reads version 1');
  });

  it('quotes the version it found', () => {
    expect(() => checkVersion({ v: 2 }, 'here')).toThrow('here: stored offset has format version 2, this release reads version 1');
  });
});
