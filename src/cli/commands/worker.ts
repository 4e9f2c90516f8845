import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { readProperties } from '../../config/connector-file.js';
import { listenAddress } from '../../config/rest-security.js';
import { parseWorkerConfig } from '../../config/worker.js';
import { clusterControl } from '../../runtime/cluster-control.js';
import { restInfo } from '../../runtime/worker.js';
import { ClusterWorker } from '../../runtime/cluster-worker.js';
import { createLogger } from '../../runtime/logger.js';
import { startRestServer } from '../../runtime/rest-server.js';
import { tolerateClosedOutput, waitForShutdown, whenParentExits } from '../process-lifecycle.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      "run as a worker of a cluster (Kafka Connect's distributed worker keys): the connectors are those of the config topic",
    )
    .argument('<worker-properties>', 'worker configuration (connect-distributed.properties keys)')
    .option('--no-stop-with-parent', 'keep running when the process that started it exits (by default it stops then, as on SIGTERM)')
    .action(async (file: string, options: { stopWithParent: boolean }) => {
      const log = createLogger();
      tolerateClosedOutput();
      const parent = options.stopWithParent ? whenParentExits(log) : undefined;
      const config = parseWorkerConfig(readProperties(await readFile(file, 'utf8')));
      for (const warning of config.warnings) log.warn(warning);
      // The REST API first: its address names this worker in the status topic, as in Kafka Connect. Until the
      // worker has joined its cluster, the requests that need it answer 503.
      let cluster: ClusterWorker | undefined;
      const rests = [];
      try {
        for (const listener of config.listeners) {
          const rest = await startRestServer(
            listenAddress(listener)!,
            () => cluster?.worker.status() ?? [],
            restInfo(() => cluster?.worker),
            { control: clusterControl(() => cluster, config, log), security: config.restSecurity },
          );
          log.info(`REST API at ${rest.url}/connectors`);
          rests.push(rest);
        }
        cluster = await ClusterWorker.start(config, log, rests[0] ? new URL(rests[0].url).host : undefined);
      } catch (error) {
        // A listener that cannot start (a port taken, a keystore or credentials file refused) stops the worker.
        for (const rest of rests) await rest.close();
        throw error;
      }
      log.info(`worker of group ${config.groupId}: connectors from config topic ${config.configTopic}, work shared on topic ${config.workTopic}`);
      await waitForShutdown(log, parent);
      log.info('stopping: finishing open writes');
      for (const rest of rests) await rest.close();
      await cluster.stop();
      log.info('stopped');
    });
}
