import { setTimeout as delay } from 'node:timers/promises';
import { createKafka, logLevel, type Producer } from '../../src/adapters/kafka/client.js';

export interface ProducedVersion {
  id: string;
  version: number;
}

/**
 * Produces `{id, version}` records keyed by id at a steady rate (a batch every 100 ms), each id's versions
 * counting up, so a sink's table can be checked against the last version of each id produced.
 */
export class PacedProducer {
  readonly produced: ProducedVersion[] = [];
  private readonly versions = new Map<string, number>();
  private stopped = false;
  private run?: Promise<void>;
  private producer?: Producer;

  constructor(
    private readonly bootstrapServers: string,
    private readonly topic: string,
    private readonly options: { ids: string[]; perSecond: number; total: number },
  ) {}

  async start(): Promise<this> {
    this.producer = createKafka({ bootstrapServers: this.bootstrapServers, clientId: 'paced-producer' }, logLevel.ERROR).producer({ kafkaJS: { idempotent: true } });
    await this.producer.connect();
    this.run = this.produce();
    return this;
  }

  async done(): Promise<void> {
    await this.run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.run?.catch(() => undefined);
    await this.producer?.disconnect();
  }

  /** The last version produced (and acknowledged by Kafka) of each id. */
  lastVersions(): Map<string, number> {
    return new Map(this.versions);
  }

  private async produce(): Promise<void> {
    const { ids, perSecond, total } = this.options;
    const perTick = Math.max(1, Math.round(perSecond / 10));
    const startedAt = Date.now();
    for (let index = 0, tick = 0; index < total && !this.stopped; tick++) {
      // Pacing, not synchronisation: tick n is due n × 100 ms after the start.
      const due = startedAt + tick * 100;
      if (due > Date.now()) await delay(due - Date.now());
      const batch: ProducedVersion[] = [];
      for (; batch.length < perTick && index < total; index++) {
        const id = ids[index % ids.length]!;
        batch.push({ id, version: (this.versions.get(id) ?? 0) + 1 + batch.filter((each) => each.id === id).length });
      }
      await this.producer!.send({
        topic: this.topic,
        messages: batch.map((record) => ({ key: record.id, value: JSON.stringify(record) })),
      });
      for (const record of batch) {
        this.versions.set(record.id, record.version);
        this.produced.push(record);
      }
    }
  }
}
