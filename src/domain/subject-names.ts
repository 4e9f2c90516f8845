// The subject a schema is registered under, as Confluent's serializers name it (key.subject.name.strategy and
// value.subject.name.strategy), optionally inside a schema context (schema.context.name).

export const SUBJECT_NAME_STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const;
export type SubjectNameStrategy = (typeof SUBJECT_NAME_STRATEGIES)[number];

/** Confluent's class names of the strategies, accepted as well as the short names. */
const STRATEGY_PACKAGE = 'io.confluent.kafka.serializers.subject.';

export function subjectNameStrategy(value: string): SubjectNameStrategy | undefined {
  const short = value.startsWith(STRATEGY_PACKAGE) ? value.slice(STRATEGY_PACKAGE.length) : value;
  return (SUBJECT_NAME_STRATEGIES as readonly string[]).includes(short) ? (short as SubjectNameStrategy) : undefined;
}

export interface SubjectNaming {
  strategy: SubjectNameStrategy;
  /** Unset: the default context. */
  context?: string;
}

/** The subject of a key's or value's schema written to `topic`; `recordName` is the schema's full name. */
export function subjectName(naming: SubjectNaming, topic: string, isKey: boolean, recordName: string): string {
  const subject =
    naming.strategy === 'TopicNameStrategy'
      ? `${topic}-${isKey ? 'key' : 'value'}`
      : naming.strategy === 'RecordNameStrategy'
        ? recordName
        : `${topic}-${recordName}`;
  return naming.context === undefined ? subject : `:.${naming.context}:${subject}`;
}
