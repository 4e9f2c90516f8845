import type { ConnectorFile } from '../config/connector-file.js';
import { isSinkConnectorClass } from '../config/sink.js';
import type { Logger } from '../runtime/logger.js';
import { stackStatus } from '../stack/stack.js';

/**
 * A connector that names neither a Kafka cluster nor a DynamoDB endpoint runs against the local stack, when
 * one is up (`dynamodb-kafka stack up`).
 */
export async function withLocalStack(file: ConnectorFile, log: Logger): Promise<Record<string, string>> {
  const config = file.config;
  const endpointKeys = ['bootstrap.servers', 'dynamodb.service.endpoint', 'aws.dynamodb.endpoint'];
  if (endpointKeys.some((key) => config[key])) return config;
  const sink = isSinkConnectorClass(config['connector.class'] ?? '');
  const stack = await stackStatus();
  if (!stack) return config;
  log.info(`${file.name}: no bootstrap.servers or dynamodb.service.endpoint set; using the local stack`);
  const hasCredentials = config['aws.access.key.id'] || config['aws.secret.access.key'] || config['aws.sts.role.arn'];
  return {
    ...config,
    'bootstrap.servers': stack.kafka.bootstrapServers,
    [sink ? 'aws.dynamodb.endpoint' : 'dynamodb.service.endpoint']: stack.dynamodb.endpoint,
    ...(sink ? { 'aws.dynamodb.region': config['aws.dynamodb.region'] || stack.dynamodb.region } : { 'aws.region': config['aws.region'] || stack.dynamodb.region }),
    // DynamoDB Local accepts any letters-and-digits key pair.
    ...(hasCredentials ? {} : { 'aws.access.key.id': 'local', 'aws.secret.access.key': 'local' }),
  };
}
