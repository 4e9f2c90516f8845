/**
 * Log lines on stderr, one per event. `text` (the default) is for people:
 * `2026-11-22T02:40:00.000Z INFO  [connector/table] message`. `json` is for log shippers (Fluent Bit, Vector,
 * Loki, CloudWatch): `{"time":"2026-11-22T02:40:00.000Z","level":"info","scope":"connector/table","message":"…"}`,
 * chosen with `--log-format json` or DYNAMODB_KAFKA_LOG_FORMAT=json. Messages are built by their callers, which
 * never put credentials in them (config errors name keys, not values; URLs are shown without user info).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(
  scope = '',
  level: LogLevel = (process.env.DYNAMODB_KAFKA_LOG_LEVEL as LogLevel) || 'info',
  format: LogFormat = logFormatFromEnvironment(),
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const line = format === 'json' ? jsonLine : textLine;
  const log = (lineLevel: LogLevel, message: string) => {
    if (ORDER[lineLevel] < threshold) return;
    write(line(new Date().toISOString(), lineLevel, scope, message));
  };
  return {
    info: (message) => log('info', message),
    warn: (message) => log('warn', message),
    error: (message) => log('error', message),
    child: (child) => createLogger(scope ? `${scope}/${child}` : child, level, format, write),
  };
}

/** DYNAMODB_KAFKA_LOG_FORMAT, or text; an unknown value is refused rather than guessed at. */
export function logFormatFromEnvironment(): LogFormat {
  const value = process.env.DYNAMODB_KAFKA_LOG_FORMAT;
  if (value === undefined || value === '') return 'text';
  return parseLogFormat(value, 'DYNAMODB_KAFKA_LOG_FORMAT');
}

export function parseLogFormat(value: string, source: string): LogFormat {
  const format = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new Error(`${source}: expected one of ${LOG_FORMATS.join(', ')}, got "${value}"`);
}

function textLine(time: string, level: LogLevel, scope: string, message: string): string {
  return `${time} ${level.toUpperCase().padEnd(5)}${scope ? ` [${scope}]` : ''} ${message}\n`;
}

function jsonLine(time: string, level: LogLevel, scope: string, message: string): string {
  return `${JSON.stringify({ time, level, ...(scope ? { scope } : {}), message })}\n`;
}
