import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretFetcher } from './env-config.js';

/**
 * Reads secrets from AWS Secrets Manager (the function's role needs secretsmanager:GetSecretValue on them).
 * `endpoint` is for an emulator (moto) or a VPC endpoint; the region is taken from the secret's ARN.
 */
export function secretsManagerFetcher(options: { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): SecretFetcher {
  const clients = new Map<string, SecretsManagerClient>();
  return async (arn) => {
    const region = arn.split(':')[3] || process.env.AWS_REGION || 'us-east-1';
    let client = clients.get(region);
    if (!client) {
      client = new SecretsManagerClient({
        region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      clients.set(region, client);
    }
    const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (answer.SecretString !== undefined) return answer.SecretString;
    if (answer.SecretBinary !== undefined) return Buffer.from(answer.SecretBinary).toString('utf8');
    throw new Error('the secret has no value');
  };
}
