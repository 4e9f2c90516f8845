import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnectorFile, parseConnectorJson, parseProperties } from '../../../src/config/connector-file.js';
import { ConfigError } from '../../../src/config/errors.js';

describe('parseConnectorJson', () => {
  it('reads the Kafka Connect REST payload, stringifying numbers and booleans', () => {
    const text = JSON.stringify({
      name: 'orders-cdc',
      config: { 'connector.class': 'DynamoDbCdcSource', 'tasks.max': 2, 'tombstones.on.delete': false, 'dynamodb.snapshot.max.rcu': 12.5 },
    });
    expect(parseConnectorJson(text, 'orders.json')).toEqual({
      name: 'orders-cdc',
      config: { 'connector.class': 'DynamoDbCdcSource', 'tasks.max': '2', 'tombstones.on.delete': 'false', 'dynamodb.snapshot.max.rcu': '12.5' },
    });
  });

  it('names the file when the text is not JSON, giving the place but not the text', () => {
    const text = '{\n  "name": "x",\n  "config": { "sasl.password": "hunter2" oops }\n}';
    const error = (() => {
      try {
        parseConnectorJson(text, 'bad.json');
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/^bad\.json: not valid JSON at line 3, column \d+$/);
    expect(error?.message).not.toContain('hunter2');
  });

  it("takes the name from inside config, as Confluent's CLI files carry it", () => {
    expect(parseConnectorJson('{"config": {"name": "DynamoDbCdcSourceConnector_0", "tasks.max": "1"}}', 'c.json')).toEqual({
      name: 'DynamoDbCdcSourceConnector_0',
      config: { name: 'DynamoDbCdcSourceConnector_0', 'tasks.max': '1' },
    });
  });

  it('requires a name', () => {
    expect(() => parseConnectorJson('{"config": {}}', 'c.json')).toThrow(/c\.json: missing the connector's "name"/);
    expect(() => parseConnectorJson('{"name": " ", "config": {}}', 'c.json')).toThrow(/missing the connector's "name"/);
  });

  it('requires the config object, and recognises a bare config map', () => {
    expect(() => parseConnectorJson('{"name": "x"}', 'c.json')).toThrow(/c\.json: missing the "config" object$/);
    expect(() => parseConnectorJson('{"name": "x", "connector.class": "DynamoDbSource"}', 'c.json')).toThrow(/bare config map/);
    expect(() => parseConnectorJson('[1]', 'c.json')).toThrow(/expected a JSON object/);
  });

  it('rejects nested values, naming each key', () => {
    expect(() => parseConnectorJson('{"name": "x", "config": {"a": {"b": 1}, "c": null}}', 'c.json')).toThrow(
      /config key "a" must be a string, number or boolean, got an object[\s\S]*config key "c" .* got null/,
    );
  });
});

describe('parseProperties', () => {
  it('reads a Java properties file with comments, separators, escapes and continuations', () => {
    const text = [
      '# a comment',
      '! another comment',
      'name = orders-cdc',
      'connector.class:DynamoDbSource',
      'dynamodb.table.includelist=orders,\\',
      '    users',
      'kafka.topic.prefix cdc.',
      'path=C:\\\\data',
      'unicode=caf\\u00e9',
      'tasks.max=1',
      'tasks.max=3',
    ].join('\n');
    expect(parseProperties(text, 'c.properties')).toEqual({
      name: 'orders-cdc',
      config: {
        name: 'orders-cdc',
        'connector.class': 'DynamoDbSource',
        'dynamodb.table.includelist': 'orders,users',
        'kafka.topic.prefix': 'cdc.',
        path: 'C:\\data',
        unicode: 'café',
        'tasks.max': '3',
      },
    });
  });

  it('requires a name= line, naming the file', () => {
    expect(() => parseProperties('connector.class=DynamoDbSource\n', 'c.properties')).toThrow(/c\.properties: missing the connector's name/);
  });
});

describe('loadConnectorFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'connector-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .json, .properties and sniffs other extensions', async () => {
    await writeFile(join(dir, 'a.json'), '{"name": "a", "config": {"tasks.max": 1}}');
    await writeFile(join(dir, 'b.properties'), 'name=b\ntasks.max=1\n');
    await writeFile(join(dir, 'c.conf'), '  {"name": "c", "config": {}}');
    await writeFile(join(dir, 'd.conf'), 'name=d\n');
    expect(await loadConnectorFile(join(dir, 'a.json'))).toEqual({ name: 'a', config: { 'tasks.max': '1' } });
    expect(await loadConnectorFile(join(dir, 'b.properties'))).toEqual({ name: 'b', config: { name: 'b', 'tasks.max': '1' } });
    expect((await loadConnectorFile(join(dir, 'c.conf'))).name).toBe('c');
    expect((await loadConnectorFile(join(dir, 'd.conf'))).name).toBe('d');
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadConnectorFile(path)).rejects.toThrow(`${path}: cannot read the connector file (no such file)`);
  });
});
