import { Command, InvalidArgumentError } from 'commander';
import { buildCommit } from '../../runtime/build-info.js';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { Worker } from '../../runtime/worker.js';
import { withLocalStack } from '../local-stack.js';
import { watchParentProcess } from '../parent-process.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run connectors (Kafka Connect JSON or .properties files) until SIGINT/SIGTERM, or until the process that started it exits')
    .argument('<connector-files...>', 'connector configuration files')
    .option('--rest-port <port>', "serve Kafka Connect's REST API (connector status, connector plugins, config validation) on this port; 0 = any free one", parsePort)
    .option('--rest-host <host>', 'address the REST API listens on', '127.0.0.1')
    .option('--no-stop-with-parent', 'keep running when the process that started it exits (by default it stops then, as on SIGTERM)')
    .action(async (files: string[], options: { restPort?: number; restHost: string; stopWithParent: boolean }) => {
      const log = createLogger();
      tolerateClosedOutput();
      // Watched from the start: a parent that dies while the connectors start is noticed too.
      const parent = options.stopWithParent ? whenParentExits(log) : undefined;
      const worker = await Worker.fromFiles(files, log, (file) => withLocalStack(file, log));
      await worker.start();
      const rest =
        options.restPort === undefined
          ? undefined
          : await startRestServer({ host: options.restHost, port: options.restPort }, () => worker.status(), {
              commit: buildCommit(),
              kafkaClusterId: () => worker.kafkaClusterId(),
            });
      if (rest) log.info(`REST status API at ${rest.url}/connectors`);
      await waitForShutdown(log, parent);
      log.info('stopping: finishing open writes');
      await rest?.close();
      await worker.stop();
      log.info('stopped');
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return port;
}

/** Resolves when the process that started this one exits, saying so: the stop is then the one SIGTERM makes. */
function whenParentExits(log: ReturnType<typeof createLogger>): { exited: Promise<void>; stopWatching: () => void } {
  let markExited!: () => void;
  const exited = new Promise<void>((resolve) => (markExited = resolve));
  const stopWatching = watchParentProcess((parent) => {
    log.warn(`parent process ${parent} exited: stopping as on SIGTERM (--no-stop-with-parent keeps running)`);
    markExited();
  });
  return { exited, stopWatching };
}

/**
 * Resolves on the first SIGINT/SIGTERM or when the parent exits (if watched); a signal later than 2 s after that
 * exits at once. (The same signal often arrives twice together: once for the process and once for its process
 * group.)
 */
function waitForShutdown(log: ReturnType<typeof createLogger>, parent: ReturnType<typeof whenParentExits> | undefined): Promise<void> {
  return new Promise((resolve) => {
    let receivedAt: number | undefined;
    const stop = () => {
      receivedAt = Date.now();
      parent?.stopWatching();
      resolve();
    };
    void parent?.exited.then(stop);
    const onSignal = (signal: NodeJS.Signals) => {
      if (receivedAt !== undefined) {
        if (Date.now() - receivedAt < 2_000) return;
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * A supervisor that dies may take the read end of our stdout/stderr pipes with it: a log line would then fail with
 * EPIPE and, unhandled, end the process in the middle of its clean stop. Lines that cannot be written are lost;
 * the stop goes on.
 */
function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
