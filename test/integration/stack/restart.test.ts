import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, logLevel } from '../../../src/adapters/kafka/client.js';
import { stackPaths } from '../../../src/stack/paths.js';
import { uniqueName } from '../../support/aws.js';
import { pidsWithArgument } from '../../support/proc.js';
import { TopicFollower } from '../../support/topic-follower.js';

const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', '..', 'bin', 'dynamodb-kafka.js');

/** `stack restart kafka` on a stack of its own (the shared broker must not go away under the other suites). */
describe('dynamodb-kafka stack restart kafka', () => {
  const home = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-restart-'));
  symlinkSync(stackPaths().installDir, join(home, 'install'));
  const marker = `-Ddynamodb-kafka.stack=${home}`;

  async function stack(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync('node', [cli, 'stack', ...args], { env: { ...process.env, DYNAMODB_KAFKA_HOME: home } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  }

  afterAll(async () => {
    await stack('down');
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps the ports and the data (topics, committed records), cleanly and after SIGKILL', async () => {
    const none = await stack('restart', 'kafka');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No local stack is running/);

    const up = await stack('up', '--json');
    expect(up.code, `stack up failed: ${up.stderr}`).toBe(0);
    const endpoints = JSON.parse(up.stdout) as { kafka: { bootstrapServers: string } };
    const { bootstrapServers } = endpoints.kafka;

    const topic = uniqueName('restart');
    const kafka = createKafka({ bootstrapServers }, logLevel.NOTHING);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ kafkaJS: { transactionalId: topic, idempotent: true, maxInFlightRequests: 1 } });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'k', value: 'before the restarts' }] });
    await transaction.commit();
    await producer.disconnect();

    expect((await stack('restart', 'nonsense')).stderr).toMatch(/cannot restart "nonsense"; restartable servers: kafka/);

    for (const how of [[], ['--kill']]) {
      const [before] = pidsWithArgument(marker).filter((pid) => isKafka(pid));
      const restart = await stack('restart', 'kafka', ...how, '--json');
      expect(restart.code, `stack restart kafka ${how.join(' ')} failed: ${restart.stderr}`).toBe(0);
      expect(restart.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(restart.stdout)).toEqual(endpoints);
      expect(restart.stderr).toMatch(new RegExp(`Stopping kafka \\(pid ${before}${how.length ? ', SIGKILL' : ''}\\)`));
      expect(restart.stderr).toMatch(/kafka is back \(pid \d+\), [\d.]+ s after it was stopped/);
      const [after] = pidsWithArgument(marker).filter((pid) => isKafka(pid));
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect(pidsWithArgument(marker)).toHaveLength(2);

      // The committed record is still there, read_committed, at the address the clients already had.
      const follower = await TopicFollower.follow(bootstrapServers, topic);
      try {
        await follower.waitFor((records) => records.some((record) => record.value === 'before the restarts'), 30_000, 'the record written before');
      } finally {
        await follower.close();
      }
    }
    expect(await stack('status', '--json').then((status) => JSON.parse(status.stdout))).toEqual(endpoints);
  }, 240_000);
});

function isKafka(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}
