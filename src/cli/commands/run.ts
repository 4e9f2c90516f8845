import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { Worker } from '../../runtime/worker.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run connectors (Kafka Connect JSON or .properties files) until SIGINT/SIGTERM')
    .argument('<connector-files...>', 'connector configuration files')
    .option('--rest-port <port>', "serve Kafka Connect's read-only status endpoints (GET /connectors/{name}/status) on this port; 0 = any free one", parsePort)
    .option('--rest-host <host>', 'address the status endpoints listen on', '127.0.0.1')
    .action(async (files: string[], options: { restPort?: number; restHost: string }) => {
      const log = createLogger();
      const worker = await Worker.fromFiles(files, log);
      await worker.start();
      const rest = options.restPort === undefined ? undefined : await startRestServer({ host: options.restHost, port: options.restPort }, () => worker.status());
      if (rest) log.info(`REST status API at ${rest.url}/connectors`);
      await waitForShutdownSignal(log);
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

/**
 * Resolves on the first SIGINT/SIGTERM; another one, later than 2 s after it, exits at once. (The same signal
 * often arrives twice together: once for the process and once for its process group.)
 */
function waitForShutdownSignal(log: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise((resolve) => {
    let receivedAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (receivedAt !== undefined) {
        if (Date.now() - receivedAt < 2_000) return;
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      receivedAt = Date.now();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
