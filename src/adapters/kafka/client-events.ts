import type { KafkaJS } from '@confluentinc/kafka-javascript';

export interface LogSink {
  warn(message: string): void;
}

/** The same client line is written at most once in this long (librdkafka repeats a failing connect every second). */
const REPEAT_AFTER_MS = 60_000;

/** How long a connection failure explains later errors: an operation's timeout is at most about this long. */
const FAILURE_RELEVANT_MS = 120_000;

/**
 * What the Kafka clients of one connection say about themselves: their log lines and errors, which librdkafka
 * hands over as objects, become one readable line each (a repeated line at most once a minute), and the last
 * broker connection failure is kept, so an operation that then times out can say why ("Connection refused").
 */
export class KafkaClientEvents {
  private lastFailure?: { text: string; at: number };
  private readonly lastWritten = new Map<string, number>();

  constructor(
    readonly bootstrapServers: string,
    private readonly sink: LogSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** A logger for the KafkaJS-compatible clients (`kafkaJS: { logger }`): warnings and errors only. */
  readonly logger: KafkaJS.Logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (message: string, extra?: object) => this.clientSaid(message, facilityOf(extra)),
    error: (message: string, extra?: object) => this.clientSaid(message, facilityOf(extra)),
    namespace: () => this.logger,
    setLogLevel: () => undefined,
  };

  /** An error event of a native client (`event.error`). */
  clientError(error: { message?: string; code?: number } | Error): void {
    this.clientSaid(error.message ?? String(error), 'ERROR');
  }

  /**
   * The last broker connection failure, when it is recent enough to explain a failure now: e.g. "Connect to
   * ipv4#127.0.0.1:1 failed: Connection refused".
   */
  recentFailure(): string | undefined {
    if (!this.lastFailure || this.now() - this.lastFailure.at > FAILURE_RELEVANT_MS) return undefined;
    return this.lastFailure.text;
  }

  /** The error's message, with the connection failure that likely caused it and the endpoint. */
  explain(message: string): string {
    const failure = this.recentFailure();
    if (!failure || message.includes(failure)) return message;
    return `${message} (Kafka at ${this.bootstrapServers}: ${failure})`;
  }

  private clientSaid(raw: string, facility: string | undefined): void {
    const text = readable(raw);
    if (facility === 'FAIL' || /failed|refused|timed out|unreachable|authentication|ssl|sasl/i.test(text)) {
      this.lastFailure = { text, at: this.now() };
    }
    // Digits vary between repeats (suppression counts, ms, ports in retries): one line per kind of message.
    const kind = text.replace(/\d+/g, '#');
    const writtenAt = this.lastWritten.get(kind);
    if (writtenAt !== undefined && this.now() - writtenAt < REPEAT_AFTER_MS) return;
    this.lastWritten.set(kind, this.now());
    this.sink.warn(`Kafka client (${this.bootstrapServers}): ${text}`);
  }
}

/**
 * librdkafka's line without its thread prefix and counters:
 * "[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused
 * (after 0ms in state CONNECT, 1 identical error(s) suppressed)" → "127.0.0.1:1/bootstrap: Connect to
 * ipv4#127.0.0.1:1 failed: Connection refused".
 */
export function readable(raw: string): string {
  return raw
    .replace(/^\[thrd:[^\]]*\]:\s*/, '')
    .replace(/\s*\(after \d+ms in state [A-Z_]+(?:, \d+ identical error\(s\) suppressed)?\)\s*$/, '')
    .trim();
}

function facilityOf(extra: object | undefined): string | undefined {
  return (extra as { fac?: string } | undefined)?.fac;
}
