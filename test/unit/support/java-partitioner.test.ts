import { describe, expect, it } from 'vitest';
import { javaPartition } from '../../support/java-partitioner.js';

describe('javaPartition (the test oracle for the Java client default partitioner)', () => {
  it("gives the partitions Kafka's own partitioner tests expect", () => {
    // Apache Kafka's UtilsTest.testMurmur2: the hash of each key (the partition is its positive part, modulo).
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    const partitions = 2 ** 31 - 1;
    for (const [key, hash] of cases) expect(javaPartition(Buffer.from(key), partitions), key).toBe((hash & 0x7fffffff) % partitions);
  });
});
