import { describe, expect, it } from 'vitest';
import { describeMissingTopics } from '../../../src/sink/sink-task.js';

describe('describeMissingTopics: the status of a sink task waiting for its topics', () => {
  it('names one topic, several topics, or the regex nothing matches yet', () => {
    expect(describeMissingTopics({ names: ['orders'] })).toBe('topic orders (not created yet)');
    expect(describeMissingTopics({ names: ['a', 'b'] })).toBe('topics a, b (not created yet)');
    expect(describeMissingTopics({ regex: 'orders-.*' })).toBe('a topic matching orders-.* (none exists yet)');
  });
});
