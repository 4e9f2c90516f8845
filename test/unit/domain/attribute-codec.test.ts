import { describe, expect, it } from 'vitest';
import {
  fromDynamoDbJson,
  keyOf,
  serializeDynamoDbJson,
  serializeKey,
  serializePlainJson,
  toDynamoDbJson,
  type Item,
} from '../../../src/domain/attribute-codec.js';

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const everyType: Item = {
  s: { S: 'héllo "quoted" \n' },
  empty: { S: '' },
  n: { N: '1.50' },
  big: { N: '12345678901234567890123456789012345678' },
  tiny: { N: '-1.5E-130' },
  b: { B: allBytes },
  emptyB: { B: new Uint8Array(0) },
  ss: { SS: ['a', 'b', ''] },
  ns: { NS: ['1', '99999999999999999999999999999999999999', '-0.000000000000000000000000000000000001'] },
  bs: { BS: [Uint8Array.of(0), Uint8Array.of(255, 254)] },
  nul: { NULL: true },
  yes: { BOOL: true },
  no: { BOOL: false },
  m: {
    M: {
      inner: { L: [{ S: 'x' }, { N: '2' }, { M: { deep: { NS: ['3', '4.0'] } } }, { L: [] }, { NULL: true }] },
      emptyMap: { M: {} },
    },
  },
  l: { L: [{ BOOL: false }, { B: Uint8Array.of(1, 2, 3) }, { SS: ['z'] }] },
};

describe('DynamoDB JSON', () => {
  it('writes every type in the AWS form, number text and attribute order kept', () => {
    const json = toDynamoDbJson(everyType);
    expect(Object.keys(json)).toEqual(Object.keys(everyType));
    expect(json.n).toEqual({ N: '1.50' });
    expect(json.big).toEqual({ N: '12345678901234567890123456789012345678' });
    expect(json.tiny).toEqual({ N: '-1.5E-130' });
    expect(json.b).toEqual({ B: base64(allBytes) });
    expect(json.emptyB).toEqual({ B: '' });
    expect(json.bs).toEqual({ BS: ['AA==', '//4='] });
    expect(json.nul).toEqual({ NULL: true });
    expect(json.no).toEqual({ BOOL: false });
    expect(json.m).toEqual({
      M: {
        inner: { L: [{ S: 'x' }, { N: '2' }, { M: { deep: { NS: ['3', '4.0'] } } }, { L: [] }, { NULL: true }] },
        emptyMap: { M: {} },
      },
    });
  });

  it('round-trips every type, nested maps and lists, empty strings, 38 digits and all byte values', () => {
    const back = fromDynamoDbJson(JSON.parse(serializeDynamoDbJson(everyType)));
    expect(back).toEqual(everyType);
    expect(back.b).toEqual({ B: allBytes });
    expect((back.b as { B: Uint8Array }).B).toBeInstanceOf(Uint8Array);
  });

  it('serializes to exactly JSON.stringify(toDynamoDbJson(item))', () => {
    expect(serializeDynamoDbJson(everyType)).toBe(JSON.stringify(toDynamoDbJson(everyType)));
  });

  it('writes an item without bytes (JSON.stringify\'s fast path) exactly as the writer does, and leaves malformed values to it', () => {
    const { b: _b, emptyB: _e, bs: _bs, l: _l, ...withoutBytes } = everyType;
    const item = { ...withoutBytes, '7': { S: 'an integer-like name' }, esc: { S: '"\\\u2028\u0000é😀' }, l: { L: [{ BOOL: false }, { SS: ['z'] }] } };
    expect(serializeDynamoDbJson(item)).toBe(JSON.stringify(toDynamoDbJson(item)));
    expect(() => serializeDynamoDbJson({ a: { S: 'x', N: '1' } } as never)).toThrow(/Attribute a: /);
  });

  it('writes and reads the lower-case spelling (trustpilot\'s document) of every type, and only that spelling', () => {
    const text = serializeDynamoDbJson(everyType, 'lower-case');
    expect(text).toBe(serializeDynamoDbJson(everyType).replace(/"(S|N|B|SS|NS|BS|M|L|NULL|BOOL)":/g, (_, tag: string) => `"${tag.toLowerCase()}":`));
    expect(fromDynamoDbJson(JSON.parse(text), 'lower-case')).toEqual(everyType);
    expect(() => fromDynamoDbJson({ a: { S: 'x' } }, 'lower-case')).toThrow('Attribute a: unknown type tag "S"');
    expect(() => fromDynamoDbJson({ a: { Ss: ['x'] } }, 'lower-case')).toThrow('Attribute a: unknown type tag "Ss"');
    expect(() => fromDynamoDbJson({ a: { s: 'x' } })).toThrow('Attribute a: unknown type tag "s"');
    expect(() => fromDynamoDbJson({ a: 'x' }, 'lower-case')).toThrow(/expected an object with one type tag \(s, n, b, ss, ns, bs, m, l, null, bool\)/);
  });

  it('keeps an attribute named __proto__ as an ordinary attribute', () => {
    const item = fromDynamoDbJson(JSON.parse('{"__proto__":{"S":"p"},"a":{"M":{"__proto__":{"N":"1"}}}}'));
    expect(Object.keys(item)).toEqual(['__proto__', 'a']);
    expect(serializeDynamoDbJson(item)).toBe('{"__proto__":{"S":"p"},"a":{"M":{"__proto__":{"N":"1"}}}}');
    expect(JSON.stringify(toDynamoDbJson(item))).toBe(serializeDynamoDbJson(item));
  });

  it('accepts every number form DynamoDB accepts and base64 without padding', () => {
    for (const n of ['0', '-0', '+3', '.5', '1.', '007', '1e5', '1E+05', '-1.5E-130']) {
      expect(fromDynamoDbJson({ n: { N: n } })).toEqual({ n: { N: n } });
    }
    expect(fromDynamoDbJson({ b: { B: '//4' } })).toEqual({ b: { B: Uint8Array.of(255, 254) } });
  });

  it.each([
    [{ a: { X: '1' } }, /Attribute a: unknown type tag "X"/],
    [{ a: { S: 'x', N: '1' } }, /Attribute a: expected exactly one type tag, got S, N/],
    [{ a: {} }, /Attribute a: expected exactly one type tag, got none/],
    [{ a: 'x' }, /Attribute a: expected an object/],
    [{ a: { N: 1 } }, /Attribute a: N must be a string/],
    [{ a: { N: '1.2.3' } }, /Attribute a: invalid number text "1.2.3"/],
    [{ a: { N: '' } }, /invalid number text ""/],
    [{ a: { N: 'NaN' } }, /invalid number text "NaN"/],
    [{ a: { N: '.' } }, /invalid number text "."/],
    [{ a: { N: ' 1' } }, /invalid number text " 1"/],
    [{ a: { M: { b: { L: [{ S: 'ok' }, { NS: ['1', 'x'] }] } } } }, /Attribute a\.b\[1\]\[1\]: invalid number text "x"/],
    [{ 'odd name': { M: { 'x.y': { BOOL: 'yes' } } } }, /Attribute \["odd name"\]\["x\.y"\]: BOOL must be a boolean/],
    [{ a: { NULL: false } }, /Attribute a: NULL must be true/],
    [{ a: { B: 'not base64!' } }, /Attribute a: expected base64 text/],
    [{ a: { SS: 'x' } }, /Attribute a: SS must be an array/],
    [{ a: { SS: [1] } }, /Attribute a\[0\]: SS element must be a string/],
    [{ a: { M: [] } }, /Attribute a: M must be an object/],
  ])('rejects malformed input %j with the attribute path', (json, message) => {
    expect(() => fromDynamoDbJson(json)).toThrow(message);
  });

  it('rejects a non-object item', () => {
    expect(() => fromDynamoDbJson([])).toThrow(/DynamoDB JSON item must be an object, got an array/);
    expect(() => fromDynamoDbJson(null)).toThrow(/got null/);
  });

  it('rejects values it cannot represent when writing', () => {
    const unknown = { a: { $unknown: ['VECTOR', [1]] } } as unknown as Item;
    expect(() => serializeDynamoDbJson(unknown)).toThrow(/Attribute a: unknown type tag "VECTOR"/);
    expect(() => toDynamoDbJson({ a: { NULL: false } })).toThrow(/Attribute a: NULL must be true/);
  });
});

describe('plain JSON', () => {
  it('writes natural JSON values', () => {
    const item: Item = {
      s: { S: '' },
      t: { BOOL: true },
      z: { NULL: true },
      b: { B: Uint8Array.of(1, 2, 3) },
      ss: { SS: ['a'] },
      bs: { BS: [Uint8Array.of(255)] },
      m: { M: { l: { L: [{ N: '1' }, { S: 'x' }, { M: {} }] } } },
    };
    expect(serializePlainJson(item)).toBe(
      '{"s":"","t":true,"z":null,"b":"AQID","ss":["a"],"bs":["/w=="],"m":{"l":[1,"x",{}]}}',
    );
  });

  it('writes numbers with exactly the stored digits, never through a JS number', () => {
    const item: Item = {
      big: { N: '12345678901234567890123456789012345678' },
      tiny: { N: '-1.5E-130' },
      trailing: { N: '1.50' },
      ns: { NS: ['99999999999999999999999999999999999999', '0.1'] },
    };
    const text = serializePlainJson(item);
    expect(text).toBe(
      '{"big":12345678901234567890123456789012345678,"tiny":-1.5E-130,"trailing":1.50,' +
        '"ns":[99999999999999999999999999999999999999,0.1]}',
    );
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('rewrites only the number syntax JSON forbids, keeping the digits', () => {
    const cases: Array<[string, string]> = [
      ['+3', '3'],
      ['.5', '0.5'],
      ['-.5', '-0.5'],
      ['1.', '1'],
      ['007.10', '7.10'],
      ['000', '0'],
      ['1.e5', '1e5'],
      ['-0', '-0'],
    ];
    for (const [stored, written] of cases) {
      const text = serializePlainJson({ n: { N: stored } });
      expect(text).toBe(`{"n":${written}}`);
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it('refuses number text that would make invalid JSON', () => {
    expect(() => serializePlainJson({ m: { M: { n: { N: 'Infinity' } } } })).toThrow(/Attribute m\.n: invalid number text/);
  });
});

describe('keys', () => {
  const schema = { hashKey: 'id', rangeKey: 'sk' };

  it('keeps only the key attributes, hash key first', () => {
    const item: Item = { other: { S: 'x' }, sk: { N: '12' }, id: { S: 'a' } };
    const key = keyOf(item, schema);
    expect(key).toEqual({ id: { S: 'a' }, sk: { N: '12' } });
    expect(Object.keys(key)).toEqual(['id', 'sk']);
    expect(keyOf(item, { hashKey: 'id' })).toEqual({ id: { S: 'a' } });
  });

  it('serializes the key as plain JSON in schema order, whatever the item order', () => {
    const a: Item = { id: { S: 'a' }, sk: { N: '12' }, x: { BOOL: true } };
    const b: Item = { x: { BOOL: false }, sk: { N: '12' }, id: { S: 'a' } };
    expect(serializeKey(a, schema)).toBe('{"id":"a","sk":12}');
    expect(serializeKey(b, schema)).toBe(serializeKey(a, schema));
  });

  it('writes 38-digit number keys exactly and binary keys as base64', () => {
    const item: Item = { id: { B: Uint8Array.of(0, 255) }, sk: { N: '12345678901234567890123456789012345678' } };
    expect(serializeKey(item, schema)).toBe('{"id":"AP8=","sk":12345678901234567890123456789012345678}');
  });

  it('names the missing key attribute', () => {
    expect(() => keyOf({ id: { S: 'a' } }, schema)).toThrow(/lacks its range key attribute "sk"/);
    expect(() => serializeKey({ sk: { N: '1' } }, schema)).toThrow(/lacks its hash key attribute "id"/);
    expect(() => keyOf({}, { hashKey: '__proto__' })).toThrow(/lacks its hash key attribute "__proto__"/);
  });

  it('refuses key attributes that are not S, N or B', () => {
    expect(() => serializeKey({ id: { L: [] } }, { hashKey: 'id' })).toThrow(/Attribute id: key attributes must be S, N or B, got L/);
  });
});
