import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { pidsWithArgument } from '../../support/proc.js';
import { produce } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

const cli = join(import.meta.dirname, '..', '..', '..', 'bin', 'dynamodb-kafka.js');
const subreaper = join(import.meta.dirname, '..', '..', 'support', 'subreaper.py');

/** From the parent's SIGKILL to the connector's exit: a second to notice, then the stop SIGTERM would make. */
const STOP_BOUND_MS = 15_000;

type ReaperEvent = { started: number } | { pid: number; exitCode: number };

/**
 * A supervisor (or `npx`) killed with SIGKILL passes no signal on. The connector runs under an intermediate
 * parent (a shell, as `npx` or a wrapper script would be), under a subreaper that reports how the orphaned
 * connector ends: only a process's parent can learn its exit code.
 */
describe('run: stops cleanly when the process that started it dies', () => {
  const { connection, dynamodb, defer } = suiteResources('parentdeath');

  /**
   * Starts a sink connector through `parent` (a command line taking node, the CLI and the connector file as $0, $1,
   * $2), waits until it has written its topic's records, kills the parent with SIGKILL, and returns how and when the
   * orphaned connector ended, and what it printed (through the subreaper's stderr, when the parent passed it on).
   */
  async function killParentOfRunningConnector(parent: (node: string, cli: string, file: string) => string[]) {
    const topic = uniqueName('parent-death');
    await produce(topic, Array.from({ length: 50 }, (_, index) => ({ key: `k${index}`, value: { id: `k${index}` } })));
    const credentials = connection.credentials as { accessKeyId: string; secretAccessKey: string };
    const directory = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-parent-'));
    defer(async () => rmSync(directory, { recursive: true, force: true }));
    const file = join(directory, 'sink.json');
    const config = {
      'connector.class': 'DynamoDbSink',
      topics: topic,
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'aws.dynamodb.endpoint': connection.endpoint!,
      'aws.dynamodb.region': connection.region,
      'aws.access.key.id': credentials.accessKeyId,
      'aws.secret.access.key': credentials.secretAccessKey,
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
    };
    writeFileSync(file, JSON.stringify({ name: uniqueName('parent-death'), config }));

    const reaper = spawn('python3', [subreaper, ...parent(process.execPath, cli, file)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    reaper.stderr.on('data', (chunk) => (output += chunk));
    const events: ReaperEvent[] = [];
    createInterface({ input: reaper.stdout }).on('line', (line) => events.push(JSON.parse(line) as ReaperEvent));
    defer(async () => {
      // Should the connector not stop, it must not outlive the test: the parent and it both carry the file's path.
      for (const pid of pidsWithArgument(file)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      reaper.kill('SIGKILL');
    });

    await expect.poll(() => events[0], { timeout: 10_000 }).toBeDefined();
    const parentPid = (events[0] as { started: number }).started;
    // Running and working: the topic's records are in the table.
    await expect.poll(() => scanAll(dynamodb, topic).then((items) => items.length, () => 0), { timeout: 60_000, interval: 100 }).toBe(50);

    process.kill(parentPid, 'SIGKILL');
    const killedAt = Date.now();
    const connectorExit = () => events.find((event): event is { pid: number; exitCode: number } => 'pid' in event && event.pid !== parentPid);
    await expect.poll(connectorExit, { timeout: STOP_BOUND_MS, interval: 50 }).toBeDefined();
    expect(events).toContainEqual({ pid: parentPid, exitCode: -9 });
    return { parentPid, exitCode: connectorExit()!.exitCode, stoppedInMs: Date.now() - killedAt, output };
  }

  it('exits by itself with code 0 soon after its parent (a shell) is killed with SIGKILL, saying why', async () => {
    // `& wait` keeps the shell as the connector's parent (a lone command may be exec'd in its place).
    const stopped = await killParentOfRunningConnector((node, cli, file) => ['sh', '-c', '"$0" "$1" run "$2" & wait', node, cli, file]);
    expect(stopped.exitCode, stopped.output).toBe(0);
    expect(stopped.stoppedInMs).toBeLessThan(STOP_BOUND_MS);
    expect(stopped.output).toMatch(new RegExp(`parent process ${stopped.parentPid} exited: stopping as on SIGTERM`));
    expect(stopped.output).toMatch(/stopping: finishing open writes[\s\S]*INFO  stopped\n/);
  });

  it('stops as cleanly when the parent held its output pipes, so every line it logs meets a closed pipe', async () => {
    const stopped = await killParentOfRunningConnector((node, cli, file) => [
      node,
      '-e',
      `const child = require('node:child_process').spawn(process.argv[1], [process.argv[2], 'run', process.argv[3]], { stdio: ['ignore', 'pipe', 'pipe'] });
       child.stderr.pipe(process.stderr);
       setInterval(() => undefined, 60_000);`,
      node,
      cli,
      file,
    ]);
    expect(stopped.exitCode, stopped.output).toBe(0);
    expect(stopped.stoppedInMs).toBeLessThan(STOP_BOUND_MS);
  });
});
