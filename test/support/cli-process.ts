import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'dynamodb-kafka.js');

/** A `dynamodb-kafka run` (or `worker`) process, as an operator would start it, with its output kept for assertions. */
export class ConnectorProcess {
  output = '';
  private constructor(
    private readonly child: ChildProcess,
    private readonly isWorker = false,
  ) {
    child.stdout!.on('data', (chunk) => (this.output += chunk));
    child.stderr!.on('data', (chunk) => (this.output += chunk));
  }

  static start(name: string, config: Record<string, string>, options: string[] = []): ConnectorProcess {
    const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-connector-')), `${name}.json`);
    writeFileSync(file, JSON.stringify({ name, config }));
    return new ConnectorProcess(spawn(process.execPath, [cli, 'run', ...options, file], { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** `dynamodb-kafka worker` with these worker properties. */
  static worker(properties: Record<string, string>): ConnectorProcess {
    const file = join(mkdtempSync(join(tmpdir(), 'dynamodb-kafka-worker-')), 'worker.properties');
    writeFileSync(file, Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n'));
    return new ConnectorProcess(spawn(process.execPath, [cli, 'worker', file], { stdio: ['ignore', 'pipe', 'pipe'] }), true);
  }

  /** The REST API's base URL, once the process has said where it listens. */
  async restUrl(timeoutMs = 60_000): Promise<string> {
    const pattern = /REST API at (http:\/\/[^\s]+)\/connectors/;
    await expect.poll(() => pattern.exec(this.output)?.[1], { timeout: timeoutMs }).toBeDefined();
    // A worker's REST API starts before it joins its cluster (and answers 503 until then): wait for the join too.
    if (this.isWorker) await expect.poll(() => /worker of group /.test(this.output), { timeout: timeoutMs }).toBe(true);
    return pattern.exec(this.output)![1]!;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Sends a signal that does not end the process (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Sends `signal` and resolves with the exit code (or signal name) once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (this.exited) return this.child.exitCode ?? this.child.signalCode!;
    const exit = once(this.child, 'exit');
    this.child.kill(signal);
    const [code, killedBy] = (await exit) as [number | null, string | null];
    return code ?? killedBy!;
  }
}
