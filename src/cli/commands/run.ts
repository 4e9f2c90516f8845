import { Command } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { restInfo, Worker } from '../../runtime/worker.js';
import { withLocalStack } from '../local-stack.js';
import { parsePort, tolerateClosedOutput, waitForShutdown, whenParentExits } from '../process-lifecycle.js';

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
          : await startRestServer({ host: options.restHost, port: options.restPort }, () => worker.status(), restInfo(() => worker));
      if (rest) log.info(`REST status API at ${rest.url}/connectors`);
      await waitForShutdown(log, parent);
      log.info('stopping: finishing open writes');
      await rest?.close();
      await worker.stop();
      log.info('stopped');
    });
}
