import { Command, CommanderError } from 'commander';
import { StackError } from '../stack/errors.js';
import { stackCommand } from './commands/stack.js';
import { demoCommand } from './commands/demo.js';
import { runCommand } from './commands/run.js';
import { workerCommand } from './commands/worker.js';
import { ConfigError } from '../config/errors.js';
import { silenceSdkNodeVersionWarning } from './node-warnings.js';

export function buildProgram(): Command {
  return new Command('dynamodb-kafka')
    .description('Moves data between Amazon DynamoDB and Apache Kafka')
    .exitOverride()
    .addCommand(demoCommand())
    .addCommand(runCommand())
    .addCommand(workerCommand())
    .addCommand(stackCommand());
}

/** Runs the CLI and returns its exit code; errors are printed for a person, without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  silenceSdkNodeVersionWarning();
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) {
      process.stderr.write(`dynamodb-kafka: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof StackError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`dynamodb-kafka: ${message}\n`);
    return 1;
  }
}
