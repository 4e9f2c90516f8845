/**
 * The AWS SDK warns on every start that its releases after January 2027 need Node 22. This project targets
 * Node 20 on purpose (and pins SDK versions through its lock file), so that one warning is dropped from the
 * CLI's output; every other warning passes through.
 */
export function silenceSdkNodeVersionWarning(): void {
  // The SDK's own switch, seen by every SDK copy in this process; the filter below covers anything earlier.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
