import { describe, expect, it } from 'vitest';
import type { KeyDefinition } from '../../../src/config/key-definitions.js';
import { connectConfigInfos } from '../../../src/runtime/connect-config-infos.js';

const definitions: KeyDefinition[] = [
  { name: 'connector.class', type: 'STRING', defaultValue: null, documentation: null, choices: [] },
  { name: 'tasks.max', type: 'LONG', defaultValue: '1', documentation: 'expected an integer ≥ 1', choices: [] },
  { name: 'mode', type: 'STRING', defaultValue: 'A', documentation: 'expected one of A, B', choices: ['A', 'B'] },
  { name: 'aws.secret.access.key', type: 'PASSWORD', defaultValue: null, documentation: null, choices: [] },
];

describe("validation results in Kafka Connect's ConfigInfos shape", () => {
  it('lists each defined key with its definition and its value, or its default when unset', () => {
    const infos = connectConfigInfos('DynamoDbSource', definitions, new Set(['connector.class']), { 'connector.class': 'DynamoDbSource', mode: 'B' }, []);
    expect(infos).toMatchObject({ name: 'DynamoDbSource', error_count: 0, groups: [] });
    expect(infos.configs[1]).toEqual({
      definition: {
        name: 'tasks.max',
        type: 'LONG',
        required: false,
        default_value: '1',
        importance: null,
        documentation: 'expected an integer ≥ 1',
        group: null,
        width: 'NONE',
        display_name: 'tasks.max',
        dependents: [],
        order: -1,
      },
      value: { name: 'tasks.max', value: '1', recommended_values: [], errors: [], visible: true },
    });
    expect(infos.configs[0]!.definition.required).toBe(true);
    expect(infos.configs[2]!.value).toMatchObject({ value: 'B', recommended_values: ['A', 'B'] });
    expect(infos.configs[3]!.value.value).toBeNull();
  });

  it('puts every problem on its key and counts them; a problem without a key goes on connector.class', () => {
    const infos = connectConfigInfos('DynamoDbSource', definitions, new Set(), { 'connector.class': 'DynamoDbSource', 'tasks.max': '0', 'tasks.mx': '2' }, [
      { key: 'tasks.max', message: 'tasks.max: expected an integer ≥ 1, got "0"' },
      { key: 'tasks.max', message: 'tasks.max: second problem' },
      { key: 'tasks.mx', message: 'unknown key "tasks.mx" (did you mean "tasks.max"?)' },
      { key: 'sasl.mechanism', message: 'sasl.mechanism: required' },
      { message: 'something about the whole connector' },
    ]);
    expect(infos.error_count).toBe(5);
    const errorsOf = (key: string) => infos.configs.find((entry) => entry.value.name === key)?.value.errors;
    expect(errorsOf('tasks.max')).toHaveLength(2);
    expect(errorsOf('connector.class')).toEqual(['something about the whole connector']);
    // Keys outside the schema get an entry of their own, after the defined ones.
    expect(infos.configs.map((entry) => entry.value.name).slice(4)).toEqual(['tasks.mx', 'sasl.mechanism']);
    expect(errorsOf('sasl.mechanism')).toEqual(['sasl.mechanism: required']);
    // A rejected unknown key's value is not echoed: it may be a misspelled secret.
    expect(infos.configs.find((entry) => entry.value.name === 'tasks.mx')?.value.value).toBeNull();
  });

  it('never shows a secret in clear: PASSWORD values hidden, undefined secret keys too, and no message quoting one', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG';
    const infos = connectConfigInfos(
      'DynamoDbSource',
      definitions,
      new Set(),
      { 'aws.secret.access.key': secret, 'sasl.password': 'pässword1', 'security.protocol': 'SASL_SSL' },
      [{ key: 'security.protocol', message: `oops, ${secret} and pässword1 leaked into a message` }],
    );
    const text = JSON.stringify(infos);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('pässword1');
    const entry = (key: string) => infos.configs.find((config) => config.value.name === key)!;
    expect(entry('aws.secret.access.key').value.value).toBe('[hidden]');
    expect(entry('sasl.password')).toMatchObject({ definition: { type: 'PASSWORD' }, value: { value: '[hidden]' } });
    expect(entry('security.protocol').value.errors).toEqual(['oops, [hidden] and [hidden] leaked into a message']);
  });
});
