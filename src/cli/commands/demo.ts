import { Command } from 'commander';
import { stackUp } from '../../stack/stack.js';
import { runRoundTrips } from '../../stack/round-trips.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('bring the local stack up and show it working')
    .action(async () => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const endpoints = await stackUp((message) => process.stderr.write(`${message}\n`));
      say(`Local stack is up:\n  Kafka    ${endpoints.kafka.bootstrapServers}\n  DynamoDB ${endpoints.dynamodb.endpoint}`);
      await runRoundTrips(endpoints, say);
      say('\nThe stack keeps running. Try `kcat -L -b ' + endpoints.kafka.bootstrapServers + '`;');
      say('stop it with `npx dynamodb-kafka stack down`.');
    });
}
