import type { OutgoingMessage } from '../domain/outgoing-message.js';
import type { LambdaStreamRecord } from './event.js';

/**
 * A stream record that can never become a Kafka record (not a change, or attributes that are not DynamoDB
 * JSON), as the dead-letter topic receives it: the record as Lambda delivered it, keyed by its Keys, with Kafka
 * Connect's error headers saying where it was going and why it could not.
 */
export function poisonRecord(
  record: LambdaStreamRecord,
  error: Error,
  where: { deadLetterTopic: string; topic: string; connector: string; shardId: string },
): OutgoingMessage {
  const keys = record.dynamodb?.Keys;
  return {
    topic: where.deadLetterTopic,
    key: keys === undefined ? null : JSON.stringify(keys),
    value: JSON.stringify(record),
    headers: {
      '__connect.errors.topic': where.topic,
      '__connect.errors.connector.name': where.connector,
      '__connect.errors.task.id': where.shardId,
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.exception.class.name': error.name,
      '__connect.errors.exception.message': error.message,
    },
  };
}
