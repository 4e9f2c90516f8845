/** Log lines for people, on stderr: `2026-11-22T02:40:00.000Z INFO  [connector/table] message`. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(scope = '', level: Level = (process.env.DYNAMODB_KAFKA_LOG_LEVEL as Level) || 'info'): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const write = (lineLevel: Level, message: string) => {
    if (ORDER[lineLevel] < threshold) return;
    const prefix = scope ? ` [${scope}]` : '';
    process.stderr.write(`${new Date().toISOString()} ${lineLevel.toUpperCase().padEnd(5)}${prefix} ${message}\n`);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
    child: (child) => createLogger(scope ? `${scope}/${child}` : child, level),
  };
}
