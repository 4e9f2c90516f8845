import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConsumedRecord } from './topic-follower.js';

/**
 * A table changing under a snapshot: puts, updates and deletes whose every write carries `w`, a counter that only
 * grows, so a topic can tell a newer state of a key from an older one.
 */

export interface Envelope {
  op: string;
  source: { sync_mode: string; snapshotCount: number | null };
  after: { document: string } | null;
}

/** Each key's records in topic order: `r` reads and stream changes, with the write counter `w` they carry. */
function historyByKey(records: ConsumedRecord[]): Map<string, Array<{ op: string; w: number | undefined }>> {
  const history = new Map<string, Array<{ op: string; w: number | undefined }>>();
  for (const record of records) {
    if (record.key === null || record.value === null) continue;
    const envelope = JSON.parse(record.value) as Envelope;
    const after = envelope.after ? (JSON.parse(envelope.after.document) as Record<string, { N?: string }>) : undefined;
    const entries = history.get(record.key) ?? [];
    entries.push({ op: envelope.op, w: after?.w?.N === undefined ? undefined : Number(after.w.N) });
    history.set(record.key, entries);
  }
  return history;
}

/**
 * Keys whose state went backwards once their first stream change was in the topic: a later record (a snapshot
 * read or a change) carrying an older write than one already seen.
 */
export function backwardsAfterFirstChange(records: ConsumedRecord[]): string[] {
  const backwards: string[] = [];
  for (const [key, entries] of historyByKey(records)) {
    const first = entries.findIndex((entry) => entry.op !== 'r');
    if (first < 0) continue;
    let latest = -1;
    for (const entry of entries.slice(first)) {
      if (entry.w === undefined) continue;
      if (entry.w < latest) {
        backwards.push(key);
        break;
      }
      latest = entry.w;
    }
  }
  return backwards;
}

/**
 * Puts, updates and deletes over the keys `item-0`…`item-<keys - 1>` until stopped, one write at a time, each
 * with the next `w`.
 */
export function startChurn(dynamodb: DynamoDBClient, table: string, keys: number) {
  let w = 0;
  let stopped = false;
  /** Set while paused: the loop parks on `resumed` after telling `parked`. */
  let pause: { parked: () => void; resumed: Promise<void>; resume: () => void } | undefined;
  const loop = (async () => {
    while (!stopped) {
      if (pause) {
        pause.parked();
        await pause.resumed;
        continue;
      }
      const id = { S: `item-${(w * 7919) % keys}` };
      w++;
      switch (w % 3) {
        case 0:
          await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id, w: { N: String(w) }, kind: { S: 'put' } } }));
          break;
        case 1:
          await dynamodb.send(
            new UpdateItemCommand({ TableName: table, Key: { id }, UpdateExpression: 'SET w = :w, kind = :k', ExpressionAttributeValues: { ':w': { N: String(w) }, ':k': { S: 'update' } } }),
          );
          break;
        default:
          await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id } }));
      }
    }
  })();
  return {
    get writes() {
      return w;
    },
    /** Resolves once the write in flight is done and no other starts. */
    pause(): Promise<void> {
      return new Promise<void>((parked) => {
        let resume!: () => void;
        const resumed = new Promise<void>((resolve) => (resume = resolve));
        pause = { parked, resumed, resume };
      });
    },
    resume() {
      const paused = pause;
      pause = undefined;
      paused?.resume();
    },
    async stop() {
      stopped = true;
      this.resume();
      await loop;
    },
  };
}
