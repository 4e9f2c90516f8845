import { Command, CommanderError } from 'commander';
import { StackError } from '../stack/errors.js';
import { stackCommand } from './commands/stack.js';
import { demoCommand } from './commands/demo.js';
import { runCommand } from './commands/run.js';
import { workerCommand } from './commands/worker.js';
import { ConfigError } from '../config/errors.js';
import { silenceSdkNodeVersionWarning } from './node-warnings.js';
import { createLogger, logFormatFromEnvironment, parseLogFormat } from '../runtime/logger.js';

export function buildProgram(): Command {
  return new Command('dynamodb-kafka')
    .description('Moves data between Amazon DynamoDB and Apache Kafka')
    .exitOverride()
    .option('--log-format <format>', 'text (for people, the default) or json (one object per line, for log shippers); also DYNAMODB_KAFKA_LOG_FORMAT')
    // One setting for the whole process: every logger, and the last error line below, read it from the environment.
    .hook('preAction', (program) => {
      const format = program.opts<{ logFormat?: string }>().logFormat;
      if (format !== undefined) process.env.DYNAMODB_KAFKA_LOG_FORMAT = parseLogFormat(format, '--log-format');
    })
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
    const message = error instanceof StackError || error instanceof Error ? error.message : String(error);
    printError(message);
    return error instanceof ConfigError ? 2 : 1;
  }
}

/** The error that ended the command: one line for a person, or one JSON object when logs are JSON. */
function printError(message: string): void {
  let json = false;
  try {
    json = logFormatFromEnvironment() === 'json';
  } catch {
    // An unknown format was itself the error being printed.
  }
  if (json) createLogger().error(message);
  else process.stderr.write(`dynamodb-kafka: ${message}\n`);
}
