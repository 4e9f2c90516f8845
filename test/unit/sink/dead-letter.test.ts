import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../../src/domain/conversion-error.js';
import { DeadLetterReporter } from '../../../src/sink/dead-letter.js';
import type { FailedRecord } from '../../../src/sink/ports.js';
import { InMemoryDeadLetterTopics } from '../../support/fakes/sink-ports.js';

const DLQ = 'orders-dlq';

function failed(offset: string, error: Error, key: string | null = `key-${offset}`, value: string | null = `value-${offset}`): FailedRecord {
  return { topic: 'orders', partition: 2, offset, key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), error };
}

function reporter(headers: boolean) {
  const topics = new InMemoryDeadLetterTopics();
  return { topics, reporter: new DeadLetterReporter(topics, DLQ, { connector: 'orders-sink', task: 3, headers }) };
}

describe('DeadLetterReporter', () => {
  it("sends each record's original bytes with Kafka Connect's error headers, in order", async () => {
    const { topics, reporter: deadLetters } = reporter(true);
    const refused = Object.assign(new Error('BatchWriteItem orders: One or more parameter values were invalid'), { name: 'AwsError' });
    await deadLetters.report([failed('7', new ConversionError('value is not JSON')), failed('9', refused, null, null)]);
    expect(topics.messages(DLQ)).toEqual([
      {
        key: Buffer.from('key-7'),
        value: Buffer.from('value-7'),
        headers: {
          '__connect.errors.topic': 'orders',
          '__connect.errors.partition': '2',
          '__connect.errors.offset': '7',
          '__connect.errors.connector.name': 'orders-sink',
          '__connect.errors.task.id': '3',
          '__connect.errors.stage': 'VALUE_CONVERTER',
          '__connect.errors.exception.class.name': 'ConversionError',
          '__connect.errors.exception.message': 'value is not JSON',
        },
      },
      {
        key: null,
        value: null,
        headers: expect.objectContaining({
          '__connect.errors.offset': '9',
          '__connect.errors.stage': 'TASK_PUT',
          '__connect.errors.exception.class.name': 'AwsError',
          '__connect.errors.exception.message': 'BatchWriteItem orders: One or more parameter values were invalid',
        }),
      },
    ]);
  });

  it('leaves the headers out when errors.deadletterqueue.context.headers.enable is off', async () => {
    const { topics, reporter: deadLetters } = reporter(false);
    await deadLetters.report([failed('1', new ConversionError('no id'))]);
    expect(topics.messages(DLQ)).toEqual([{ key: Buffer.from('key-1'), value: Buffer.from('value-1') }]);
  });

  it('writes nothing for no records, and fails when the write fails (so the caller commits nothing past them)', async () => {
    const { topics, reporter: deadLetters } = reporter(true);
    await deadLetters.report([]);
    expect(topics.topics.size).toBe(0);
    topics.failWrites(new Error('broker down'));
    await expect(deadLetters.report([failed('1', new ConversionError('no id'))])).rejects.toThrow('broker down');
    expect(topics.messages(DLQ)).toEqual([]);
  });
});
