// An in-memory consumer group and DynamoDB tables behind the sink connector's ports, for unit tests of the sink
// task's rounds. They keep what the task relies on: records in offset order per partition, a group's committed
// offsets, a new member starting from them, and writes applied per request.
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../../src/domain/aws-error.js';
import type { Item } from '../../../src/domain/attribute-codec.js';
import type { TableInfo } from '../../../src/domain/table-info.js';
import type {
  DeadLetterMessage,
  DeadLetterSink,
  DeadLetterWriter,
  FailedRecord,
  NextOffset,
  RecordSource,
  RecordSourceOptions,
  SinkTables,
  TableToCreate,
} from '../../../src/sink/ports.js';
import type { SinkRecord } from '../../../src/sink/sink-record.js';

/** What happened, in order, across the fakes: the tests check that commits come after writes. */
export type Event = { kind: 'write'; table: string; count: number } | { kind: 'commit'; offsets: NextOffset[] } | { kind: 'dead-letter'; count: number };

/** Topics of records and one consumer group's committed offsets. */
export class InMemoryTopics {
  private readonly partitions = new Map<string, SinkRecord[]>();
  readonly committed = new Map<string, number>();

  constructor(readonly events: Event[] = []) {}

  produce(topic: string, partition: number, key: string | null, value: string | null): void {
    const list = this.partitions.get(`${topic}/${partition}`) ?? [];
    list.push({
      topic,
      partition,
      offset: String(list.length),
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
    });
    this.partitions.set(`${topic}/${partition}`, list);
  }

  /** A member of the group, reading every partition from its committed offset. */
  member(options: RecordSourceOptions): RecordSource {
    const positions = new Map<string, number>();
    let interrupted = false;
    let wake: (() => void) | undefined;
    const subscribed = (topic: string) => (options.topics.names ? options.topics.names.includes(topic) : new RegExp(`^(${options.topics.regex})$`).test(topic));
    return {
      connect: async () => undefined,
      poll: async (max) => {
        for (;;) {
          if (interrupted) return [];
          const records: SinkRecord[] = [];
          for (const [name, list] of this.partitions) {
            if (!subscribed(list[0]!.topic)) continue;
            const from = positions.get(name) ?? this.committed.get(name) ?? 0;
            const taken = list.slice(from, from + max - records.length);
            positions.set(name, from + taken.length);
            records.push(...taken);
          }
          if (records.length > 0) return records;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setImmediate(resolve);
          });
        }
      },
      commit: async (offsets) => {
        this.events.push({ kind: 'commit', offsets });
        for (const { topic, partition, offset } of offsets) this.committed.set(`${topic}/${partition}`, offset);
      },
      settle: async () => undefined,
      interrupt: () => {
        interrupted = true;
        wake?.();
      },
      disconnect: async () => undefined,
    };
  }
}

/** Tables keyed by `id` (S); a write can be made to fail with `failWrites`. */
export class InMemoryTables implements SinkTables {
  readonly items = new Map<string, Map<string, Item>>();
  private failing: Error[] = [];

  constructor(readonly events: Event[] = []) {}

  private failingDescribes: Error[] = [];

  failWrites(...errors: Error[]): void {
    this.failing.push(...errors);
  }

  failDescribes(...errors: Error[]): void {
    this.failingDescribes.push(...errors);
  }

  async describe(table: string): Promise<TableInfo> {
    const failure = this.failingDescribes.shift();
    if (failure) throw failure;
    if (!this.items.has(table)) throw new AwsError('not-found', `DescribeTable ${table}: ResourceNotFoundException`);
    return { name: table, arn: '', keySchema: { hashKey: 'id' }, keyTypes: { id: 'S' }, status: 'ACTIVE', itemCount: 0, sizeBytes: 0, billingMode: 'PAY_PER_REQUEST' };
  }

  async create(spec: TableToCreate): Promise<void> {
    if (!this.items.has(spec.name)) this.items.set(spec.name, new Map());
  }

  async writeBatch(table: string, requests: WriteRequest[]): Promise<void> {
    await Promise.resolve();
    const failure = this.failing.shift();
    if (failure) throw failure;
    const items = this.items.get(table)!;
    for (const request of requests) {
      if (request.PutRequest) items.set(request.PutRequest.Item!.id!.S!, request.PutRequest.Item as Item);
      else items.delete(request.DeleteRequest!.Key!.id!.S!);
    }
    this.events.push({ kind: 'write', table, count: requests.length });
  }
}

export class InMemoryDeadLetters implements DeadLetterSink {
  readonly records: FailedRecord[] = [];
  constructor(readonly events: Event[] = []) {}

  async report(records: FailedRecord[]): Promise<void> {
    this.records.push(...records);
    this.events.push({ kind: 'dead-letter', count: records.length });
  }
}

/** Dead-letter topics: what each received, in order; the next writes can be made to fail with `failWrites`. */
export class InMemoryDeadLetterTopics implements DeadLetterWriter {
  readonly topics = new Map<string, DeadLetterMessage[]>();
  private failing: Error[] = [];
  closed = false;

  failWrites(...errors: Error[]): void {
    this.failing.push(...errors);
  }

  messages(topic: string): DeadLetterMessage[] {
    return this.topics.get(topic) ?? [];
  }

  async write(topic: string, messages: DeadLetterMessage[]): Promise<void> {
    await Promise.resolve();
    const failure = this.failing.shift();
    if (failure) throw failure;
    this.topics.set(topic, [...this.messages(topic), ...messages]);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
