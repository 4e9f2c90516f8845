// The local stack's real Schema Registry, started on first use: the global setup leaves it out, as most suites do
// not need it and it is one more JVM (some seconds and a few hundred MB). A suite that needs it calls
// useSchemaRegistry(); the first such suite of a run adds it to the run's stack (a stack command lock keeps two at
// once from starting two), and the global setup's `stack down` stops it with the rest.
import { beforeAll } from 'vitest';
import { stackAdd } from '../../src/stack/stack.js';

/** Room for the first run on a machine, which downloads the registry (≈140 MB) before starting it. */
const FIRST_START_TIMEOUT_MS = 15 * 60_000;

let url: string | undefined;

/** Starts the registry before the suite's tests (unless it runs already); returns the getter of its URL. */
export function useSchemaRegistry(): () => string {
  beforeAll(async () => {
    const stack = await stackAdd(['schema-registry'], (message) => process.stderr.write(`${message}\n`));
    url = stack.schemaRegistry!.url;
  }, FIRST_START_TIMEOUT_MS);
  return schemaRegistryUrl;
}

/** The registry's Confluent-compatible base URL, in a suite that called useSchemaRegistry(). */
export function schemaRegistryUrl(): string {
  if (url === undefined) throw new Error('the Schema Registry is not started: call useSchemaRegistry() in the suite');
  return url;
}
