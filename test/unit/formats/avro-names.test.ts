import { describe, expect, it } from 'vitest';
import { avroName, originalName } from '../../../src/formats/avro/names.js';

describe('Avro names of DynamoDB names', () => {
  it('keeps names that are already plain Avro names', () => {
    for (const name of ['orders', 'Orders_v2', 'a1']) expect(avroName(name)).toBe(name);
  });

  it('escapes every other name into a valid Avro name, and back', () => {
    for (const name of ['orders-v2', 'my.table', '2024_sales', '_private', 'a_x2d_b', 'näme', '']) {
      const mapped = avroName(name);
      expect(mapped).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(originalName(mapped)).toBe(name);
    }
    expect(avroName('orders-v2')).toBe('_x_orders_x2d_v2');
  });

  it('never maps two names to one', () => {
    const names = ['a-b', 'a_x2d_b', 'a_b', 'a.b', 'a__b', '_x_a_x2d_b', 'ab', 'a-_b', 'a_-b'];
    expect(new Set(names.map(avroName)).size).toBe(names.length);
  });
});
