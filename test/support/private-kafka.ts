import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled } from '../../src/stack/install.js';
import { restartKafka, startKafka, type KafkaServer } from '../../src/stack/kafka-server.js';
import { stackPaths } from '../../src/stack/paths.js';
import { isAlive, killProcess, stopProcess } from '../../src/stack/processes.js';

export interface PrivateKafka {
  readonly bootstrapServers: string;
  readonly pid: number;
  /** SIGSTOP: the broker keeps its connections open but answers nothing, like a long GC pause or a hung host. */
  freeze(): void;
  /** SIGCONT: the frozen broker goes on where it stopped. */
  thaw(): void;
  /**
   * Stops the broker (cleanly, or with SIGKILL) and starts it again on the same ports with the same log
   * directory; resolves once it answers. Returns when it was stopped and when it answered again (Date.now()).
   */
  restart(how: 'clean' | 'kill'): Promise<{ stoppedAt: number; answeringAt: number }>;
  stop(): Promise<void>;
}

/**
 * A Kafka broker of the test's own, for tests that freeze or restart it: the shared broker must not stall or
 * lose the connections of the suites running beside them.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const runDir = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-private-kafka-'));
  // Marks the process as this test's, as the stack marks its own (`-Ddynamodb-kafka.stack=…`).
  const marker = `-Ddynamodb-kafka.test=${runDir}`;
  const install = await ensureInstalled(stackPaths());
  let server: KafkaServer = await startKafka(install, runDir, marker);
  let frozen = false;
  const signal = (name: NodeJS.Signals) => {
    if (isAlive(server.pid)) process.kill(server.pid, name);
  };
  return {
    get bootstrapServers() {
      return server.bootstrapServers;
    },
    get pid() {
      return server.pid;
    },
    freeze() {
      signal('SIGSTOP');
      frozen = true;
    },
    thaw() {
      signal('SIGCONT');
      frozen = false;
    },
    async restart(how) {
      const stoppedAt = Date.now();
      if (how === 'kill') await killProcess(server.pid);
      // A clean shutdown of a one-node broker takes a few seconds; give it time rather than kill it.
      else await stopProcess(server.pid, 60_000);
      frozen = false;
      server = await restartKafka(install, runDir, marker);
      return { stoppedAt, answeringAt: Date.now() };
    },
    async stop() {
      // A broker left frozen by a failed test is killed: nothing of it is needed any more.
      if (frozen) await killProcess(server.pid);
      else await stopProcess(server.pid);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
