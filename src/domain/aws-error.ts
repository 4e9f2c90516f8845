/**
 * What an AWS call's failure means to the connectors, by kind: the ports' error vocabulary. The DynamoDB adapter
 * classifies every SDK error into one (adapters/dynamodb/errors.ts), so the layers above decide by kind.
 */
export type AwsErrorKind =
  | 'throttled' // back off and retry
  | 'transient' // server or network hiccup: retry
  | 'unreachable' // no answer from the endpoint at all
  | 'expired-iterator' // a shard iterator older than 15 minutes: re-acquire from the checkpoint
  | 'trimmed' // the records asked for are past the stream's 24 h retention: a gap
  | 'not-found' // table, stream or shard does not exist
  | 'auth' // credentials missing, wrong or not allowed
  | 'unsupported' // the endpoint does not offer this operation (tagging on DynamoDB Local, say)
  | 'invalid'; // the request itself is wrong: retrying cannot help

export class AwsError extends Error {
  override readonly name = 'AwsError';
  constructor(
    readonly kind: AwsErrorKind,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }

  get canRetry(): boolean {
    return this.kind === 'throttled' || this.kind === 'transient' || this.kind === 'unreachable';
  }
}
