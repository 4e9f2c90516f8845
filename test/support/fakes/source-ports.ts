// In-memory DynamoDB tables, their tags, streams and Kafka behind the source connector's ports, for unit tests of
// its logic. They keep the rules the connector relies on: pages and LastEvaluatedKey, shard lineage and closed shards,
// expired and trimmed iterators, transactions that commit all or nothing, fencing by transactional id.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../../src/domain/aws-error.js';
import type { Item } from '../../../src/domain/attribute-codec.js';
import { parseOffsetKey } from '../../../src/domain/position.js';
import type { TableInfo } from '../../../src/domain/table-info.js';
import type { ExportedFile } from '../../../src/domain/export-manifest.js';
import { matchesTagFilters } from '../../../src/domain/tag-match.js';
import type { TagFilter } from '../../../src/domain/tag-match.js';
import type { OutgoingMessage } from '../../../src/domain/outgoing-message.js';
import { OffsetStore } from '../../../src/offsets/offset-store.js';
import {
  FencedError,
  type BatchWriter,
  type ChangeStreams,
  type ExportDestination,
  type ExportProgress,
  type IteratorStart,
  type RecordsPage,
  type ScanPage,
  type ScanPageRequest,
  type SourceKafka,
  type SourceTables,
  type StreamDescription,
  type TableCatalog,
  type TableExports,
  type StreamRecord,
  type TopicSpec,
} from '../../../src/source/ports.js';

// ---------------------------------------------------------------------------------------------- tables

/** Tables with items; a Scan segment holds every item whose position modulo the segment count is its number. */
export class InMemoryTables implements SourceTables {
  private readonly tables = new Map<string, { info: TableInfo; items: Item[] }>();
  scans = 0;

  add(name: string, items: Item[] = [], options: { streamArn?: string; viewType?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'KEYS_ONLY' } = {}): void {
    const info: TableInfo = {
      name,
      arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
      keySchema: { hashKey: 'id' },
      keyTypes: { id: 'S' },
      status: 'ACTIVE',
      itemCount: items.length,
      sizeBytes: 0,
      billingMode: 'PAY_PER_REQUEST',
      ...(options.streamArn ? { stream: { arn: options.streamArn, viewType: options.viewType ?? 'NEW_AND_OLD_IMAGES' } } : {}),
    };
    this.tables.set(name, { info, items });
  }

  /** A new stream ARN, as after disabling and enabling the stream. */
  replaceStream(name: string, streamArn: string): void {
    const table = this.tables.get(name)!;
    table.info = { ...table.info, stream: { arn: streamArn, viewType: 'NEW_AND_OLD_IMAGES' } };
  }

  async describe(name: string): Promise<TableInfo> {
    const table = this.tables.get(name);
    if (!table) throw new AwsError('not-found', `DescribeTable ${name}: ResourceNotFoundException: Requested resource not found`);
    return table.info;
  }

  /** The table's items as they are now (what an export of it shows). */
  itemsOf(name: string): Item[] {
    return [...this.tables.get(name)!.items];
  }

  async scanPage(request: ScanPageRequest): Promise<ScanPage> {
    this.scans++;
    const table = this.tables.get(request.table);
    if (!table) throw new AwsError('not-found', `Scan ${request.table}: ResourceNotFoundException`);
    const segment = table.items.filter((_, index) => index % request.totalSegments === request.segment);
    const after = request.exclusiveStartKey ? segment.findIndex((item) => sameKey(item, request.exclusiveStartKey!)) + 1 : 0;
    const items = segment.slice(after, after + request.limit);
    const more = after + items.length < segment.length;
    return { items, ...(more ? { lastEvaluatedKey: { id: items.at(-1)!.id! } } : {}), consumedReadCapacity: items.length / 2 };
  }
}

// ---------------------------------------------------------------------------------------------- exports

/**
 * DynamoDB's export to S3: `start` takes the table's items as they are then and cuts them into files of
 * `itemsPerFile`; the export is IN_PROGRESS for `describesUntilDone` - 1 DescribeExport calls, then COMPLETED (or the
 * `failure` set). `failItemsAt` makes reading a file fail at that line number (1-based) once.
 */
export class InMemoryExports implements TableExports {
  readonly started: Array<{ table: string; destination: ExportDestination }> = [];
  readonly reads: Array<{ key: string; skip: number }> = [];
  private readonly exports = new Map<string, { files: ExportedFile[]; lines: Map<string, Item[]>; describes: number }>();
  describesUntilDone = 1;
  failure: string | undefined;
  failItemsAt: { key: string; line: number; error: Error } | undefined;

  constructor(
    private readonly itemsOf: (table: string) => Item[],
    private readonly itemsPerFile = 4,
  ) {}

  async start(table: { name: string; arn: string }, destination: ExportDestination): Promise<ExportProgress> {
    this.started.push({ table: table.name, destination });
    const exportArn = `${table.arn}/export/${this.started.length}`;
    const items = this.itemsOf(table.name);
    const files: ExportedFile[] = [];
    const lines = new Map<string, Item[]>();
    for (let from = 0; from < items.length; from += this.itemsPerFile) {
      const key = `${destination.prefix ?? ''}AWSDynamoDB/${this.started.length}/data/${files.length}.json.gz`;
      const chunk = items.slice(from, from + this.itemsPerFile);
      files.push({ key, itemCount: chunk.length });
      lines.set(key, chunk);
    }
    this.exports.set(exportArn, { files, lines, describes: 0 });
    return { exportArn, state: 'IN_PROGRESS' };
  }

  async describe(exportArn: string): Promise<ExportProgress> {
    const found = this.exports.get(exportArn);
    if (!found) throw new AwsError('not-found', `DescribeExport ${exportArn}: ExportNotFoundException`);
    if (++found.describes < this.describesUntilDone) return { exportArn, state: 'IN_PROGRESS', itemCount: 0 };
    if (this.failure) return { exportArn, state: 'FAILED', failure: this.failure };
    return { exportArn, state: 'COMPLETED', itemCount: found.files.reduce((sum, file) => sum + file.itemCount, 0), manifestKey: `${exportArn}/manifest-summary.json` };
  }

  async files(_bucket: string, manifestKey: string): Promise<ExportedFile[]> {
    return this.exports.get(manifestKey.replace(/\/manifest-summary\.json$/, ''))!.files;
  }

  async *items(_bucket: string, file: ExportedFile, skip: number, _signal?: AbortSignal): AsyncIterable<Record<string, AttributeValue>> {
    this.reads.push({ key: file.key, skip });
    const lines = [...this.exports.values()].find((found) => found.lines.has(file.key))!.lines.get(file.key)!;
    for (let index = skip; index < lines.length; index++) {
      const failing = this.failItemsAt;
      if (failing && failing.key === file.key && failing.line === index + 1) {
        this.failItemsAt = undefined;
        throw failing.error;
      }
      await yieldToEvents();
      yield lines[index]!;
    }
  }
}

function sameKey(item: Item, key: Record<string, AttributeValue>): boolean {
  return item.id?.S === key.id?.S;
}

// ---------------------------------------------------------------------------------------------- catalog

type CatalogOperation = 'findByTags' | 'listTables' | 'tagsOf';

/**
 * An account's tables and their tags, for TAG discovery. The Tagging API search is there only when built with
 * `taggingApi`; the next calls of an operation can be made to fail with `fail`; `afterListing` runs between a
 * listing and the tag lookups that follow it (a table deleted there is listed but has no tags any more).
 */
export class InMemoryTableCatalog implements TableCatalog {
  private readonly tables = new Map<string, Record<string, string>>();
  private readonly failing = new Map<CatalogOperation, Error[]>();
  readonly calls: CatalogOperation[] = [];
  /** The most tag lookups that were in flight at once. */
  maxTagLookupsAtOnce = 0;
  private tagLookups = 0;
  afterListing?: () => void;
  readonly findByTags?: (filters: readonly TagFilter[]) => Promise<string[]>;

  constructor(options: { taggingApi?: boolean } = {}) {
    if (options.taggingApi) {
      this.findByTags = async (filters) => {
        this.call('findByTags');
        return [...this.tables].filter(([, tags]) => matchesTagFilters(tags, filters)).map(([name]) => name);
      };
    }
  }

  /** Adds the table, or replaces its tags. */
  tag(table: string, tags: Record<string, string>): void {
    this.tables.set(table, { ...tags });
  }

  remove(table: string): void {
    this.tables.delete(table);
  }

  fail(operation: CatalogOperation, ...errors: Error[]): void {
    this.failing.set(operation, [...(this.failing.get(operation) ?? []), ...errors]);
  }

  async listTables(): Promise<string[]> {
    this.call('listTables');
    const names = [...this.tables.keys()].reverse(); // not sorted: discovery sorts
    this.afterListing?.();
    return names;
  }

  async tagsOf(table: string): Promise<Record<string, string>> {
    this.call('tagsOf');
    this.maxTagLookupsAtOnce = Math.max(this.maxTagLookupsAtOnce, ++this.tagLookups);
    try {
      await yieldToEvents();
      const tags = this.tables.get(table);
      if (!tags) throw new AwsError('not-found', `ListTagsOfResource ${table}: ResourceNotFoundException`);
      return { ...tags };
    } finally {
      this.tagLookups--;
    }
  }

  private call(operation: CatalogOperation): void {
    this.calls.push(operation);
    const failure = this.failing.get(operation)?.shift();
    if (failure) throw failure;
  }
}

// ---------------------------------------------------------------------------------------------- streams

interface FakeShard {
  shardId: string;
  parentShardId?: string;
  records: StreamRecord[];
  closed: boolean;
  /** Records before this index were trimmed (past the 24 h retention). */
  trimmedBefore: number;
}

/**
 * One stream per ARN, made of shards. Iterators are `arn|shard|index|generation`; `expireIterators()` makes every
 * iterator handed out so far fail as DynamoDB's do after 15 minutes.
 */
export class InMemoryStreams implements ChangeStreams {
  private readonly streams = new Map<string, FakeShard[]>();
  private sequence = 100;
  private generation = 0;
  /** Shard ids in the order GetRecords was called for them, with the sequence numbers it returned. */
  readonly reads: Array<{ shardId: string; sequenceNumbers: string[] }> = [];

  addShard(streamArn: string, shardId: string, parentShardId?: string): void {
    const shards = this.streams.get(streamArn) ?? [];
    shards.push({ shardId, ...(parentShardId ? { parentShardId } : {}), records: [], closed: false, trimmedBefore: 0 });
    this.streams.set(streamArn, shards);
  }

  /** Appends a change; returns its sequence number. */
  put(streamArn: string, shardId: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', newImage: Item | undefined, oldImage?: Item): string {
    const shard = this.shard(streamArn, shardId);
    if (shard.closed) throw new Error(`fake: shard ${shardId} is closed`);
    const sequenceNumber = String(++this.sequence).padStart(21, '0');
    const keys = { id: (newImage ?? oldImage)!.id! };
    shard.records.push({
      eventName,
      dynamodb: {
        ApproximateCreationDateTime: new Date(),
        Keys: keys,
        SequenceNumber: sequenceNumber,
        ...(newImage ? { NewImage: newImage } : {}),
        ...(oldImage ? { OldImage: oldImage } : {}),
      },
    } as StreamRecord);
    return sequenceNumber;
  }

  close(streamArn: string, shardId: string): void {
    this.shard(streamArn, shardId).closed = true;
  }

  trim(streamArn: string, shardId: string, count: number): void {
    this.shard(streamArn, shardId).trimmedBefore = count;
  }

  expireIterators(): void {
    this.generation++;
  }

  async describe(streamArn: string): Promise<StreamDescription> {
    const shards = this.streams.get(streamArn);
    if (!shards) throw new AwsError('not-found', `DescribeStream ${streamArn}: ResourceNotFoundException`);
    return {
      streamArn,
      status: 'ENABLED',
      shards: shards.map((shard) => ({
        shardId: shard.shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        ...(shard.records[0] ? { startingSequenceNumber: shard.records[0].dynamodb!.SequenceNumber! } : {}),
        ...(shard.closed && shard.records.length > 0 ? { endingSequenceNumber: shard.records.at(-1)!.dynamodb!.SequenceNumber! } : {}),
      })),
    };
  }

  async iterator(streamArn: string, shardId: string, start: IteratorStart): Promise<string> {
    const shard = this.shard(streamArn, shardId);
    let index: number;
    if (start.type === 'TRIM_HORIZON') index = shard.trimmedBefore;
    else if (start.type === 'LATEST') index = shard.records.length;
    else {
      const at = shard.records.findIndex((record) => record.dynamodb!.SequenceNumber === start.sequenceNumber);
      if (at < 0) throw new AwsError('invalid', `GetShardIterator ${shardId}: unknown sequence number ${start.sequenceNumber}`);
      index = at + 1;
      if (index < shard.trimmedBefore) throw new AwsError('trimmed', `GetShardIterator ${shardId}: TrimmedDataAccessException`);
    }
    return [streamArn, shardId, index, this.generation].join('|');
  }

  async read(iterator: string, limit: number, shardId: string): Promise<RecordsPage> {
    const [streamArn, , indexText, generation] = iterator.split('|');
    if (Number(generation) !== this.generation) throw new AwsError('expired-iterator', `GetRecords ${shardId}: ExpiredIteratorException`);
    const shard = this.shard(streamArn!, shardId);
    const index = Number(indexText);
    if (index < shard.trimmedBefore) throw new AwsError('trimmed', `GetRecords ${shardId}: TrimmedDataAccessException`);
    const records = shard.records.slice(index, index + limit);
    this.reads.push({ shardId, sequenceNumbers: records.map((record) => record.dynamodb!.SequenceNumber!) });
    const next = index + records.length;
    const ended = shard.closed && next >= shard.records.length;
    return { records, ...(ended ? {} : { nextIterator: [streamArn, shardId, next, this.generation].join('|') }) };
  }

  private shard(streamArn: string, shardId: string): FakeShard {
    const shard = this.streams.get(streamArn)?.find((candidate) => candidate.shardId === shardId);
    if (!shard) throw new AwsError('not-found', `shard ${shardId} of ${streamArn}: ResourceNotFoundException`);
    return shard;
  }
}

// ---------------------------------------------------------------------------------------------- Kafka

/**
 * Topics of committed messages. A transactional writer's write commits all its messages or none (a write can be
 * made to fail with `failWrites`); opening a writer with a transactional id fences the earlier one with that id.
 */
export class InMemoryKafka implements SourceKafka {
  readonly topics = new Map<string, { spec: TopicSpec; messages: OutgoingMessage[] }>();
  private readonly owners = new Map<string, object>();
  /** The transactional id of every writer opened, in order (undefined: an at-least-once writer). */
  readonly writersOpened: Array<string | undefined> = [];
  /** The next writes to fail (before anything of them is committed), with this error. */
  private failing: Array<Error> = [];
  down = false;

  failWrites(...errors: Error[]): void {
    this.failing.push(...errors);
  }

  messages(topic: string): OutgoingMessage[] {
    return this.topics.get(topic)?.messages ?? [];
  }

  async ensureTopic(spec: TopicSpec): Promise<void> {
    if (!this.topics.has(spec.topic)) this.topics.set(spec.topic, { spec, messages: [] });
  }

  async openWriter(options: { transactionalId?: string; maxMessageBytes: number }): Promise<BatchWriter> {
    const owner = {};
    const { transactionalId } = options;
    this.writersOpened.push(transactionalId);
    if (transactionalId !== undefined) this.owners.set(transactionalId, owner);
    const commit = (messages: OutgoingMessage[]) => {
      for (const message of messages) {
        if (!this.topics.has(message.topic)) throw new Error(`fake Kafka: topic ${message.topic} does not exist`);
        this.topics.get(message.topic)!.messages.push(message);
      }
    };
    return {
      exactlyOnce: transactionalId !== undefined,
      write: async (data, offsets) => {
        await Promise.resolve();
        if (transactionalId !== undefined && this.owners.get(transactionalId) !== owner) {
          throw new FencedError(`transactional id ${transactionalId} was taken over by another producer`);
        }
        const failure = this.failing.shift();
        if (failure) throw failure;
        commit([...data, ...offsets]);
      },
      close: async () => undefined,
    };
  }

  async loadOffsets(topic: string, connector: string): Promise<OffsetStore> {
    await this.ensureTopic({ topic, partitions: 1, replicationFactor: 1 });
    const store = OffsetStore.empty(topic, connector);
    for (const message of this.messages(topic)) {
      const parsed = message.key === null ? undefined : parseOffsetKey(message.key.toString());
      if (parsed?.connector === connector) store.apply(parsed.partition, message.value === null ? null : JSON.parse(message.value.toString()));
    }
    return store;
  }

  async probe(): Promise<void> {
    if (this.down) throw new Error('fake Kafka: down');
  }

  async close(): Promise<void> {}
}
