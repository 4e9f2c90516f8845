import { InvalidArgumentError } from 'commander';
import type { createLogger } from '../runtime/logger.js';
import { watchParentProcess } from './parent-process.js';

// How a long-running command (run, worker) lives and ends: signals, a dying parent, a closed output.

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return port;
}

/** A whole number of seconds, at least 1 (a CLI option's value). */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1) throw new InvalidArgumentError(`expected a whole number of seconds, at least 1, got "${value}"`);
  return seconds;
}

/** Resolves when the process that started this one exits, saying so: the stop is then the one SIGTERM makes. */
export function whenParentExits(log: ReturnType<typeof createLogger>): { exited: Promise<void>; stopWatching: () => void } {
  let markExited!: () => void;
  const exited = new Promise<void>((resolve) => (markExited = resolve));
  const stopWatching = watchParentProcess((parent) => {
    log.warn(`parent process ${parent} exited: stopping as on SIGTERM (--no-stop-with-parent keeps running)`);
    markExited();
  });
  return { exited, stopWatching };
}

/**
 * Resolves on the first SIGINT/SIGTERM or when the parent exits (if watched); a signal later than 2 s after that
 * exits at once. (The same signal often arrives twice together: once for the process and once for its process
 * group.)
 */
export function waitForShutdown(log: ReturnType<typeof createLogger>, parent: ReturnType<typeof whenParentExits> | undefined): Promise<void> {
  return new Promise((resolve) => {
    let receivedAt: number | undefined;
    const stop = () => {
      receivedAt = Date.now();
      parent?.stopWatching();
      resolve();
    };
    void parent?.exited.then(stop);
    const onSignal = (signal: NodeJS.Signals) => {
      if (receivedAt !== undefined) {
        if (Date.now() - receivedAt < 2_000) return;
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * A supervisor that dies may take the read end of our stdout/stderr pipes with it: a log line would then fail with
 * EPIPE and, unhandled, end the process in the middle of its clean stop. Lines that cannot be written are lost;
 * the stop goes on.
 */
export function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
