import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stackPaths } from '../../../src/stack/paths.js';
import { listeningAddresses, pidsWithArgument } from '../../support/proc.js';

const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', '..', 'bin', 'dynamodb-kafka.js');

/**
 * Drives the real CLI against a stack of its own (its own home, sharing the already installed servers), so
 * `down` can be proven without disturbing the stack the other tests use.
 */
describe('dynamodb-kafka stack up / status / down', () => {
  const home = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-cli-'));
  mkdirSync(home, { recursive: true });
  symlinkSync(stackPaths().installDir, join(home, 'install'));
  const marker = `-Ddynamodb-kafka.stack=${home}`;

  async function stack(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync('node', [cli, 'stack', ...args], {
        env: { ...process.env, DYNAMODB_KAFKA_HOME: home },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  }

  /** Runs a command that must succeed and print JSON; a failure shows what the CLI said on stderr. */
  async function stackJson(...args: string[]): Promise<unknown> {
    const result = await stack(...args, '--json');
    expect(result.code, `stack ${args.join(' ')} --json failed: ${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout);
  }

  afterAll(async () => {
    await stack('down');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts on loopback ports, prints one JSON object, is idempotent, and stops every process it started', async () => {
    const up = await stack('up', '--json');
    expect(up.code, `stack up --json failed: ${up.stderr}`).toBe(0);
    const lines = up.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const endpoints = JSON.parse(lines[0]!);
    expect(endpoints).toEqual({
      kafka: { bootstrapServers: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      dynamodb: { endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), region: 'us-east-1' },
    });
    expect(pidsWithArgument(marker)).toHaveLength(2);

    const kafkaPort = Number(endpoints.kafka.bootstrapServers.split(':')[1]);
    const dynamodbPort = Number(new URL(endpoints.dynamodb.endpoint).port);
    for (const port of [kafkaPort, dynamodbPort]) {
      const addresses = listeningAddresses(port);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.every((address) => address === '127.0.0.1')).toBe(true);
    }

    expect(await stackJson('up')).toEqual(endpoints);
    expect(pidsWithArgument(marker)).toHaveLength(2);

    expect(await stackJson('status')).toEqual(endpoints);

    const down = await stack('down');
    expect(down.code).toBe(0);
    expect(pidsWithArgument(marker)).toEqual([]);

    const after = await stack('status', '--json');
    expect(after.code).toBe(1);
    expect(after.stdout).toBe('');
    expect(after.stderr).toMatch(/No local stack is running/);
  });

  it('adds moto to a running stack with --with moto, keeps it on a plain up, and stops it with the rest', async () => {
    expect((await stack('up', '--with', 'nonsense')).stderr).toMatch(/unknown server "nonsense"; optional servers: moto/);
    const plain = (await stackJson('up')) as { moto?: unknown };
    expect(plain.moto).toBeUndefined();

    const endpoints = (await stackJson('up', '--with', 'moto')) as { moto: { endpoint: string } };
    expect(endpoints).toEqual({ ...plain, moto: { endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), region: 'us-east-1' } });
    expect(pidsWithArgument(marker)).toHaveLength(3);
    expect(listeningAddresses(Number(new URL(endpoints.moto.endpoint).port))).toEqual(['127.0.0.1']);

    expect(await stackJson('up')).toEqual(endpoints);
    expect(await stackJson('status')).toEqual(endpoints);
    expect((await stack('status')).stdout).toMatch(/moto endpoint: +http:\/\/127\.0\.0\.1:\d+/);

    expect((await stack('down')).stderr).toMatch(/Stopped 3 server process/);
    expect(pidsWithArgument(marker)).toEqual([]);
  });
});
