import type { TestProject } from 'vitest/node';
import { silenceSdkNodeVersionWarning } from '../../src/cli/node-warnings.js';
import { stackDown, stackStatus, stackUp, type StackEndpoints } from '../../src/stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

/**
 * Reuses a running local stack, or starts one for this run and stops it afterwards (with whatever was added to it
 * meanwhile). moto is included (added to a running stack that lacks it): the TAG discovery tests need an emulator
 * that keeps tags, which DynamoDB Local does not. The Schema Registry is not: the suites that need it start it on
 * first use (test/support/registry-server.ts), so a run without them does not pay for its JVM.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  silenceSdkNodeVersionWarning();
  const running = await stackStatus();
  const endpoints = await stackUp((message) => process.stderr.write(`${message}\n`), undefined, { with: ['moto'] });
  project.provide('stack', endpoints);
  if (running) return undefined;
  return async () => {
    await stackDown();
  };
}
