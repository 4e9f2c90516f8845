import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMESTAMP_FORMAT, parseStartTimestamp, timestampParser, type TimestampParser } from '../../../src/config/timestamp.js';

function parserFor(pattern: string): TimestampParser {
  const parser = timestampParser(pattern);
  if (typeof parser !== 'function') throw new Error(parser.error);
  return parser;
}

describe('timestampParser', () => {
  it("reads the default pattern as UTC (its literal 'Z')", () => {
    expect(parserFor(DEFAULT_TIMESTAMP_FORMAT)('2024-01-31T12:34:56Z')).toBe(Date.UTC(2024, 0, 31, 12, 34, 56));
  });

  it('reads milliseconds and an ISO offset', () => {
    const parse = parserFor("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    expect(parse('2024-01-31T12:34:56.789+02:00')).toBe(Date.UTC(2024, 0, 31, 10, 34, 56, 789));
    expect(parse('2024-01-31T12:34:56.789Z')).toBe(Date.UTC(2024, 0, 31, 12, 34, 56, 789));
    expect(parse('2024-01-31T12:34:56.789-05:30')).toBe(Date.UTC(2024, 0, 31, 18, 4, 56, 789));
  });

  it('reads compact offsets (X, Z) and space-separated patterns', () => {
    expect(parserFor('yyyy-MM-dd HH:mm:ssX')('2024-06-01 00:00:00+01')).toBe(Date.UTC(2024, 4, 31, 23));
    expect(parserFor('yyyyMMddHHmmssZ')('20240601000000-0100')).toBe(Date.UTC(2024, 5, 1, 1));
    expect(parserFor('dd/MM/yy')('02/03/24')).toBe(Date.UTC(2024, 2, 2));
  });

  it("reads '' as a quote and keeps fractions beyond milliseconds", () => {
    expect(parserFor("yyyy-MM-dd''HH")('2024-01-01\'05')).toBe(Date.UTC(2024, 0, 1, 5));
    expect(parserFor('yyyy-MM-dd HH:mm:ss.SSSSSS')('2024-01-01 00:00:00.123456')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 123));
  });

  it('rejects text that does not match or is not a real time', () => {
    const parse = parserFor(DEFAULT_TIMESTAMP_FORMAT);
    expect(parse('2024-01-31 12:34:56')).toBeUndefined();
    expect(parse('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(parse('2024-13-01T00:00:00Z')).toBeUndefined();
    expect(parse('2024-01-01T24:00:00Z')).toBeUndefined();
  });

  it('explains unsupported patterns', () => {
    expect(timestampParser('EEE, dd MMM yyyy')).toEqual({ error: expect.stringContaining('"EEE"') });
    expect(timestampParser("yyyy-MM-dd'T")).toEqual({ error: expect.stringContaining('closing quote') });
    expect(timestampParser('HH:mm')).toEqual({ error: expect.stringContaining('no year') });
    expect(timestampParser('yyyy[-MM]')).toEqual({ error: expect.stringContaining('optional sections') });
  });
});

describe('parseStartTimestamp', () => {
  const parse = parserFor(DEFAULT_TIMESTAMP_FORMAT);

  it('prefers the pattern, else takes all digits as epoch milliseconds', () => {
    expect(parseStartTimestamp('2024-01-31T00:00:00Z', parse)).toBe(Date.UTC(2024, 0, 31));
    expect(parseStartTimestamp('1706659200000', parse)).toBe(1706659200000);
    expect(parseStartTimestamp('yesterday', parse)).toBeUndefined();
  });

  it('lets an all-digits pattern win over epoch milliseconds', () => {
    expect(parseStartTimestamp('20240131000000', parserFor('yyyyMMddHHmmss'))).toBe(Date.UTC(2024, 0, 31));
  });
});
