import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the local stack keeps its installs, run state, data and logs. */
export interface StackPaths {
  home: string;
  /** Resolved Maven classpaths and compiled helpers, reused across runs. */
  installDir: string;
  /** State and data of the running stack, replaced at every `stack up`. */
  runDir: string;
  stateFile: string;
  lockFile: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const home = resolve(env.DYNAMODB_KAFKA_HOME || join(homedir(), '.cache', 'dynamodb-kafka'));
  const runDir = join(home, 'run');
  return {
    home,
    installDir: join(home, 'install'),
    runDir,
    stateFile: join(runDir, 'stack.json'),
    lockFile: join(home, 'stack.lock'),
  };
}

/** The `stack/` folder shipped with the package: the poms and the Java launcher. */
export function packagedStackDir(): string {
  // dist/stack/paths.js and src/stack/paths.ts both sit two levels below the package root.
  return fileURLToPath(new URL('../../stack/', import.meta.url));
}
