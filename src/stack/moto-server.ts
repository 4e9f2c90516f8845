import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listTables } from '../adapters/dynamodb/client.js';
import { StackError } from './errors.js';
import { installOnce, type Progress } from './install.js';
import { packagedStackDir, type StackPaths } from './paths.js';
import { LOOPBACK, freePort } from './ports.js';
import { spawnDetached } from './processes.js';
import { awaitReady } from './readiness.js';

const run = promisify(execFile);

/**
 * moto's server mode: an AWS emulator that, unlike DynamoDB Local, keeps DynamoDB tags and serves the Resource
 * Groups Tagging API (and DynamoDB Streams) on one endpoint. The stack starts it only on request.
 */
export interface MotoServer {
  pid: number;
  endpoint: string;
  region: string;
  logFile: string;
}

export const MOTO_REGION = 'us-east-1';

/** Creates a virtualenv under the install folder and installs the pinned moto into it, once. */
export async function ensureMotoInstalled(paths: StackPaths, progress: Progress = () => {}): Promise<string> {
  const requirements = join(packagedStackDir(), 'moto', 'requirements.txt');
  const dir = join(paths.installDir, 'moto');
  const python = join(dir, 'venv', 'bin', 'python');
  await installOnce(dir, [requirements], async () => {
    progress('Installing moto from PyPI into a virtualenv (first run only)…');
    await runInstallStep(systemPython(), ['-m', 'venv', join(dir, 'venv')], 'create a Python virtualenv');
    await runInstallStep(
      python,
      ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '-q', '-r', requirements],
      `install ${requirements} from PyPI (is PyPI reachable?)`,
    );
  });
  return python;
}

/** Starts moto's server on a free loopback port. */
export async function startMoto(python: string, runDir: string, marker: string): Promise<MotoServer> {
  const port = await freePort();
  const logFile = join(runDir, 'moto.log');
  // `python -c` leaves its extra arguments in sys.argv: the marker rides along as argv[1] so `down` can tell
  // this process from a recycled pid, and moto's own argument parser gets the rest.
  const launch = 'import sys; from moto.server import main; main(sys.argv[2:])';
  const pid = spawnDetached(python, ['-c', launch, marker, '-H', LOOPBACK, '-p', String(port)], logFile);
  const endpoint = `http://${LOOPBACK}:${port}`;
  await awaitReady({
    name: 'moto',
    pid,
    logFile,
    timeoutMs: 60_000,
    probe: () => listTables({ endpoint, region: MOTO_REGION, credentials: { accessKeyId: 'stackprobe', secretAccessKey: 'stackprobe' } }),
  });
  return { pid, endpoint, region: MOTO_REGION, logFile };
}

function systemPython(): string {
  return process.env.PYTHON || 'python3';
}

async function runInstallStep(command: string, args: string[], what: string): Promise<void> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new StackError(
        `${command} was not found. moto runs on Python 3.9 or newer: install it (Debian: \`apt-get install ` +
          'python3 python3-venv`) or set PYTHON to its path.',
      );
    }
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new StackError(`Could not ${what}`, output);
  }
}
