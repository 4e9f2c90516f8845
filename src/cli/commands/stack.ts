import { Command, InvalidArgumentError } from 'commander';
import {
  OPTIONAL_SERVERS,
  RESTARTABLE_SERVERS,
  stackDown,
  stackRestart,
  stackStatus,
  stackUp,
  type OptionalServer,
  type RestartableServer,
  type StackEndpoints,
} from '../../stack/stack.js';
import { stackPaths } from '../../stack/paths.js';
import { runRoundTrips } from '../../stack/round-trips.js';

export function stackCommand(): Command {
  const stack = new Command('stack').description(
    'the local stack: Apache Kafka (KRaft) and DynamoDB Local with Streams (moto and a Schema Registry optionally), on free 127.0.0.1 ports',
  );

  stack
    .command('up')
    .description('install on first use, start (or reuse) the stack and print its endpoints')
    .option('--json', 'print exactly one JSON object on stdout')
    .option(
      '--with <server>',
      'also start an optional server: moto (an AWS emulator that keeps tables\' tags, for TAG discovery) or ' +
        'schema-registry (Apicurio Registry, answering Confluent\'s Schema Registry API); repeatable',
      collectOptionalServer,
      [] as OptionalServer[],
    )
    .action(async (options: { json?: boolean; with: OptionalServer[] }) => {
      const endpoints = await stackUp((message) => process.stderr.write(`${message}\n`), undefined, { with: options.with });
      printEndpoints(endpoints, options.json);
    });

  stack
    .command('status')
    .description('print the running stack\'s endpoints (exit code 1 when none is running)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (options: { json?: boolean }) => {
      const endpoints = await stackStatus();
      if (!endpoints) {
        process.stderr.write('No local stack is running (start one with `dynamodb-kafka stack up`).\n');
        process.exitCode = 1;
        return;
      }
      printEndpoints(endpoints, options.json);
    });

  stack
    .command('restart')
    .argument('<server>', `the server to restart (${RESTARTABLE_SERVERS.join(', ')})`, parseRestartableServer)
    .description('stop and start a server of the running stack, keeping its data and its ports, and print the endpoints')
    .option('--kill', 'stop it with SIGKILL instead of a clean shutdown (it recovers its log on start)')
    .option('--json', 'print exactly one JSON object on stdout, as `up` does')
    .action(async (server: RestartableServer, options: { kill?: boolean; json?: boolean }) => {
      const progress = (message: string) => process.stderr.write(`${message}\n`);
      const restart = await stackRestart(server, progress, undefined, { kill: options.kill });
      progress(`${server} is back (pid ${restart.pid}), ${(restart.downMs / 1000).toFixed(1)} s after it was stopped.`);
      printEndpoints(restart.endpoints, options.json);
    });

  stack
    .command('down')
    .description('stop the processes `stack up` started')
    .action(async () => {
      const stopped = await stackDown();
      process.stderr.write(stopped ? `Stopped ${stopped} server process(es).\n` : 'No local stack was running.\n');
    });

  stack
    .command('check')
    .description('prove the running stack works: a transactional Kafka round trip and a DynamoDB Streams round trip')
    .action(async () => {
      const endpoints = await stackStatus();
      if (!endpoints) {
        process.stderr.write('No local stack is running (start one with `dynamodb-kafka stack up`).\n');
        process.exitCode = 1;
        return;
      }
      await runRoundTrips(endpoints, (line) => process.stdout.write(`${line}\n`));
    });

  return stack;
}

function collectOptionalServer(value: string, previous: OptionalServer[]): OptionalServer[] {
  if (!(OPTIONAL_SERVERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown server "${value}"; optional servers: ${OPTIONAL_SERVERS.join(', ')}`);
  }
  return [...previous, value as OptionalServer];
}

function parseRestartableServer(value: string): RestartableServer {
  if (!(RESTARTABLE_SERVERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`cannot restart "${value}"; restartable servers: ${RESTARTABLE_SERVERS.join(', ')}`);
  }
  return value as RestartableServer;
}

function printEndpoints(endpoints: StackEndpoints, json?: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(endpoints)}\n`);
    return;
  }
  process.stdout.write(
    `Kafka bootstrap servers: ${endpoints.kafka.bootstrapServers}\n` +
      `DynamoDB endpoint:       ${endpoints.dynamodb.endpoint} (region ${endpoints.dynamodb.region})\n` +
      (endpoints.moto ? `moto endpoint:           ${endpoints.moto.endpoint} (region ${endpoints.moto.region})\n` : '') +
      (endpoints.schemaRegistry ? `Schema Registry URL:     ${endpoints.schemaRegistry.url}\n` : '') +
      `State and logs:          ${stackPaths().home}\n`,
  );
}
