import { describe, expect, it } from 'vitest';
import { KafkaClientEvents, readable } from '../../../../src/adapters/kafka/client-events.js';

const refused = (suppressed: number) =>
  `[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT${suppressed ? `, ${suppressed} identical error(s) suppressed` : ''})`;

describe('KafkaClientEvents', () => {
  it("turns librdkafka's lines into one readable line each, a repeat at most once a minute", () => {
    const lines: string[] = [];
    let now = 0;
    const events = new KafkaClientEvents('127.0.0.1:1', { warn: (line) => lines.push(line) }, () => now);
    events.logger.error(refused(0), { fac: 'FAIL', name: 'x#producer-1' });
    now += 30_000;
    events.logger.error(refused(30), { fac: 'FAIL', name: 'x#producer-1' });
    expect(lines).toEqual(['Kafka client (127.0.0.1:1): 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused']);
    now += 31_000;
    events.logger.warn(refused(31), { fac: 'FAIL' });
    expect(lines).toHaveLength(2);
  });

  it('names the recent connection failure (and the endpoint) in the message of an operation that then failed', () => {
    let now = 0;
    const events = new KafkaClientEvents('127.0.0.1:1', { warn: () => undefined }, () => now);
    expect(events.explain('could not create topic orders: Local: Timed out')).toBe('could not create topic orders: Local: Timed out');
    events.clientError({ message: refused(0) });
    expect(events.explain('could not create topic orders: Local: Timed out')).toBe(
      'could not create topic orders: Local: Timed out (Kafka at 127.0.0.1:1: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused)',
    );
    now += 10 * 60_000; // long past: no longer the likely cause
    expect(events.recentFailure()).toBeUndefined();
  });

  it('keeps lines it does not know as they are', () => {
    expect(readable('Broker: Not enough in-sync replicas')).toBe('Broker: Not enough in-sync replicas');
  });
});
