import { createHash } from 'node:crypto';

/**
 * The bucket (0 … buckets-1) a name falls in: its SHA-256's first 32 bits modulo the number of buckets. It depends
 * on the name alone, so a name keeps its bucket in every process and however many other names come and go.
 */
export function stableBucket(name: string, buckets: number): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) % buckets;
}
