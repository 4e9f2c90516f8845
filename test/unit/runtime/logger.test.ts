import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, logFormatFromEnvironment } from '../../../src/runtime/logger.js';

function capture(level: Parameters<typeof createLogger>[1], format: Parameters<typeof createLogger>[2]) {
  const lines: string[] = [];
  return { lines, log: createLogger('orders-source', level, format, (line) => lines.push(line)) };
}

describe('logger', () => {
  afterEach(() => {
    delete process.env.DYNAMODB_KAFKA_LOG_FORMAT;
  });

  it('writes one line for people by default: time, level, scope, message', () => {
    const { lines, log } = capture('info', 'text');
    log.child('orders').warn('throttled: retrying');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}\[orders-source\/orders\] throttled: retrying\n$/);
  });

  it('writes one JSON object per line in the json format, the scope as a field and the message whole', () => {
    const { lines, log } = capture('info', 'json');
    log.child('orders').error('a "quoted"\nmultiline message');
    log.info('unscoped? no: the root scope');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, string>);
    expect(first).toEqual({ time: expect.stringMatching(/Z$/), level: 'error', scope: 'orders-source/orders', message: 'a "quoted"\nmultiline message' });
    expect(second!.scope).toBe('orders-source');
  });

  it('leaves out the lines below its level', () => {
    const { lines, log } = capture('warn', 'json');
    log.info('not shown');
    log.warn('shown');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['shown']);
  });

  it('takes its format from DYNAMODB_KAFKA_LOG_FORMAT and refuses one it does not know, naming the variable', () => {
    expect(logFormatFromEnvironment()).toBe('text');
    process.env.DYNAMODB_KAFKA_LOG_FORMAT = 'JSON';
    expect(logFormatFromEnvironment()).toBe('json');
    process.env.DYNAMODB_KAFKA_LOG_FORMAT = 'yaml';
    expect(() => logFormatFromEnvironment()).toThrow('DYNAMODB_KAFKA_LOG_FORMAT: expected one of text, json, got "yaml"');
  });
});
