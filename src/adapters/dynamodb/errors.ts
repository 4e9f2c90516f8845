// Every AWS failure is classified once, here, so the layers above decide by kind (retry, re-acquire an
// iterator, re-snapshot, stop) instead of by matching error names all over the code.
import { AwsError, type AwsErrorKind } from '../../domain/aws-error.js';

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
]);
const AUTH = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDeniedException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Wraps any error thrown by an AWS SDK call into an AwsError; `what` says what was being done, for the message. */
export function classifyAwsError(error: unknown, what: string): AwsError {
  if (error instanceof AwsError) return error;
  const failure = (error ?? {}) as SdkLikeError;
  const name = failure.name ?? '';
  const status = failure.$metadata?.httpStatusCode;
  const detail = failure.message ? `${name ? `${name}: ` : ''}${failure.message}` : name || String(error);
  const kind = kindOf(name, failure.code, status, failure.message ?? '');
  return new AwsError(kind, `${what}: ${detail}${hint(kind)}`, error);
}

function kindOf(name: string, code: string | undefined, status: number | undefined, message: string): AwsErrorKind {
  if (name === 'ExpiredIteratorException') return 'expired-iterator';
  if (name === 'TrimmedDataAccessException') return 'trimmed';
  if (name === 'ResourceNotFoundException') return 'not-found';
  // DynamoDB Local answers unknown operations by name; a server without the API at all, by status.
  if (name === 'UnknownOperationException' || status === 404 || status === 501) return 'unsupported';
  if (THROTTLED.has(name)) return 'throttled';
  if (AUTH.has(name) || /security token|access key id/i.test(message)) return 'auth';
  if (UNREACHABLE_CODES.has(code ?? '') || UNREACHABLE_CODES.has(name) || name === 'TimeoutError') return 'unreachable';
  if (status !== undefined && status >= 500) return 'transient';
  if (name === 'ValidationException' || (status !== undefined && status >= 400)) return 'invalid';
  return 'transient';
}

function hint(kind: AwsErrorKind): string {
  switch (kind) {
    case 'auth':
      return ' (check aws.access.key.id / aws.secret.access.key, or the default credential chain, and the IAM policy)';
    case 'unreachable':
      return ' (check dynamodb.service.endpoint and aws.region, and that the endpoint is reachable)';
    default:
      return '';
  }
}
