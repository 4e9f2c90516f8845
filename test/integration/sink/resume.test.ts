import { describe, expect, inject, it } from 'vitest';
import { suiteResources, uniqueName } from '../../support/aws.js';
import { ConnectorProcess } from '../../support/cli-process.js';
import { produce } from '../../support/sink.js';
import { scanAll } from '../../support/tables.js';

describe('sink: effectively once across kill -9 (the real CLI process)', () => {
  const { connection, dynamodb, defer } = suiteResources('sinkresume');

  it('ends with the table exactly as the topic says, nothing lost', async () => {
    const topic = uniqueName('sink-resume');
    const keys = 2000;
    // Three rounds of values per key, in order: the table must end with round 3 for every key.
    const rounds = [1, 2, 3].map((round) => Array.from({ length: keys }, (_, index) => ({ key: `k${index}`, value: { id: `k${index}`, round }, partition: index % 3 })));
    await produce(topic, rounds.flat(), 3);
    const credentials = connection.credentials as { accessKeyId: string };
    const config = {
      'connector.class': 'DynamoDbSink',
      topics: topic,
      'tasks.max': '2',
      'bootstrap.servers': inject('stack').kafka.bootstrapServers,
      'aws.dynamodb.endpoint': connection.endpoint!,
      'aws.dynamodb.region': connection.region,
      'aws.access.key.id': credentials.accessKeyId,
      'aws.secret.access.key': 'local',
      'aws.dynamodb.pk.hash': 'value.id',
      'aws.dynamodb.pk.sort': '',
      // The killed process's group membership expires after this, handing its partitions to the new one.
      'consumer.override.session.timeout.ms': '6000',
    };
    const name = uniqueName('sink-resume');
    let process = ConnectorProcess.start(name, config);
    defer(async () => void (await process.stop('SIGKILL')));

    await expect.poll(async () => (await scanAll(dynamodb, topic).catch(() => [])).length, { timeout: 60_000, interval: 50 }).toBeGreaterThan(200);
    expect(await process.stop('SIGKILL')).toBe('SIGKILL');
    process = ConnectorProcess.start(name, config);

    const final = async () => (await scanAll(dynamodb, topic)).filter((item) => item.round!.N === '3').length;
    await expect.poll(final, { timeout: 120_000 }).toBe(keys);
    const items = await scanAll(dynamodb, topic);
    expect(items).toHaveLength(keys);
    expect(new Set(items.map((item) => item.round!.N))).toEqual(new Set(['3']));
    expect(await process.stop('SIGTERM')).toBe(0);
  });
});
