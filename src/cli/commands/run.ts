import { Command } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { Worker } from '../../runtime/worker.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run connectors (Kafka Connect JSON or .properties files) until SIGINT/SIGTERM')
    .argument('<connector-files...>', 'connector configuration files')
    .action(async (files: string[]) => {
      const log = createLogger();
      const worker = await Worker.fromFiles(files, log);
      await worker.start();
      await waitForShutdownSignal(log);
      log.info('stopping: finishing open writes');
      await worker.stop();
      log.info('stopped');
    });
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
