import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import type { Admin } from '../../src/adapters/kafka/client.js';
import { scanAll } from './tables.js';
import type { ConsumedRecord } from './topic-follower.js';

/** The group's committed offsets (partition → next offset to read), then the table as it was just after. */
export interface CommitSample {
  at: number;
  committed: Map<number, number>;
  versions: Map<string, number>;
}

/**
 * Watches a sink from outside while it runs: again and again it reads its consumer group's committed offsets
 * and then the table (directly, not through any fault proxy). Offsets are read first: a table that only moves
 * forward must then already hold every record below them, if the sink commits only after writing.
 */
export class CommitSampler {
  readonly samples: CommitSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topic: string,
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {
    this.loop = this.sample();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async sample(): Promise<void> {
    while (this.running) {
      const [answer] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
      const committed = new Map((answer?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)] as const));
      const items = await scanAll(this.dynamodb, this.table).catch(() => []);
      const versions = new Map(items.map((item) => [item.id!.S!, Number(item.version!.N)] as const));
      this.samples.push({ at: Date.now(), committed, versions });
      // A pace for the sampling, not a synchronisation: a few samples a second are plenty.
      await delay(200);
    }
  }
}

/**
 * Records committed (below a sample's committed offset) that the table did not yet hold when sampled: each is
 * an offset committed before its write. `records` are the topic's `{id, version}` records with their offsets.
 */
export function committedBeforeWritten(samples: CommitSample[], records: ConsumedRecord[]): string[] {
  const violations: string[] = [];
  for (const sample of samples) {
    for (const record of records) {
      const committed = sample.committed.get(record.partition);
      if (committed === undefined || committed < 0 || record.offset >= committed) continue;
      const { id, version } = JSON.parse(record.value!) as { id: string; version: number };
      const held = sample.versions.get(id);
      if (held === undefined || held < version) {
        violations.push(`partition ${record.partition} offset ${record.offset} (${id} v${version}) committed, table had v${held ?? 'none'}`);
      }
    }
  }
  return violations;
}
