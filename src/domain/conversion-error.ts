import { describePosition, type RecordPosition } from './record-position.js';

/**
 * A record that cannot become a DynamoDB write: its data is at fault, not the sink, so it is dead-lettered (or
 * stops the task under errors.tolerance=none) instead of being retried. `reason` is the bare explanation;
 * the message adds where the record came from once that is known.
 */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
  readonly reason: string;
  readonly position: RecordPosition | undefined;

  constructor(reason: string, position?: RecordPosition, options?: ErrorOptions) {
    super(position === undefined ? reason : `${describePosition(position)}: ${reason}`, options);
    this.reason = reason;
    this.position = position;
  }

  /** The same error, its message now naming the record (unchanged if it already does). */
  at(position: RecordPosition): ConversionError {
    if (this.position !== undefined) return this;
    return new ConversionError(this.reason, position, this.cause === undefined ? undefined : { cause: this.cause });
  }
}
