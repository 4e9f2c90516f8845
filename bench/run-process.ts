// A `dynamodb-kafka run` process as the benches start it: spawned from bin/ with a connector file, its stderr kept
// (the last lines, for errors), and stopped with SIGTERM (SIGKILL after a minute).
import { spawn, type ChildProcess } from 'node:child_process';
import { procCpuMicros } from './measure.js';

export class RunProcess {
  readonly child: ChildProcess;
  private log = '';

  /**
   * `nodeArgs` go before the CLI (e.g. --import), `cliArgs` after `run`. `onLine` sees each stderr line first and
   * says whether it is the process's own report rather than its log (the memory probe's lines).
   */
  constructor(file: string, options: { nodeArgs?: string[]; cliArgs?: string[]; onLine?: (line: string) => boolean } = {}) {
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/dynamodb-kafka.js', 'run', ...(options.cliArgs ?? []), file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (!options.onLine?.(line)) this.log = `${this.log}${line}\n`.slice(-50_000);
    });
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logTail(): string {
    return this.log.slice(-3000);
  }

  /** The first match of `pattern` in the log, once it is there; fails if the process exits first. */
  async logged(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.log);
      if (match) return match;
      if (this.exited) throw new Error(`the connector process exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`benchmark: timed out waiting for ${what}:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The process's CPU (user + system, all threads) so far, in µs. */
  cpuMicros(): number {
    return procCpuMicros(this.child.pid!) ?? Number.NaN;
  }

  /** SIGTERM, and SIGKILL after a minute, unless it is gone already. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(killer);
  }
}
