import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../../src/domain/conversion-error.js';
import { keyAttributes, parseKeyReference } from '../../../src/sink/key-mapping.js';

const hash = (text: string) => parseKeyReference(text, 'aws.dynamodb.pk.hash');
const sort = (text: string) => parseKeyReference(text, 'aws.dynamodb.pk.sort');
const record = { partition: 3, offset: '9007199254740993' };

const value: AttributeValue = {
  M: {
    orderid: { N: '3243' },
    itemid: { S: 'Item_117' },
    photo: { B: Uint8Array.of(1, 2) },
    address: { M: { city: { S: 'City_43' }, geo: { M: { zip: { N: '0042' } } } } },
    flags: { L: [] },
    none: { NULL: true },
  },
};
const key: AttributeValue = { M: { tenant: { S: 't1' }, user: { M: { id: { N: '7' } } } } };

describe('parseKeyReference', () => {
  it('reads every form, with the default attribute name', () => {
    expect(hash('partition')).toEqual({ source: 'partition', attribute: 'partition', text: 'partition' });
    expect(hash('offset')).toEqual({ source: 'offset', attribute: 'offset', text: 'offset' });
    expect(hash('key')).toEqual({ source: 'key', path: [], attribute: 'key', text: 'key' });
    expect(hash('value')).toEqual({ source: 'value', path: [], attribute: 'value', text: 'value' });
    expect(hash('key.tenant')).toEqual({ source: 'key', path: ['tenant'], attribute: 'tenant', text: 'key.tenant' });
    expect(hash('value.orderid')).toEqual({ source: 'value', path: ['orderid'], attribute: 'orderid', text: 'value.orderid' });
    expect(hash('value.address.geo.zip')).toEqual({
      source: 'value',
      path: ['address', 'geo', 'zip'],
      attribute: 'zip',
      text: 'value.address.geo.zip',
    });
  });

  it('takes the alias after the colon as the attribute name', () => {
    expect(hash('partition:p').attribute).toBe('p');
    expect(hash('offset:o').attribute).toBe('o');
    expect(hash('key:k').attribute).toBe('k');
    expect(hash(' value.campaignUUId:myCampaignUUId ')).toMatchObject({ source: 'value', path: ['campaignUUId'], attribute: 'myCampaignUUId' });
    expect(hash('key.user.id:userId')).toMatchObject({ source: 'key', path: ['user', 'id'], attribute: 'userId' });
  });

  it('refuses bad syntax, naming the setting', () => {
    expect(() => sort('')).toThrow(/^aws\.dynamodb\.pk\.sort="": expected partition, offset, key/);
    expect(() => hash('topic')).toThrow(/^aws\.dynamodb\.pk\.hash="topic": expected partition, offset, key/);
    expect(() => hash('keys.id')).toThrow(/expected partition, offset, key/);
    expect(() => hash('value.')).toThrow(/aws\.dynamodb\.pk\.hash="value\.": the field path has an empty segment/);
    expect(() => hash('value.a..b')).toThrow(/empty segment/);
    expect(() => hash('value.a:')).toThrow(/the alias after ":" is empty/);
    expect(() => hash(`value.a:${'x'.repeat(256)}`)).toThrow(/longer than DynamoDB's 255 bytes/);
  });
});

describe('keyAttributes', () => {
  it('takes partition and offset as numbers', () => {
    expect(keyAttributes(record, value, key, hash('partition'), sort('offset'))).toEqual({ partition: { N: '3' }, offset: { N: '9007199254740993' } });
    expect(keyAttributes(record, value, key, hash('partition:p'), sort('offset:o'))).toEqual({ p: { N: '3' }, o: { N: '9007199254740993' } });
  });

  it('takes the whole Kafka key: string, number or binary', () => {
    expect(keyAttributes(record, value, { S: 'k1' }, hash('key'))).toEqual({ key: { S: 'k1' } });
    expect(keyAttributes(record, value, { N: '42' }, hash('key:id'))).toEqual({ id: { N: '42' } });
    expect(keyAttributes(record, value, { B: Uint8Array.of(9) }, hash('key'))).toEqual({ key: { B: Uint8Array.of(9) } });
  });

  it('takes fields of the key and the value, nested and aliased, hash first', () => {
    const attributes = keyAttributes(record, value, key, hash('value.address.city'), sort('key.user.id:uid'));
    expect(attributes).toEqual({ city: { S: 'City_43' }, uid: { N: '7' } });
    expect(Object.keys(attributes)).toEqual(['city', 'uid']);
    expect(keyAttributes(record, value, key, hash('key.tenant'), sort('value.address.geo.zip'))).toEqual({ tenant: { S: 't1' }, zip: { N: '0042' } });
    expect(keyAttributes(record, value, key, hash('value.photo'))).toEqual({ photo: { B: Uint8Array.of(1, 2) } });
    expect(keyAttributes(record, { S: 'text' }, key, hash('value:v'))).toEqual({ v: { S: 'text' } });
  });

  it('refuses attributes that are not a string, number or binary', () => {
    expect(() => keyAttributes(record, value, key, hash('value.address'))).toThrow(
      /key attribute "address" must be a string, number or binary; value\.address is a map/,
    );
    expect(() => keyAttributes(record, value, key, hash('value.flags'))).toThrow(/must be a string, number or binary; value\.flags is a list/);
    expect(() => keyAttributes(record, value, key, hash('value.none'))).toThrow(/is null/);
    expect(() => keyAttributes(record, value, key, hash('key'))).toThrow(ConversionError);
  });

  it('names the missing path', () => {
    expect(() => keyAttributes(record, value, key, hash('value.address.country'))).toThrow(
      /key attribute source value\.address\.country is missing: the record has no value\.address\.country/,
    );
    expect(() => keyAttributes(record, value, key, hash('value.itemid.x'))).toThrow(/value\.itemid is a string, not an object/);
    expect(() => keyAttributes(record, undefined, key, hash('value.orderid'))).toThrow(/comes from value\.orderid, but the record has no value/);
    expect(() => keyAttributes(record, value, undefined, hash('key.tenant'))).toThrow(/comes from key\.tenant, but the record has no key/);
  });
});
