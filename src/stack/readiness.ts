import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { listTables } from '../adapters/dynamodb/client.js';
import { StackError } from './errors.js';
import { LOOPBACK } from './ports.js';
import { isAlive, stopProcess, tail } from './processes.js';

/** The server lost a race for its port to another process; starting again on new ports fixes it. */
export class PortTakenError extends StackError {}

export interface ServerUnderStart {
  name: string;
  pid: number;
  logFile: string;
  timeoutMs: number;
  /** Resolves when the server really answers a request; rejects while it does not yet. */
  probe: () => Promise<unknown>;
}

// The last one is Quarkus' (the Schema Registry), which logs no exception for it.
const PORT_TAKEN = /Address already in use|BindException|Failed to bind|Port \d+ seems to be in use by another process/;

/**
 * Waits until the server answers, failing early and clearly when it dies or cannot bind its port. A server that
 * does not come up is stopped before the error is thrown, so no half-started process is left behind.
 */
export async function awaitReady(server: ServerUnderStart): Promise<void> {
  try {
    await pollUntilReady(server);
  } catch (error) {
    await stopProcess(server.pid);
    throw error;
  }
}

async function pollUntilReady(server: ServerUnderStart): Promise<void> {
  const deadline = Date.now() + server.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (!isAlive(server.pid)) {
      if (PORT_TAKEN.test(readLog(server.logFile))) {
        throw new PortTakenError(`${server.name} could not bind its port (another process took it)`, tail(server.logFile));
      }
      throw new StackError(`${server.name} exited during start-up (log: ${server.logFile})`, tail(server.logFile));
    }
    try {
      await server.probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new StackError(
        `${server.name} did not answer within ${Math.round(server.timeoutMs / 1000)} s (last error: ${reason}; ` +
          `log: ${server.logFile}). The machine may be overloaded; try \`dynamodb-kafka stack up\` again.`,
        tail(server.logFile),
      );
    }
    await delay(200);
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Resolves when a DynamoDB API (DynamoDB Local, moto) at `endpoint` answers a ListTables; rejects otherwise. */
export async function answersDynamoDbApi(endpoint: string, region: string): Promise<void> {
  await listTables({ endpoint, region, credentials: { accessKeyId: 'stackprobe', secretAccessKey: 'stackprobe' } });
}

/** A server of the stack that speaks the DynamoDB API (DynamoDB Local, moto) on loopback. */
export interface DynamoDbApiServer {
  pid: number;
  endpoint: string;
  region: string;
  logFile: string;
}

/** Waits until the DynamoDB API server just spawned on `port` answers (or fails as awaitReady does), and describes it. */
export async function awaitDynamoDbApi(server: { name: string; pid: number; logFile: string; port: number; region: string }): Promise<DynamoDbApiServer> {
  const { name, pid, logFile, region } = server;
  const endpoint = `http://${LOOPBACK}:${server.port}`;
  await awaitReady({ name, pid, logFile, timeoutMs: 60_000, probe: () => answersDynamoDbApi(endpoint, region) });
  return { pid, endpoint, region, logFile };
}
