import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';

export interface AcknowledgedWrite {
  id: string;
  version: number;
  /** When DynamoDB acknowledged it (Date.now()). */
  at: number;
}

/**
 * Changes items at a steady rate, as an application would during a fault: each write puts the next `version`
 * of one of `keys` items (round robin), so a consumer can check per-key order and completeness. It talks to
 * DynamoDB directly (not through the fault proxy): the fault is the connector's, not the application's.
 */
export class VersionedWriter {
  readonly acknowledged: AcknowledgedWrite[] = [];
  private readonly versions = new Map<string, number>();
  private stopped = false;
  private run?: Promise<void>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: { ids: string[]; perSecond: number; total: number; firstVersion?: number },
  ) {}

  start(): this {
    this.run = this.write();
    return this;
  }

  /** Resolves when every write is acknowledged (or the writer was stopped); rejects if a write failed. */
  async done(): Promise<void> {
    await this.run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.run?.catch(() => undefined);
  }

  /** The last acknowledged version of each item. */
  lastVersions(): Map<string, number> {
    return new Map(this.versions);
  }

  private async write(): Promise<void> {
    const { ids, perSecond, total } = this.options;
    const startedAt = Date.now();
    for (let index = 0; index < total && !this.stopped; index++) {
      // Pacing, not synchronisation: the index-th write is due index/perSecond seconds after the start.
      const due = startedAt + (index * 1000) / perSecond;
      if (due > Date.now()) await delay(due - Date.now());
      const id = ids[index % ids.length]!;
      const version = (this.versions.get(id) ?? this.options.firstVersion ?? 0) + 1;
      await this.client.send(
        new PutItemCommand({ TableName: this.table, Item: { id: { S: id }, version: { N: String(version) }, note: { S: `write ${index}` } } }),
      );
      this.versions.set(id, version);
      this.acknowledged.push({ id, version, at: Date.now() });
    }
  }
}
