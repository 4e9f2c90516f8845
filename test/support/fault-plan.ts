/**
 * The pure half of the fault proxy: which request gets which fault, and what DynamoDB would answer. Kept apart
 * from the HTTP plumbing so it is unit-tested, and driven by a seeded generator so a failing run can be replayed
 * with the same seed (FAULT_SEED).
 */

/** mulberry32: a tiny, well-mixed 32-bit generator; the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of this run: FAULT_SEED when set (to replay a failure), else a fresh one (printed by the tests). */
export function faultSeed(): number {
  const given = process.env.FAULT_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED must be an integer, got ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

export type FaultKind = 'throttle' | 'internal-error' | 'unavailable';

export interface FaultRule {
  /** Share of matching requests answered with a fault, 0..1. */
  fraction: number;
  /** Picked evenly for each faulted request. */
  kinds: FaultKind[];
  /** Operation names (`Scan`, `GetRecords`, `BatchWriteItem`); every operation when absent. */
  operations?: string[];
}

export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** `Scan` from `DynamoDB_20120810.Scan`, `GetRecords` from `DynamoDBStreams_20120810.GetRecords`. */
export function operationOf(target: string | undefined): string {
  if (!target) return 'unknown';
  const dot = target.lastIndexOf('.');
  return dot < 0 ? target : target.slice(dot + 1);
}

/** Item reads and writes are throttled with ProvisionedThroughputExceededException; the rest with ThrottlingException. */
const DATA_PLANE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
]);

/** The answer DynamoDB (or DynamoDB Streams) gives for `kind` on `operation`, as the AWS JSON 1.0 protocol has it. */
export function faultAnswer(kind: FaultKind, operation: string): FaultAnswer {
  const [status, type, message] = ((): [number, string, string] => {
    switch (kind) {
      case 'throttle':
        return DATA_PLANE.has(operation)
          ? [400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.']
          : [400, 'com.amazon.coral.availability#ThrottlingException', 'Rate exceeded'];
      case 'internal-error':
        return [500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error'];
      case 'unavailable':
        return [503, 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', 'Service unavailable'];
    }
  })();
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-proxy-${operation}` },
    body: JSON.stringify({ __type: type, message: `${message} (injected by the fault proxy)` }),
  };
}

/** Draws, per request, whether and how `rule` faults it; one draw per matching request keeps runs replayable. */
export class FaultPlan {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  decide(operation: string, rule: FaultRule | undefined): FaultKind | undefined {
    if (!rule || (rule.operations && !rule.operations.includes(operation))) return undefined;
    const draw = this.random();
    if (draw >= rule.fraction) return undefined;
    // The same draw picks the kind: below `fraction` it is spread evenly over the kinds.
    return rule.kinds[Math.min(rule.kinds.length - 1, Math.floor((draw / rule.fraction) * rule.kinds.length))];
  }
}
