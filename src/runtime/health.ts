import type { AwsCallObserver } from '../adapters/dynamodb/client.js';
import type { TransactionObserver } from '../adapters/kafka/client.js';

/** Calls stuck or failing longer than this make a connector unhealthy (`GET /health` 503) unless set otherwise. */
export const DEFAULT_STUCK_AFTER_MS = 60_000;

/** Why a connector is not making progress, and since when (ms since the epoch). */
export interface StuckReport {
  reason: string;
  since: number;
}

interface Pending {
  what: string;
  since: number;
}

/**
 * Watches one connector's DynamoDB calls and Kafka transactions for what a status alone does not show: a call
 * that hangs (DynamoDB or the broker frozen: the state still says STREAMING), or calls that keep failing. It
 * sees each call begin and end through the adapters' observers, so a hanging call is found while it hangs.
 */
export class ConnectorWatch {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Kinds of call (`DynamoDB Scan`, `Kafka transaction`) whose latest calls all failed: since when, and why. */
  private readonly failing = new Map<string, { since: number; error: string }>();

  constructor(
    readonly connector: string,
    private readonly now: () => number = Date.now,
  ) {}

  readonly aws: AwsCallObserver = {
    started: (operation) => {
      const end = this.begin(`DynamoDB ${operation}`);
      return (call) => end(call.outcome === 'ok', call.error);
    },
  };

  readonly transactions: TransactionObserver = {
    began: () => {
      const end = this.begin('Kafka transaction');
      return (outcome, _seconds, _records, error) => end(outcome === 'committed', error);
    },
  };

  /** Undefined while calls complete; otherwise the oldest call pending or the failures, past `stuckAfterMs`. */
  stuck(stuckAfterMs: number): StuckReport | undefined {
    const now = this.now();
    let oldest: Pending | undefined;
    for (const call of this.pending.values()) if (!oldest || call.since < oldest.since) oldest = call;
    if (oldest && now - oldest.since >= stuckAfterMs) {
      return { reason: `a ${oldest.what} call has been pending for ${Math.round((now - oldest.since) / 1000)} s`, since: oldest.since };
    }
    let failing: [string, { since: number; error: string }] | undefined;
    for (const entry of this.failing) if (!failing || entry[1].since < failing[1].since) failing = entry;
    if (failing && now - failing[1].since >= stuckAfterMs) {
      const [what, { since, error }] = failing;
      return { reason: `${what} calls have failed for ${Math.round((now - since) / 1000)} s, none succeeded: ${error}`, since };
    }
    return undefined;
  }

  private begin(what: string): (ok: boolean, error?: string) => void {
    const id = this.nextId++;
    this.pending.set(id, { what, since: this.now() });
    return (ok, error) => {
      this.pending.delete(id);
      if (ok) this.failing.delete(what);
      else this.failing.set(what, { since: this.failing.get(what)?.since ?? this.now(), error: error ?? 'unknown error' });
    };
  }
}

/** The process's health, as `GET /health` answers it: every connector's watch, one threshold. */
export class Health {
  private readonly watches = new Map<string, ConnectorWatch>();

  constructor(
    public stuckAfterMs: number = DEFAULT_STUCK_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The watch of a connector (made on first use; a restarted connector keeps its watch). */
  watch(connector: string): ConnectorWatch {
    let watch = this.watches.get(connector);
    if (!watch) this.watches.set(connector, (watch = new ConnectorWatch(connector, this.now)));
    return watch;
  }

  forget(connector: string): void {
    this.watches.delete(connector);
  }

  stuck(connector: string): StuckReport | undefined {
    return this.watches.get(connector)?.stuck(this.stuckAfterMs);
  }

  /** Every stuck connector, by name. */
  problems(): Array<StuckReport & { connector: string }> {
    return [...this.watches.values()].flatMap((watch) => {
      const report = watch.stuck(this.stuckAfterMs);
      return report ? [{ connector: watch.connector, ...report }] : [];
    });
  }
}
