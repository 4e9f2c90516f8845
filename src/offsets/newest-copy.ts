/**
 * Decides which record of a key counts while an offsets topic is read, whatever order its partitions arrive in.
 *
 * A key may have records in several partitions of the offsets topic: offsets written before every writer hashed
 * keys with murmur2 (the transactional writer used librdkafka's CRC32 then) sit elsewhere, and a reset writes its
 * tombstone in every partition for that reason. A reader of all partitions gets
 * them interleaved arbitrarily, so "the last one read wins" would let an old tombstone in one partition delete a
 * newer offset in another. Within one partition the log order decides; across partitions, the newer record
 * (by its timestamp, set by the producer when it wrote it) does.
 */
export class NewestCopy {
  private readonly seen = new Map<string, { partition: number; timestampMs: number }>();

  /** Whether this record replaces what was read of its key so far. */
  accept(key: string, partition: number, timestampMs: number): boolean {
    const last = this.seen.get(key);
    if (last && last.partition !== partition && timestampMs < last.timestampMs) return false;
    this.seen.set(key, { partition, timestampMs });
    return true;
  }
}
