import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseLines } from 'dot-properties';
import { ConfigError, throwIfProblems, type ConfigProblem } from './errors.js';

/** A connector as Kafka Connect describes it: its name and its flat string configuration. */
export interface ConnectorFile {
  name: string;
  config: Record<string, string>;
}

/**
 * Reads a connector definition: the Kafka Connect REST payload (`{"name": …, "config": {…}}`, or Confluent CLI's
 * `{"config": {"name": …, …}}`) or a Java
 * `.properties` file with a `name=` line, as `connect-standalone` takes. The extension decides; without a known
 * one, a file starting with `{` is JSON.
 */
export async function loadConnectorFile(path: string): Promise<ConnectorFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError({ message: `${path}: cannot read the connector file (${reason})` });
  }
  const extension = extname(path).toLowerCase();
  const isJson = extension === '.json' || (extension !== '.properties' && text.trimStart().startsWith('{'));
  return isJson ? parseConnectorJson(text, path) : parseProperties(text, path);
}

/** Parses the Kafka Connect REST payload. `source` names the file in error messages. */
export function parseConnectorJson(text: string, source: string): ConnectorFile {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError({ message: `${source}: not valid JSON${jsonErrorLocation(text, error)}` });
  }
  if (!isPlainObject(document)) {
    throw new ConfigError({ message: `${source}: expected a JSON object {"name": "…", "config": {…}}` });
  }
  const config = document['config'];
  if (!isPlainObject(config)) {
    // A bare config map is what PUT /connectors/{name}/config takes: say how to turn it into a connector file.
    const hint = 'connector.class' in document ? ' (this looks like a bare config map: wrap it as {"name": "…", "config": {…}})' : '';
    throw new ConfigError({ message: `${source}: missing the "config" object${hint}` });
  }
  // Confluent's CLI files carry the name inside "config" only.
  const name = typeof document['name'] === 'string' && document['name'].trim() !== '' ? document['name'] : config['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError({ message: `${source}: missing the connector's "name" (a non-empty string, beside "config" or in it)` });
  }
  return { name: name.trim(), config: flattenConfig(config, source) };
}

/**
 * A JSON config object as Kafka Connect's flat string map. Kafka Connect itself accepts JSON numbers and booleans
 * and reads them as their text; anything else is a ConfigError naming the key (never quoting the value).
 */
export function flattenConfig(config: Record<string, unknown>, source: string): Record<string, string> {
  const problems: ConfigProblem[] = [];
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') flat[key] = String(value);
    else problems.push({ key, message: `${source}: config key "${key}" must be a string, number or boolean, got ${jsonType(value)}` });
  }
  throwIfProblems(problems);
  return flat;
}

/** Parses a Java `.properties` file (escapes, `\` line continuations, `=`/`:`/space separators; last key wins). */
export function parseProperties(text: string, source: string): ConnectorFile {
  const config = readProperties(text);
  const name = config['name']?.trim();
  if (!name) throw new ConfigError({ message: `${source}: missing the connector's name (a "name=…" line)` });
  return { name, config };
}

/** A `.properties` text's keys and values (Java's format: `=`, `:` or space, comments, continuation lines). */
export function readProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const line of parseLines(text)) {
    if (Array.isArray(line)) {
      const [key, value = ''] = line;
      if (key !== undefined && key !== '') properties[key] = value;
    }
  }
  return properties;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `an ${typeof value}`;
}

/**
 * " at line L, column C" from JSON.parse's error. Only the position is kept: V8's message may quote the text
 * around the error, and that text may be a password.
 */
function jsonErrorLocation(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return '';
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}
