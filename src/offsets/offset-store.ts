import { offsetKey, type SourcePartition } from '../domain/position.js';
import type { OutgoingMessage } from '../domain/outgoing-message.js';

/**
 * One connector's source offsets, as stored in the compacted offsets topic (Kafka Connect's format; the Kafka
 * adapter loads them). Updates are written by the pipeline's BatchWriter together with the data they cover,
 * then applied here.
 */
export class OffsetStore {
  private readonly offsets = new Map<string, { partition: SourcePartition; offset: unknown }>();

  private constructor(
    readonly topic: string,
    readonly connector: string,
  ) {}

  /** A store with nothing in it yet: the loader fills it, and so do tests. */
  static empty(topic: string, connector: string): OffsetStore {
    return new OffsetStore(topic, connector);
  }

  get<T>(partition: SourcePartition): T | undefined {
    return this.offsets.get(offsetKey(this.connector, partition))?.offset as T | undefined;
  }

  /** Every stored partition whose fields include `match` (e.g. all shards of one table's stream). */
  find<T>(match: SourcePartition): Array<{ partition: SourcePartition; offset: T }> {
    const found: Array<{ partition: SourcePartition; offset: T }> = [];
    for (const entry of this.offsets.values()) {
      if (Object.entries(match).every(([key, value]) => entry.partition[key] === value)) {
        found.push({ partition: entry.partition, offset: entry.offset as T });
      }
    }
    return found;
  }

  /** The message that stores `offset` (null deletes the partition's offset). */
  message(partition: SourcePartition, offset: unknown | null): OutgoingMessage {
    return {
      topic: this.topic,
      key: offsetKey(this.connector, partition),
      value: offset === null ? null : JSON.stringify(offset),
    };
  }

  /** Records an offset once it is durably written. */
  apply(partition: SourcePartition, offset: unknown | null): void {
    const key = offsetKey(this.connector, partition);
    if (offset === null) this.offsets.delete(key);
    else this.offsets.set(key, { partition, offset });
  }
}
