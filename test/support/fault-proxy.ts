import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, faultAnswer, operationOf, type FaultKind, type FaultRule } from './fault-plan.js';

export interface OperationCounts {
  forwarded: number;
  faulted: number;
  /** Requests that arrived, or whose answer was on its way, while the proxy was frozen. */
  held: number;
}

/**
 * An HTTP proxy in front of DynamoDB Local that a test points a connector at, to make DynamoDB misbehave on
 * command: answer a share of requests with throttling errors or 5xx (seeded, see FaultPlan), or freeze — hold
 * every request and every answer on its way back until thawed, as a stopped server would.
 */
export class FaultProxy {
  readonly counts = new Map<string, OperationCounts>();
  private rule: FaultRule | undefined;
  private thawed: Promise<void> = Promise.resolve();
  private releaseHeld: (() => void) | undefined;
  private readonly upstreamAgent = new Agent({ keepAlive: true });

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    private readonly plan: FaultPlan,
    readonly seed: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `upstreamEndpoint` (`http://127.0.0.1:PORT`). */
  static async start(upstreamEndpoint: string, seed: number): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((incoming, outgoing) => void proxy!.handle(incoming, outgoing));
    proxy = new FaultProxy(server, new URL(upstreamEndpoint), new FaultPlan(seed), seed);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get frozen(): boolean {
    return this.releaseHeld !== undefined;
  }

  /** Faults requests by `rule` from now until clearFaults(). */
  injectFaults(rule: FaultRule): void {
    this.rule = rule;
  }

  clearFaults(): void {
    this.rule = undefined;
  }

  freeze(): void {
    if (this.releaseHeld) return;
    this.thawed = new Promise((resolve) => (this.releaseHeld = resolve));
  }

  /** Lets every held request and answer go on. */
  thaw(): void {
    const release = this.releaseHeld;
    this.releaseHeld = undefined;
    release?.();
  }

  /** Requests of `operation` faulted so far (all operations when absent). */
  faulted(operation?: string): number {
    return this.total('faulted', operation);
  }

  forwarded(operation?: string): number {
    return this.total('forwarded', operation);
  }

  held(operation?: string): number {
    return this.total('held', operation);
  }

  async close(): Promise<void> {
    this.thaw();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.upstreamAgent.destroy();
  }

  private total(field: keyof OperationCounts, operation?: string): number {
    if (operation) return this.counts.get(operation)?.[field] ?? 0;
    return [...this.counts.values()].reduce((sum, counts) => sum + counts[field], 0);
  }

  private count(operation: string): OperationCounts {
    let counts = this.counts.get(operation);
    if (!counts) this.counts.set(operation, (counts = { forwarded: 0, faulted: 0, held: 0 }));
    return counts;
  }

  private async handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const operation = operationOf(incoming.headers['x-amz-target'] as string | undefined);
    const counts = this.count(operation);
    try {
      const body = await readBody(incoming);
      await this.holdWhileFrozen(counts);
      const fault: FaultKind | undefined = this.plan.decide(operation, this.rule);
      if (fault) {
        counts.faulted++;
        const answer = faultAnswer(fault, operation);
        outgoing.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        outgoing.end(answer.body);
        return;
      }
      const answer = await this.forward(incoming, body);
      counts.forwarded++;
      // A frozen server does not answer either, even a request it took before freezing.
      await this.holdWhileFrozen(counts);
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
    } catch (error) {
      // The upstream connection failed: what a client sees when the server's socket breaks.
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private async holdWhileFrozen(counts: OperationCounts): Promise<void> {
    if (!this.frozen) return;
    counts.held++;
    while (this.frozen) await this.thawed;
  }

  private forward(incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: this.upstream.hostname,
          port: this.upstream.port,
          method: incoming.method,
          path: incoming.url,
          // Unchanged, host included: it is part of what the client signed.
          headers: incoming.headers,
          agent: this.upstreamAgent,
        },
        (answer) => {
          readBody(answer).then((answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }), reject);
        },
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}
