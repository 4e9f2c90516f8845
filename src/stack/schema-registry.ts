import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { installOnce, requireJava, resolveMaven, runInstallTool, type Progress } from './install.js';
import { packagedStackDir, type StackPaths } from './paths.js';
import { LOOPBACK, freePort } from './ports.js';
import { spawnDetached } from './processes.js';
import { awaitReady } from './readiness.js';

/**
 * Apicurio Registry 2.6 with in-memory storage, answering Confluent's Schema Registry REST API (its "ccompat"
 * API). The stack starts it only on request. 2.6 because it runs on Java 17; 3.x needs Java 21.
 */
export interface SchemaRegistryServer {
  pid: number;
  /** The Confluent-compatible base URL: what `schema.registry.url` and Confluent's clients take. */
  url: string;
  logFile: string;
}

export interface SchemaRegistryInstall {
  java: string;
  /** Quarkus' runner jar; its manifest names the lib/ folder beside it as its classpath. */
  runnerJar: string;
}

/**
 * A small heap: the registry keeps a handful of test schemas in an in-memory H2 database. Its load is light, so
 * the JIT stops at C1 and the GC is the serial one: on two busy cores that halves its start (≈12 s to ≈6 s).
 */
const JVM_OPTIONS = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * Confluent's API version the stack hands out. Apicurio 2.6 also serves v6, but logs it as deprecated; Confluent's
 * clients use the same paths under either.
 */
const CCOMPAT_PATH = '/apis/ccompat/v7';

/**
 * Settings that make Apicurio answer as Confluent's registry does (the defaults differ):
 * - ids: the ccompat API's `id` is Apicurio's content id (its default; not the legacy global-id mode), so a schema
 *   registered under two subjects has one id, as in Confluent;
 * - the same schema written with other whitespace is found again (Confluent compares parsed schemas; Apicurio
 *   by default compares bytes and would register a new version);
 * - GET /subjects lists every subject, not only the first 1000.
 * The global compatibility (Confluent's default BACKWARD, Apicurio's none) is set through the API once the server
 * answers, so that GET /config reports what is enforced.
 */
const CONFLUENT_LIKE = [
  '-Dregistry.ccompat.legacy-id-mode.enabled=false',
  '-Dregistry.ccompat.use-canonical-hash=true',
  '-Dregistry.ccompat.max-subjects=1000000',
];

/** Downloads Apicurio's distribution through Maven and unpacks it under the install folder, once. */
export async function ensureSchemaRegistryInstalled(paths: StackPaths, progress: Progress = () => {}): Promise<SchemaRegistryInstall> {
  const java = await requireJava();
  const pom = join(packagedStackDir(), 'schema-registry', 'pom.xml');
  const dir = join(paths.installDir, 'schema-registry');
  const appDir = join(dir, 'app');
  await installOnce(dir, [pom], async () => {
    progress('Installing Apicurio Registry from Maven Central (first run only)…');
    const download = join(dir, 'download');
    await resolveMaven(pom, download);
    const archive = readdirSync(download).find((name) => name.endsWith('.tar.gz'));
    if (!archive) throw new StackError(`Maven resolved ${pom} but put no .tar.gz in ${download}.`);
    mkdirSync(appDir);
    await runInstallTool('tar', ['-xzf', join(download, archive), '-C', appDir], {
      missing: '`tar` was not found: the local stack unpacks Apicurio Registry with it.',
      failed: `Could not unpack ${archive}`,
    });
    // The archive is 140 MB and Maven's local repository keeps a copy already.
    rmSync(download, { recursive: true, force: true });
  });
  const runner = readdirSync(appDir).find((name) => name.endsWith('-runner.jar'));
  if (!runner) throw new StackError(`No Quarkus runner jar in ${appDir}: remove ${dir} to install it again.`);
  return { java, runnerJar: join(appDir, runner) };
}

/** Starts the registry on a free loopback port and waits until its Confluent-compatible API answers. */
export async function startSchemaRegistry(install: SchemaRegistryInstall, runDir: string, marker: string): Promise<SchemaRegistryServer> {
  const port = await freePort();
  const logFile = join(runDir, 'schema-registry.log');
  const url = `http://${LOOPBACK}:${port}${CCOMPAT_PATH}`;
  const args = [
    marker,
    ...JVM_OPTIONS,
    '-Djava.awt.headless=true',
    `-Dquarkus.http.host=${LOOPBACK}`,
    `-Dquarkus.http.port=${port}`,
    ...CONFLUENT_LIKE,
    '-jar',
    install.runnerJar,
  ];
  const pid = spawnDetached(install.java, args, logFile);
  // Setting the global compatibility is the readiness probe: it answers only once the API and its storage work.
  await awaitReady({
    name: 'Schema Registry (Apicurio)',
    pid,
    logFile,
    timeoutMs: 90_000,
    probe: () => setGlobalCompatibility(url, 'BACKWARD'),
  });
  return { pid, url, logFile };
}

/** Resolves when the registry at `url` lists its subjects; rejects otherwise. */
export async function answersSchemaRegistry(url: string, timeoutMs = 5_000): Promise<void> {
  const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}/subjects answered ${response.status}`);
  await response.json();
}

async function setGlobalCompatibility(url: string, level: string): Promise<void> {
  const response = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(2_000),
  });
  if (!response.ok) throw new Error(`PUT ${url}/config answered ${response.status}: ${await response.text()}`);
}
