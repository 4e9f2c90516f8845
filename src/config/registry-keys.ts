// The record-format keys both connectors share: the data formats and the Schema Registry settings, named as
// Kafka Connect's converters and Confluent's connectors name them.
import { z } from 'zod';
import { subjectNameStrategy, type SubjectNameStrategy } from '../domain/subject-names.js';
import type { ConfigProblem } from './errors.js';
import { keyProblem } from './errors.js';
import { HIDDEN } from './secrets.js';
import { httpUrl, oneOf, text, valueFrom, type ValueSchema } from './values.js';

export const REGISTRY_FORMATS = ['AVRO', 'JSON_SR', 'PROTOBUF'] as const;
export type RegistryFormat = (typeof REGISTRY_FORMATS)[number];
export const DATA_FORMATS = ['AVRO', 'JSON_SR', 'PROTOBUF', 'JSON'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const KEY_FORMATS = [...DATA_FORMATS, 'STRING'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];

export interface RegistrySettings {
  /** One URL or several, comma-separated; may hold user:password@ (basic.auth.credentials.source=URL). */
  url: string;
  basicAuth?: { source: 'USER_INFO'; userInfo: string } | { source: 'URL' };
  /** schema.context.name; unset: the default context. */
  context?: string;
  keySubjects: SubjectNameStrategy;
  valueSubjects: SubjectNameStrategy;
}

const registryUrls: ValueSchema<string> = valueFrom('expected one or more http:// or https:// URLs, comma-separated', (value) => {
  const urls = value.split(',').map((url) => url.trim());
  return urls.length > 0 && urls.every((url) => httpUrl().safeParse(url).success) ? urls.join(',') : undefined;
});

const strategy: ValueSchema<SubjectNameStrategy> = valueFrom(
  'expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (or their io.confluent.kafka.serializers.subject. class names)',
  subjectNameStrategy,
);

/** The keys, to spread into a connector's key schema. */
export const registryKeys = {
  'schema.registry.url': registryUrls.optional(),
  'basic.auth.credentials.source': oneOf(['USER_INFO', 'URL', 'SASL_INHERIT'] as const).optional(),
  'schema.registry.basic.auth.user.info': text().optional(),
  'schema.context.name': valueFrom('expected a context name (letters, digits, ".", "_", "-")', (value) =>
    /^[A-Za-z0-9._-]+$/.test(value) ? value : undefined,
  ).optional(),
  'key.subject.name.strategy': strategy.default('TopicNameStrategy'),
  'value.subject.name.strategy': strategy.default('TopicNameStrategy'),
} satisfies Record<string, z.ZodType>;

type RegistryKeyValues = z.output<z.ZodObject<typeof registryKeys>>;

/**
 * The registry settings when a URL is set; problems for settings that cannot work (credentials without their
 * source, a source without credentials). The user info is never quoted.
 */
export function settleRegistry(keys: RegistryKeyValues, problems: ConfigProblem[]): RegistrySettings | undefined {
  const url = keys['schema.registry.url'];
  const source = keys['basic.auth.credentials.source'];
  const userInfo = keys['schema.registry.basic.auth.user.info'];
  if (url === undefined) return undefined;
  let basicAuth: RegistrySettings['basicAuth'];
  if (source === 'SASL_INHERIT') {
    problems.push(keyProblem('basic.auth.credentials.source', 'SASL_INHERIT is not supported: use USER_INFO with schema.registry.basic.auth.user.info, or URL'));
  } else if (source === 'URL') {
    if (!url.split(',').some((one) => new URL(one).username !== '')) {
      problems.push(keyProblem('schema.registry.url', 'basic.auth.credentials.source=URL needs user:password@ in the URL'));
    }
    basicAuth = { source: 'URL' };
  } else if (userInfo !== undefined) {
    if (!/^[^:]+:.*$/.test(userInfo)) problems.push(keyProblem('schema.registry.basic.auth.user.info', 'expected <user>:<password>'));
    basicAuth = { source: 'USER_INFO', userInfo };
  } else if (source === 'USER_INFO') {
    problems.push(keyProblem('schema.registry.basic.auth.user.info', 'required with basic.auth.credentials.source=USER_INFO'));
  }
  return {
    url,
    ...(basicAuth ? { basicAuth } : {}),
    ...(keys['schema.context.name'] ? { context: keys['schema.context.name'] } : {}),
    keySubjects: keys['key.subject.name.strategy'],
    valueSubjects: keys['value.subject.name.strategy'],
  };
}

/** Registry settings as they may be shown: without the user info or a URL's user:password. */
export function describeRegistry(registry: RegistrySettings): RegistrySettings {
  const url = registry.url.includes('@') ? HIDDEN : registry.url;
  const basicAuth = registry.basicAuth?.source === 'USER_INFO' ? { source: 'USER_INFO' as const, userInfo: HIDDEN } : registry.basicAuth;
  return { ...registry, url, ...(basicAuth ? { basicAuth } : {}) };
}

/** A format that needs a registry, configured without one: the key to add, named. */
export function registryRequired(formatKey: string, format: string): ConfigProblem {
  return keyProblem('schema.registry.url', `required: ${formatKey}=${format} writes through a Schema Registry`);
}

export const dataFormat = oneOf(DATA_FORMATS);
export const keyFormat = oneOf(KEY_FORMATS);
