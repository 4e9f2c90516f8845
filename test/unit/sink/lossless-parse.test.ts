import { LosslessNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJsonLosslessly } from '../../../src/sink/lossless-parse.js';

/** Same values, LosslessNumbers and their texts included, as lossless-json's own parse. */
function expectSameAsLosslessJson(text: string) {
  const ours = parseJsonLosslessly(text);
  expect(ours).toStrictEqual(parse(text));
  return ours;
}

describe('parseJsonLosslessly', () => {
  it('gives what lossless-json gives, for plain values and for numbers a double would change', () => {
    const texts = [
      '{"id":"item-00000001","n":42,"payload":"xxx","flag":true,"none":null}',
      '{"nested":{"list":[1,-2,[3,{"deep":"v"}]],"empty":{},"blank":[]}}',
      '"top-level text"',
      '7',
      '[]',
      '{"big":123456789012345678901234567890123456,"exact":9007199254740993}',
      '{"price":1.50,"ratio":0.10,"tiny":0.0000001,"e":1e2,"E":2.5E-130,"zero":-0,"negzero":-0.0}',
      '{"text with digits":"version 1.5 and 2e3 and -0 inside strings"}',
      '{"date":"2026-01-02","time":"12:30","neg":-15}',
      '{ "spaced" :\t1 ,\n"names"\r: [ 2 ] }',
      '{"escaped \\" name":"value with \\":\\" inside","unicode":"\\u00e9😀"}',
    ];
    for (const text of texts) expectSameAsLosslessJson(text);
  });

  it('keeps every digit of large and fractional numbers', () => {
    const value = expectSameAsLosslessJson('{"a":12345678901234567890123456789012345678,"b":1.50}') as Record<string, LosslessNumber>;
    expect(value.a!.value).toBe('12345678901234567890123456789012345678');
    expect(value.b!.value).toBe('1.50');
  });

  it('refuses duplicate names with different values as lossless-json does, also nested and next to look-alike strings', () => {
    for (const text of ['{"a":1,"a":2}', '{"x":{"b":"1","b":"2"}}', '[{"k":true},{"k":1,"k":2}]', '{"s":"\\":","a":1,"a":3}']) {
      expect(() => parseJsonLosslessly(text)).toThrow(/Duplicate key/);
    }
    // lossless-json lets a name repeat with the same value; so does this.
    expectSameAsLosslessJson('{"k":1,"k":1}');
  });

  it('keeps a member named __proto__ as data', () => {
    const value = expectSameAsLosslessJson('{"__proto__":{"n":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('reports invalid JSON with lossless-json\'s own message', () => {
    for (const text of ['{"a":', '{"a" 1}', '[1,]', 'nope']) {
      const expected = (() => {
        try {
          parse(text);
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error(`lossless-json accepted ${text}`);
      })();
      expect(() => parseJsonLosslessly(text)).toThrow(expected);
    }
  });
});
