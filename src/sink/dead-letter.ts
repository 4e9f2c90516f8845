import type { DeadLetterSink, DeadLetterWriter, FailedRecord } from './ports.js';

/**
 * Sends records that could not be converted or written to the dead-letter topic: the original bytes, with
 * Kafka Connect's error headers when enabled. The send is awaited, so offsets are committed only after the
 * dead-letter copy is durable.
 */
export class DeadLetterReporter implements DeadLetterSink {
  constructor(
    private readonly writer: DeadLetterWriter,
    private readonly topic: string,
    private readonly context: { connector: string; task: number; headers: boolean },
  ) {}

  async report(records: FailedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.writer.write(
      this.topic,
      records.map((record) => ({
        key: record.key,
        value: record.value,
        ...(this.context.headers ? { headers: this.headersFor(record) } : {}),
      })),
    );
  }

  private headersFor(record: FailedRecord): Record<string, string> {
    return {
      '__connect.errors.topic': record.topic,
      '__connect.errors.partition': String(record.partition),
      '__connect.errors.offset': record.offset,
      '__connect.errors.connector.name': this.context.connector,
      '__connect.errors.task.id': String(this.context.task),
      '__connect.errors.stage': record.error.name === 'ConversionError' ? 'VALUE_CONVERTER' : 'TASK_PUT',
      '__connect.errors.exception.class.name': record.error.name,
      '__connect.errors.exception.message': record.error.message,
    };
  }
}
