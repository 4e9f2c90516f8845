import { join } from 'node:path';
import { installOnce, runInstallTool, type Progress } from './install.js';
import { packagedStackDir, type StackPaths } from './paths.js';
import { LOOPBACK, freePort } from './ports.js';
import { spawnDetached } from './processes.js';
import { awaitDynamoDbApi, type DynamoDbApiServer } from './readiness.js';

/**
 * moto's server mode: an AWS emulator that, unlike DynamoDB Local, keeps DynamoDB tags and serves the Resource
 * Groups Tagging API (and DynamoDB Streams) on one endpoint, and exports tables to its own S3 (in AWS's layout, with
 * manifests). The stack starts it only on request.
 */
export type MotoServer = DynamoDbApiServer;

export const MOTO_REGION = 'us-east-1';

/** Creates a virtualenv under the install folder and installs the pinned moto into it, once. */
export async function ensureMotoInstalled(paths: StackPaths, progress: Progress = () => {}): Promise<string> {
  const requirements = join(packagedStackDir(), 'moto', 'requirements.txt');
  const dir = join(paths.installDir, 'moto');
  const python = join(dir, 'venv', 'bin', 'python');
  await installOnce(dir, [requirements], async () => {
    progress('Installing moto from PyPI into a virtualenv (first run only)…');
    const missing = (command: string) =>
      `${command} was not found. moto runs on Python 3.9 or newer: install it (Debian: \`apt-get install ` +
      'python3 python3-venv`) or set PYTHON to its path.';
    const systemPython = process.env.PYTHON || 'python3';
    await runInstallTool(systemPython, ['-m', 'venv', join(dir, 'venv')], {
      missing: missing(systemPython),
      failed: 'Could not create a Python virtualenv',
    });
    await runInstallTool(python, ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '-q', '-r', requirements], {
      missing: missing(python),
      failed: `Could not install ${requirements} from PyPI (is PyPI reachable?)`,
    });
  });
  return python;
}

/** Starts moto's server on a free loopback port. */
export async function startMoto(python: string, runDir: string, marker: string): Promise<MotoServer> {
  const port = await freePort();
  const logFile = join(runDir, 'moto.log');
  // `python -c` leaves its extra arguments in sys.argv: the marker rides along as argv[1] so `down` can tell
  // this process from a recycled pid, and moto's own argument parser gets the rest. aws_export_output makes its
  // export to S3 write AWS's manifests (stack/moto/aws_export_output.py says why).
  const patches = join(packagedStackDir(), 'moto');
  const launch = `import sys; sys.path.insert(0, ${JSON.stringify(patches)}); import aws_export_output; from moto.server import main; main(sys.argv[2:])`;
  const pid = spawnDetached(python, ['-c', launch, marker, '-H', LOOPBACK, '-p', String(port)], logFile);
  return awaitDynamoDbApi({ name: 'moto', pid, logFile, port, region: MOTO_REGION });
}
