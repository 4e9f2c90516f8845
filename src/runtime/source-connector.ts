import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Admin, Kafka, KafkaConnection } from '../adapters/kafka/client.js';
import type { PipelineSettings } from '../source/settings.js';
import type { PipelineStatus } from '../source/status.js';
import { TableNotReplicableError, TablePipeline } from '../source/table-pipeline.js';
import type { Logger } from './logger.js';

export interface SourceConnectorPlan {
  name: string;
  tables: string[];
  settingsFor(table: string): PipelineSettings;
  exactlyOnce: boolean;
  offsetsTopic: string;
  topic: { partitions: number; replicationFactor: number };
}

export interface SourceConnectorClients {
  kafka: Kafka;
  kafkaConnection: KafkaConnection;
  admin: Admin;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
}

export interface ConnectorStatus {
  name: string;
  type: 'source';
  tables: PipelineStatus[];
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Runs one pipeline per table, each supervised on its own: a failing table is restarted from its committed
 * offsets with growing backoff and reported once per distinct error, while the other tables go on.
 */
export class SourceConnector {
  private readonly controller = new AbortController();
  private readonly pipelines = new Map<string, TablePipeline>();
  private readonly supervisors: Promise<void>[] = [];

  constructor(
    private readonly plan: SourceConnectorPlan,
    private readonly clients: SourceConnectorClients,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const table of this.plan.tables) this.supervisors.push(this.supervise(table));
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('connector stopping'));
    await Promise.allSettled(this.supervisors);
  }

  status(): ConnectorStatus {
    return { name: this.plan.name, type: 'source', tables: [...this.pipelines.values()].map((pipeline) => ({ ...pipeline.status })) };
  }

  private async supervise(table: string): Promise<void> {
    const log = this.log.child(table);
    const signal = this.controller.signal;
    let backoffMs = 1_000;
    let lastError: string | undefined;
    while (!signal.aborted) {
      const pipeline = new TablePipeline({
        ...this.clients,
        settings: this.plan.settingsFor(table),
        tableName: table,
        exactlyOnce: this.plan.exactlyOnce,
        offsetsTopic: this.plan.offsetsTopic,
        topic: this.plan.topic,
        log,
      });
      const previous = this.pipelines.get(table);
      this.pipelines.set(table, pipeline);
      if (previous?.status.error) pipeline.status.error = previous.status.error;
      const startedAt = Date.now();
      try {
        log.info(`starting (topic ${pipeline.status.topic})`);
        await pipeline.run(signal);
        return;
      } catch (error) {
        if (signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) log.error(message);
        lastError = message;
        pipeline.status.error = message;
        // A pipeline that ran a while before failing starts over with a short backoff.
        if (Date.now() - startedAt > 5 * MAX_BACKOFF_MS) backoffMs = 1_000;
        const wait = error instanceof TableNotReplicableError ? MAX_BACKOFF_MS : backoffMs;
        await delay(wait, undefined, { signal }).catch(() => undefined);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }
}
