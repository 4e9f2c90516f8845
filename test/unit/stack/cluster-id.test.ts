import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../../src/stack/kafka-server.js';

describe('newClusterId', () => {
  it('is 16 bytes in unpadded URL-safe base64, as Kafka expects', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with "-", which Kafka\'s storage tool would take for an option', () => {
    // 0xF8 encodes to a leading "-" (its first six bits are 62); the second draw does not.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)];
    const random = (size: number): Buffer => draws.shift()!.subarray(0, size);
    expect(Buffer.alloc(16, 0xf8).toString('base64url')).toMatch(/^-/);
    const id = newClusterId(random);
    expect(id).toBe(Buffer.alloc(16, 0x11).toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});
