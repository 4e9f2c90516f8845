import { Command } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { restInfo, Worker } from '../../runtime/worker.js';
import { withLocalStack } from '../local-stack.js';
import { DEFAULT_STUCK_AFTER_MS } from '../../runtime/health.js';
import { parsePort, parseSeconds, tolerateClosedOutput, waitForShutdown, whenParentExits } from '../process-lifecycle.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run connectors (Kafka Connect JSON or .properties files) until SIGINT/SIGTERM, or until the process that started it exits')
    .argument('<connector-files...>', 'connector configuration files')
    .option('--rest-port <port>', "serve Kafka Connect's REST API (connector status, connector plugins, config validation) on this port; 0 = any free one", parsePort)
    .option('--rest-host <host>', 'address the REST API listens on', '127.0.0.1')
    .option('--stuck-after <seconds>', 'GET /health answers 503 while a connector\'s DynamoDB or Kafka calls hang, or keep failing, this long', parseSeconds, DEFAULT_STUCK_AFTER_MS / 1000)
    .option('--no-stop-with-parent', 'keep running when the process that started it exits (by default it stops then, as on SIGTERM)')
    .action(async (files: string[], options: { restPort?: number; restHost: string; stuckAfter: number; stopWithParent: boolean }) => {
      const log = createLogger();
      tolerateClosedOutput();
      // Watched from the start: a parent that dies while the connectors start is noticed too.
      const parent = options.stopWithParent ? whenParentExits(log) : undefined;
      const worker = await Worker.fromFiles(files, log, (file) => withLocalStack(file, log));
      worker.health.stuckAfterMs = options.stuckAfter * 1000;
      await worker.start();
      const rest =
        options.restPort === undefined
          ? undefined
          : await startRestServer({ host: options.restHost, port: options.restPort }, () => worker.status(), restInfo(() => worker));
      if (rest) log.info(`REST status API at ${rest.url}/connectors`);
      await waitForShutdown(log, parent);
      log.info('stopping: finishing open writes');
      await rest?.close();
      await worker.stop();
      log.info('stopped');
    });
}
