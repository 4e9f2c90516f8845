import { describe, expect, it } from 'vitest';
import { ConfigError, invalidValue, keyProblem, throwIfProblems, unknownKey } from '../../../src/config/errors.js';

describe('ConfigError', () => {
  it('names the key and quotes the bad value', () => {
    const error = new ConfigError(invalidValue('dynamodb.snapshot.segments', 'expected an integer ≥ 1', 'abc'));
    expect(error.message).toBe('dynamodb.snapshot.segments: expected an integer ≥ 1, got "abc"');
    expect(error.key).toBe('dynamodb.snapshot.segments');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });

  it('never echoes the value of a secret key', () => {
    const error = new ConfigError(invalidValue('sasl.password', 'expected something else', 'hunter2'));
    expect(error.message).toContain('sasl.password');
    expect(error.message).not.toContain('hunter2');
  });

  it('words an unknown key with its suggestion', () => {
    expect(unknownKey('dynamodb.tabel.includelist', 'dynamodb.table.includelist').message).toBe(
      'unknown key "dynamodb.tabel.includelist" (did you mean "dynamodb.table.includelist"?)',
    );
    expect(unknownKey('whatever').message).toBe('unknown key "whatever"');
  });

  it('lists several problems one per line, with no single key', () => {
    const error = new ConfigError([keyProblem('a.b', 'required'), unknownKey('c.d')], 'invalid configuration');
    expect(error.message.split('\n')).toEqual(['invalid configuration:', '  - a.b: required', '  - unknown key "c.d"']);
    expect(error.key).toBeUndefined();
    expect(error.problems).toHaveLength(2);
  });

  it('keeps a heading and a single problem on one line', () => {
    expect(new ConfigError(keyProblem('a.b', 'required'), 'connector "x"').message).toBe('connector "x": a.b: required');
  });

  it('throws only when there is a problem', () => {
    expect(() => throwIfProblems([])).not.toThrow();
    expect(() => throwIfProblems([keyProblem('k', 'bad')])).toThrow(ConfigError);
  });
});
