import { setImmediate as yieldToEvents } from 'node:timers/promises';

/**
 * Resolves once `condition` holds, letting the event loop run between checks (the in-memory fakes answer
 * without timers, so a bounded number of turns is enough); fails naming `what` when it never does.
 */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 20_000; turn++) {
    if (condition()) return;
    await yieldToEvents();
  }
  throw new Error(`never happened: ${what}`);
}
