import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStreamRecord } from '../../../src/domain/change.js';
import { streamName, toStreamRecord, type LambdaStreamEvent } from '../../../src/lambda/event.js';
import { candidateShards } from '../../../src/lambda/shard-resolver.js';

/** AWS's documented DynamoDB Streams event (the Lambda developer guide's example; the REMOVE made by TTL). */
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/lambda/dynamodb-stream-event.json', import.meta.url), 'utf8')) as LambdaStreamEvent;
const origin = { tableName: 'ExampleTableWithStream', keySchema: { hashKey: 'Id' }, shardId: 'shardId-1', nowMs: 0 };

describe('lambda: the event adapter', () => {
  it("reads AWS's documented event as the source reads GetRecords records", () => {
    const changes = fixture.Records.map((record) => readStreamRecord(toStreamRecord(record), origin));
    expect(changes.map((change) => change.op)).toEqual(['c', 'u', 'd']);
    expect(changes[0]).toMatchObject({
      keys: { Id: { N: '101' } },
      after: { Message: { S: 'New item!' }, Id: { N: '101' } },
      before: null,
      changedAtMs: 1428537600_000,
      sequenceNumber: '4421584500000000017450439091',
      ttlExpired: false,
    });
    expect(changes[1]!.before).toEqual({ Message: { S: 'New item!' }, Id: { N: '101' } });
    expect(changes[2]).toMatchObject({ after: null, ttlExpired: true });
  });

  it('turns base64 binaries into bytes and keeps fractions of a second', () => {
    const record = toStreamRecord({
      eventName: 'INSERT',
      dynamodb: { Keys: { b: { B: 'AQID' } }, NewImage: { b: { B: 'AQID' }, set: { BS: ['BA=='] } }, ApproximateCreationDateTime: 1700000000.25, SequenceNumber: '1' },
    });
    expect(record.dynamodb!.Keys).toEqual({ b: { B: new Uint8Array([1, 2, 3]) } });
    expect(record.dynamodb!.NewImage!.set).toEqual({ BS: [new Uint8Array([4])] });
    expect(record.dynamodb!.ApproximateCreationDateTime!.getTime()).toBe(1700000000250);
  });

  it('names the attribute of a value that is not DynamoDB JSON', () => {
    expect(() => toStreamRecord({ eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'a' } }, NewImage: { n: { N: 'many' } } } })).toThrow(/n/);
  });

  it('reads the table and label from the stream ARN, and refuses anything else', () => {
    expect(streamName(fixture.Records[0]!.eventSourceARN)).toEqual({
      streamArn: fixture.Records[0]!.eventSourceARN,
      tableName: 'ExampleTableWithStream',
      label: '2015-06-27T00:48:05.899',
    });
    expect(() => streamName('arn:aws:kinesis:us-east-1:1:stream/x')).toThrow(/not a DynamoDB stream ARN/);
  });

  it("finds the shards that may hold a sequence number: a closed range, else open shards newest first", () => {
    const shards = [
      { shardId: 'parent', startingSequenceNumber: '100', endingSequenceNumber: '199' },
      { shardId: 'child', parentShardId: 'parent', startingSequenceNumber: '200' },
      { shardId: 'other', startingSequenceNumber: '150' },
    ];
    expect(candidateShards(shards, '120')).toEqual({ closed: [shards[0]], open: [] });
    expect(candidateShards(shards, '160').open.map((shard) => shard.shardId)).toEqual(['other']);
    expect(candidateShards(shards, '250').open.map((shard) => shard.shardId)).toEqual(['child', 'other']);
    expect(candidateShards(shards, '50')).toEqual({ closed: [], open: [] });
  });
});
