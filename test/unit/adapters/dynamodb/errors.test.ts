import { describe, expect, it } from 'vitest';
import { AwsError, type AwsErrorKind } from '../../../../src/domain/aws-error.js';
import { classifyAwsError } from '../../../../src/adapters/dynamodb/errors.js';

/** An error shaped like the ones the AWS SDK v3 throws. */
function sdkError(name: string, message: string, options: { status?: number; code?: string } = {}): Error {
  const error = new Error(message) as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  error.name = name;
  if (options.status !== undefined) error.$metadata = { httpStatusCode: options.status };
  if (options.code !== undefined) error.code = options.code;
  return error;
}

describe('classifyAwsError', () => {
  it.each<[string, Error, AwsErrorKind, boolean]>([
    ['ExpiredIteratorException', sdkError('ExpiredIteratorException', 'Iterator expired', { status: 400 }), 'expired-iterator', false],
    ['TrimmedDataAccessException', sdkError('TrimmedDataAccessException', 'Trimmed', { status: 400 }), 'trimmed', false],
    ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 'Requested resource not found', { status: 400 }), 'not-found', false],
    [
      'ProvisionedThroughputExceededException',
      sdkError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput was exceeded', { status: 400 }),
      'throttled',
      true,
    ],
    ['ThrottlingException', sdkError('ThrottlingException', 'Rate exceeded', { status: 400 }), 'throttled', true],
    ['UnrecognizedClientException', sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', { status: 400 }), 'auth', false],
    ['an invalid access key message', sdkError('Error', 'The Access Key ID or security token is invalid.', { status: 403 }), 'auth', false],
    ['ECONNREFUSED', sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:8000', { code: 'ECONNREFUSED' }), 'unreachable', true],
    ['HTTP 500', sdkError('InternalServerError', 'Internal server error', { status: 500 }), 'transient', true],
    ['ValidationException', sdkError('ValidationException', 'One or more parameter values were invalid', { status: 400 }), 'invalid', false],
  ])('%s', (_name, error, kind, canRetry) => {
    const classified = classifyAwsError(error, 'GetRecords orders');
    expect(classified).toBeInstanceOf(AwsError);
    expect(classified.kind).toBe(kind);
    expect(classified.canRetry).toBe(canRetry);
    expect(classified.cause).toBe(error);
    expect(classified.message.startsWith('GetRecords orders: ')).toBe(true);
    expect(classified.message).toContain(error.message);
  });

  it('hints at the credentials settings for auth failures', () => {
    for (const error of [
      sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', { status: 400 }),
      sdkError('Error', 'The Access Key ID or security token is invalid.', { status: 403 }),
    ]) {
      const classified = classifyAwsError(error, 'DescribeTable orders');
      expect(classified.kind).toBe('auth');
      expect(classified.message).toContain('aws.access.key.id');
    }
  });

  it('hints at the endpoint setting when the endpoint is unreachable', () => {
    const classified = classifyAwsError(sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:8000', { code: 'ECONNREFUSED' }), 'DescribeTable orders');
    expect(classified.kind).toBe('unreachable');
    expect(classified.message).toContain('dynamodb.service.endpoint');
    expect(classified.message).toContain('ECONNREFUSED');
  });

  it('gives no hint for other kinds', () => {
    const classified = classifyAwsError(sdkError('ValidationException', 'bad request', { status: 400 }), 'Scan orders');
    expect(classified.message).toBe('Scan orders: ValidationException: bad request');
  });

  it('classifies by name before status', () => {
    expect(classifyAwsError(sdkError('ThrottlingException', 'slow down', { status: 400 }), 'x').kind).toBe('throttled');
    expect(classifyAwsError(sdkError('ResourceNotFoundException', 'gone', { status: 400 }), 'x').kind).toBe('not-found');
  });

  it('accepts plain objects shaped like SDK errors', () => {
    const classified = classifyAwsError(
      { name: 'ProvisionedThroughputExceededException', message: 'exceeded', $metadata: { httpStatusCode: 400 } },
      'Scan orders',
    );
    expect(classified.kind).toBe('throttled');
    expect(classified.canRetry).toBe(true);
  });

  it('returns an AwsError unchanged', () => {
    const original = new AwsError('trimmed', 'already classified');
    expect(classifyAwsError(original, 'again')).toBe(original);
  });
});
