import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../../src/domain/conversion-error.js';
import {
  anyJsonToAttribute,
  connectToAttribute,
  isConnectJson,
  jsonToAttribute,
  jsonToItem,
  parseLosslessJson,
} from '../../../src/sink/json-to-attributes.js';
import { checkDynamoDbNumber, numberShape, significantDigitCount } from '../../../src/domain/number-text.js';

const convert = (text: string) => anyJsonToAttribute(parseLosslessJson(text, 'value'));
const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('plain JSON', () => {
  it('maps every JSON type one to one, never to sets', () => {
    expect(convert('{"s":"x","n":1,"t":true,"f":false,"z":null,"m":{"a":[1,"b",[]]},"l":["a","b"],"e":{}}')).toEqual({
      M: {
        s: { S: 'x' },
        n: { N: '1' },
        t: { BOOL: true },
        f: { BOOL: false },
        z: { NULL: true },
        m: { M: { a: { L: [{ N: '1' }, { S: 'b' }, { L: [] }] } } },
        l: { L: [{ S: 'a' }, { S: 'b' }] },
        e: { M: {} },
      },
    });
  });

  it('keeps the exact number text: 38 digits, trailing zeros, exponents', () => {
    const numbers = [
      '12345678901234567890123456789012345678',
      '-12345678901234567890123456789012345678',
      '1.50',
      '0.1',
      '-0',
      '1e5',
      '1E+125',
      '9.9999999999999999999999999999999999999E+125',
      '1E-130',
      '-1.5e-130',
      '123456789012345678901234567890123456780000',
      '0.00000000000000000000000000000000000000000001',
    ];
    for (const text of numbers) expect(convert(`{"n":${text}}`)).toEqual({ M: { n: { N: text } } });
  });

  it('refuses numbers DynamoDB cannot store', () => {
    for (const text of ['123456789012345678901234567890123456789', '1E+126', '1E-131', '9.99e-131', '1e99999999999999999999', '10E+125']) {
      expect(() => convert(`{"n":${text}}`)).toThrow(/number .* out of DynamoDB's range/);
    }
    expect(() => convert('[1e200]')).toThrow(ConversionError);
    expect(() => convert('{"deep":{"list":[1, 2e300]}}')).toThrow(/value\.deep\.list\[1\]: number 2e300 out of DynamoDB's range/);
  });

  it('accepts JS numbers and bigints as their text', () => {
    expect(jsonToAttribute({ a: 1.5, b: 10n })).toEqual({ M: { a: { N: '1.5' }, b: { N: '10' } } });
    expect(() => jsonToAttribute(Number.NaN)).toThrow(ConversionError);
  });

  it('refuses invalid JSON and duplicate keys', () => {
    expect(() => parseLosslessJson('{"a":', 'value')).toThrow(/value is not valid JSON/);
    expect(() => parseLosslessJson('{"a":1,"a":2}', 'value')).toThrow(/Duplicate key/);
  });

  it('keeps an attribute named __proto__ as data', () => {
    const item = jsonToItem(parseLosslessJson('{"__proto__":{"x":1}}', 'value'));
    expect(Object.keys(item)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
  });

  it('wants an object for an item', () => {
    expect(() => jsonToItem(parseLosslessJson('[1]', 'value'))).toThrow(/value must be a JSON object to become an item, got a list/);
    expect(() => jsonToItem(parseLosslessJson('"x"', 'value'))).toThrow(/got a string/);
  });
});

describe('number text', () => {
  it('finds significant digits and the exponent of the first one', () => {
    expect(numberShape('123.45')).toEqual({ significant: '12345', exponent: 2 });
    expect(numberShape('0.00500')).toEqual({ significant: '5', exponent: -3 });
    expect(numberShape('.5')).toEqual({ significant: '5', exponent: -1 });
    expect(numberShape('-1.5E-130')).toEqual({ significant: '15', exponent: -130 });
    expect(numberShape('000')).toEqual({ significant: '', exponent: 0 });
    expect(numberShape('abc')).toBeUndefined();
    expect(numberShape('.')).toBeUndefined();
  });

  it('checks the range, zero always fits', () => {
    expect(checkDynamoDbNumber('0E+999', 'n')).toBe('0E+999');
    expect(() => checkDynamoDbNumber('x', 'n')).toThrow(/"x" is not a number/);
    expect(checkDynamoDbNumber('9'.repeat(38), 'n')).toBe('9'.repeat(38));
    expect(() => checkDynamoDbNumber('9'.repeat(39), 'n')).toThrow(/out of DynamoDB's range/);
    expect(checkDynamoDbNumber(`1${'0'.repeat(45)}`, 'n')).toBe(`1${'0'.repeat(45)}`); // 1 significant digit
  });

  it('counts significant digits as the shape does, integers included', () => {
    const texts = ['0', '-0', '+0', '000', '7', '-7', '+7', '10', '1000', '0100', '-00120', '12345678901234567890123456789012345678', '9'.repeat(39)];
    texts.push('123.45', '0.00500', '.5', '-1.5E-130', '1e5', '100E2');
    for (const text of texts) expect(significantDigitCount(text), text).toBe(numberShape(text)!.significant.length);
    expect(significantDigitCount('abc')).toBeUndefined();
    expect(significantDigitCount('-')).toBeUndefined();
  });
});

describe('Kafka Connect JSON (schema + payload)', () => {
  const schema = {
    type: 'struct',
    fields: [
      { field: 'id', type: 'int64' },
      { field: 'name', type: 'string', optional: true },
      { field: 'photo', type: 'bytes' },
      { field: 'price', type: 'float64' },
      { field: 'active', type: 'boolean' },
      { field: 'tags', type: 'array', items: { type: 'string' } },
      { field: 'counts', type: 'map', keys: { type: 'string' }, values: { type: 'int32' } },
      { field: 'byId', type: 'map', keys: { type: 'int32' }, values: { type: 'string' } },
      { field: 'address', type: 'struct', fields: [{ field: 'city', type: 'string' }], optional: true },
      { field: 'amount', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } },
      { field: 'debt', type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '3' } },
      { field: 'status', type: 'string', optional: true, default: 'new' },
    ],
  };
  const payload =
    `{"id":12345678901234567890,"name":null,"photo":"${base64([0, 1, 254, 255])}","price":1.10,"active":true,` +
    `"tags":["a"],"counts":{"x":1},"byId":[[7,"seven"]],"address":{"city":"Oslo"},` +
    `"amount":"${base64([0x30, 0x39])}","debt":"${base64([0xff])}","status":null,"extra":1.0}`;

  it('converts by the schema: bytes → B, ints and floats → N with their digits, struct/map → M, array → L', () => {
    const text = `{"schema":${JSON.stringify(schema)},"payload":${payload}}`;
    const json = parseLosslessJson(text, 'value');
    expect(isConnectJson(json)).toBe(true);
    expect(jsonToItem(json)).toEqual({
      id: { N: '12345678901234567890' },
      name: { NULL: true },
      photo: { B: Uint8Array.of(0, 1, 254, 255) },
      price: { N: '1.10' },
      active: { BOOL: true },
      tags: { L: [{ S: 'a' }] },
      counts: { M: { x: { N: '1' } } },
      byId: { M: { '7': { S: 'seven' } } },
      address: { M: { city: { S: 'Oslo' } } },
      amount: { N: '123.45' },
      debt: { N: '-0.001' },
      status: { S: 'new' },
      extra: { N: '1.0' },
    });
  });

  it('names the path of a payload that does not match its schema', () => {
    expect(() => connectToAttribute({ type: 'struct', fields: [{ field: 'n', type: 'int32' }] }, { n: 'x' })).toThrow(
      /value\.n: Connect schema type int32 expects an integer, got a string/,
    );
    expect(() => connectToAttribute({ type: 'bytes' }, '***')).toThrow(/expects base64 text/);
    expect(() => connectToAttribute({ type: 'int8' }, parseLosslessJson('1.5', 'v'))).toThrow(/expects an integer/);
    expect(() => connectToAttribute({ type: 'weird' }, 1)).toThrow(/unknown Connect schema type "weird"/);
  });

  it('reads a null schema as schemaless JSON and only unwraps exact {schema, payload} objects', () => {
    expect(convert('{"schema":null,"payload":{"a":"x"}}')).toEqual({ M: { a: { S: 'x' } } });
    expect(convert('{"schema":{"type":"string"},"payload":"x","other":1}')).toEqual({
      M: { schema: { M: { type: { S: 'string' } } }, payload: { S: 'x' }, other: { N: '1' } },
    });
    expect(convert('{"schema":"not a schema","payload":1}')).toEqual({ M: { schema: { S: 'not a schema' }, payload: { N: '1' } } });
  });
});
