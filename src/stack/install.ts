import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors.js';
import { packagedStackDir, type StackPaths } from './paths.js';

const run = promisify(execFile);

/** Everything needed to start the servers: Java, and each server's classpath. */
export interface StackInstall {
  java: string;
  kafkaClasspath: string;
  dynamodbClasspath: string;
  /** Folder holding SQLite's native library, which DynamoDB Local loads through java.library.path. */
  dynamodbNativeDir: string;
}

export type Progress = (message: string) => void;

/**
 * Installs the servers on first use (Maven resolves them from Maven Central into the install folder) and
 * reuses them afterwards; a changed pom or launcher triggers a fresh install.
 */
export async function ensureInstalled(paths: StackPaths, progress: Progress = () => {}): Promise<StackInstall> {
  const java = await requireJava();
  const source = packagedStackDir();
  const kafkaDir = join(paths.installDir, 'kafka');
  const dynamodbDir = join(paths.installDir, 'dynamodb');

  await installOnce(kafkaDir, [join(source, 'kafka', 'pom.xml')], async () => {
    progress('Installing Apache Kafka from Maven Central (first run only)…');
    await resolveMaven(join(source, 'kafka', 'pom.xml'), join(kafkaDir, 'lib'));
  });

  const launcherSource = join(source, 'dynamodb', 'DynamoDbLocalLauncher.java');
  await installOnce(dynamodbDir, [join(source, 'dynamodb', 'pom.xml'), launcherSource], async () => {
    progress('Installing DynamoDB Local from Maven Central (first run only)…');
    const lib = join(dynamodbDir, 'lib');
    await resolveMaven(join(source, 'dynamodb', 'pom.xml'), lib);
    await compileLauncher(launcherSource, classpathOf(lib), join(dynamodbDir, 'classes'));
  });

  return {
    java,
    kafkaClasspath: classpathOf(join(kafkaDir, 'lib')),
    dynamodbClasspath: [join(dynamodbDir, 'classes'), classpathOf(join(dynamodbDir, 'lib'))].join(':'),
    dynamodbNativeDir: join(dynamodbDir, 'lib'),
  };
}

/** Runs `install` into `dir` unless a stamp shows it already ran for the same inputs. */
export async function installOnce(dir: string, inputs: string[], install: () => Promise<void>): Promise<void> {
  const stamp = join(dir, '.installed');
  const digest = createHash('sha256');
  for (const input of inputs) digest.update(readFileSync(input));
  const expected = digest.digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === expected) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await install();
  writeFileSync(stamp, expected);
}

function classpathOf(libDir: string): string {
  return readdirSync(libDir)
    .filter((name) => name.endsWith('.jar'))
    .sort()
    .map((name) => join(libDir, name))
    .join(':');
}

export async function requireJava(): Promise<string> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  let banner: string;
  try {
    banner = (await run(java, ['-version'])).stderr;
  } catch {
    throw new StackError(
      'Java was not found. The local stack runs Kafka and DynamoDB Local on Java 17 or newer: install a JDK ' +
        '(Debian: `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME.',
    );
  }
  const major = Number(/version "(\d+)/.exec(banner)?.[1] ?? 0);
  if (major < 17) {
    throw new StackError(`Java ${major || '(unknown version)'} found at ${java}; the local stack needs Java 17 or newer.`);
  }
  return java;
}

export async function resolveMaven(pom: string, outputDir: string): Promise<void> {
  await runInstallTool('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`], {
    missing:
      'Maven (`mvn`) was not found. The local stack resolves its servers (Kafka, DynamoDB Local, the Schema ' +
      'Registry) from Maven Central with it: install Maven (Debian: `apt-get install maven`).',
    failed: `Maven could not resolve ${pom} (is Maven Central reachable?)`,
  });
}

async function compileLauncher(sourceFile: string, classpath: string, outputDir: string): Promise<void> {
  const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
  await runInstallTool(javac, ['-d', outputDir, '-cp', classpath, sourceFile], {
    missing: 'javac was not found: the local stack needs a JDK, not only a JRE (Debian: openjdk-17-jdk-headless).',
    failed: `Could not compile ${sourceFile}`,
  });
}

/** Runs a tool of an install step; a missing tool or a failure becomes a StackError with the tool's last output. */
export async function runInstallTool(command: string, args: string[], messages: { missing: string; failed: string }): Promise<void> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new StackError(messages.missing);
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new StackError(messages.failed, output);
  }
}
