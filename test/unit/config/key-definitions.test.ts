import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { keyDefinitions, keysRequired } from '../../../src/config/key-definitions.js';
import { parseSourceConfig } from '../../../src/config/source.js';
import { sourceKeysSchema } from '../../../src/config/source-keys.js';
import { boolean, integer, list, oneOf, positiveNumber, text } from '../../../src/config/values.js';

describe('keyDefinitions', () => {
  const schema = z.object({
    'a.count': integer({ min: 1, max: 10 }).default(3),
    'a.period.ms': integer({ min: 0 }).optional(),
    'a.ratio': positiveNumber().optional(),
    'a.enabled': boolean().default(false),
    'a.tables': list().default(['x', 'y']),
    'a.mode': oneOf(['ONE', 'TWO']).default('ONE'),
    'a.label': text().optional(),
    'sasl.password': text().optional(),
  });

  it("gives each key Kafka Connect's type, its default as text, its expected values and its choices, in the schema's order", () => {
    expect(keyDefinitions(schema)).toEqual([
      { name: 'a.count', type: 'INT', defaultValue: '3', documentation: 'expected an integer from 1 to 10', choices: [] },
      { name: 'a.period.ms', type: 'LONG', defaultValue: null, documentation: 'expected an integer ≥ 0', choices: [] },
      { name: 'a.ratio', type: 'DOUBLE', defaultValue: null, documentation: 'expected a number > 0', choices: [] },
      { name: 'a.enabled', type: 'BOOLEAN', defaultValue: 'false', documentation: 'expected true or false', choices: [] },
      { name: 'a.tables', type: 'LIST', defaultValue: 'x,y', documentation: null, choices: [] },
      { name: 'a.mode', type: 'STRING', defaultValue: 'ONE', documentation: 'expected one of ONE, TWO', choices: ['ONE', 'TWO'] },
      { name: 'a.label', type: 'STRING', defaultValue: null, documentation: null, choices: [] },
      { name: 'sasl.password', type: 'PASSWORD', defaultValue: null, documentation: null, choices: [] },
    ]);
  });

  it('covers every key of the source schema, parsed defaults written as text', () => {
    const definitions = keyDefinitions(sourceKeysSchema);
    expect(definitions.map((definition) => definition.name)).toEqual(Object.keys(sourceKeysSchema.shape));
    const byName = new Map(definitions.map((definition) => [definition.name, definition]));
    expect(byName.get('cdc.start.position.timestamp.format')?.defaultValue).toBe("yyyy-MM-dd'T'HH:mm:ss'Z'");
    expect(byName.get('kafka.topic.map')?.defaultValue).toBe('{}');
    expect(byName.get('aws.secret.access.key')?.type).toBe('PASSWORD');
  });
});

describe('keysRequired', () => {
  it('are the keys the parser names when nothing is set', () => {
    expect(keysRequired((name, raw) => parseSourceConfig(name, raw, { env: {} }))).toEqual(
      new Set(['name', 'connector.class', 'dynamodb.table.includelist', 'aws.region']),
    );
    expect(keysRequired((name, raw) => parseSourceConfig(name, raw, { env: { AWS_REGION: 'eu-west-1' } })).has('aws.region')).toBe(false);
  });

  it('lets other errors through', () => {
    expect(() => keysRequired(() => { throw new TypeError('bug'); })).toThrow(TypeError);
    expect(keysRequired(() => { throw new ConfigError({ message: 'no key' }); })).toEqual(new Set());
  });
});
