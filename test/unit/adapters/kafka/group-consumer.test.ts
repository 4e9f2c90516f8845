import { describe, expect, it } from 'vitest';
import { findMissingTopics, wholeNamePattern } from '../../../../src/adapters/kafka/group-consumer.js';

describe('wholeNamePattern: topics.regex as librdkafka takes it', () => {
  it('anchors the pattern at both ends, so it must match a whole topic name', () => {
    expect(wholeNamePattern('orders-.*')).toBe('^(orders-.*)$');
    expect(wholeNamePattern('a|b')).toBe('^(a|b)$');
  });

  it('does not anchor twice a pattern that is anchored already', () => {
    expect(wholeNamePattern('^orders-.*$')).toBe('^(orders-.*)$');
  });

  it('keeps an escaped dollar at the end as a literal', () => {
    expect(wholeNamePattern('price\\$')).toBe('^(price\\$)$');
  });

  it('means what the JavaScript pattern means for whole names', () => {
    const matches = (regex: string, topic: string) => new RegExp(wholeNamePattern(regex)).test(topic);
    expect(matches('orders-[ab]', 'orders-a')).toBe(true);
    expect(matches('orders-[ab]', 'orders-a-archive')).toBe(false);
    expect(matches('a|b', 'xb')).toBe(false);
  });
});

describe('findMissingTopics: what a subscription waits for', () => {
  const existing = ['orders', 'orders-archive', '__consumer_offsets'];

  it('names the subscribed topics that do not exist, and nothing once all do', () => {
    expect(findMissingTopics({ names: ['orders', 'customers', 'payments'] }, existing)).toEqual({ names: ['customers', 'payments'] });
    expect(findMissingTopics({ names: ['orders'] }, existing)).toBeUndefined();
  });

  it('waits for a regex only while no topic matches it as a whole name', () => {
    expect(findMissingTopics({ regex: 'order' }, existing)).toEqual({ regex: 'order' });
    expect(findMissingTopics({ regex: 'orders-.*' }, existing)).toBeUndefined();
    expect(findMissingTopics({ regex: 'payments-.*' }, [])).toEqual({ regex: 'payments-.*' });
  });
});
