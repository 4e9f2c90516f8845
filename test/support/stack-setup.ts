import type { TestProject } from 'vitest/node';
import { silenceSdkNodeVersionWarning } from '../../src/cli/node-warnings.js';
import { stackDown, stackStatus, stackUp, type StackEndpoints } from '../../src/stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

/**
 * Reuses a running local stack, or starts one for this run and stops it afterwards. The optional servers are
 * included (added to a running stack that lacks them): the TAG discovery tests need moto, an emulator that keeps
 * tags, which DynamoDB Local does not; the record-format tests need a real Schema Registry.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  silenceSdkNodeVersionWarning();
  const running = await stackStatus();
  const endpoints = await stackUp((message) => process.stderr.write(`${message}\n`), undefined, { with: ['moto', 'schema-registry'] });
  project.provide('stack', endpoints);
  if (running) return undefined;
  return async () => {
    await stackDown();
  };
}
