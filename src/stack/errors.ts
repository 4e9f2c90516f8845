/** A failure of the local stack, worded for the person who ran the command: what went wrong and what to do. */
export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    message: string,
    /** The last lines of the failing server's log, when there is one. */
    readonly logTail?: string,
  ) {
    super(logTail ? `${message}\n--- last lines of the log ---\n${logTail}` : message);
  }
}
