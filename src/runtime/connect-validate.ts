import type { z } from 'zod';
import { flattenConfig, isPlainObject } from '../config/connector-file.js';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { keyDefinitions, keysRequired } from '../config/key-definitions.js';
import { parseSinkConfig } from '../config/sink.js';
import { sinkKeysSchema } from '../config/sink-keys.js';
import { parseSourceConfig } from '../config/source.js';
import { sourceKeysSchema } from '../config/source-keys.js';
import { connectConfigInfos, type ConnectConfigInfos } from './connect-config-infos.js';
import { classMatchesPlugin, findPlugin, type ConnectPluginInfo } from './connect-plugins.js';

/** A validation's answer: Kafka Connect's ConfigInfos, or the status and message of a refused request. */
export type ValidateOutcome = { status: 200; body: ConnectConfigInfos } | { status: 400 | 404; message: string };

type Env = Record<string, string | undefined>;

const CONNECTOR_TYPES: Record<ConnectPluginInfo['type'], { schema: z.ZodObject; parse: (name: string, raw: Record<string, string>, env: Env) => unknown }> = {
  source: { schema: sourceKeysSchema, parse: (name, raw, env) => parseSourceConfig(name, raw, { env }) },
  sink: { schema: sinkKeysSchema, parse: (name, raw, env) => parseSinkConfig(name, raw, { env }) },
};

/**
 * Kafka Connect's `PUT /connector-plugins/{plugin}/config/validate`: the config is read as `run` would read it
 * (the same parser, the same environment for AWS_REGION), and every problem comes back on its key. The plugin is
 * named by class or alias; the config's connector.class must be that plugin's, as Kafka Connect checks.
 */
export function validateConnectorConfig(pluginName: string, body: unknown, env: Env = process.env): ValidateOutcome {
  if (!isPlainObject(body)) return { status: 400, message: 'expected a JSON object of connector config keys and their values' };
  let config: Record<string, string>;
  try {
    config = flattenConfig(body, 'the request body');
  } catch (error) {
    if (error instanceof ConfigError) return { status: 400, message: error.message };
    throw error;
  }
  const plugin = findPlugin(pluginName);
  if (!plugin) return { status: 404, message: `Unknown connector plugin ${pluginName}` };
  const connectorClass = config['connector.class'];
  // Kafka Connect quotes the whole config here; it may hold secrets, so it is left out.
  if (connectorClass === undefined) return { status: 400, message: 'Connector config contains no connector type (connector.class)' };
  if (!classMatchesPlugin(connectorClass, pluginName)) {
    return { status: 400, message: `Included connector type ${connectorClass} does not match request type ${pluginName}` };
  }
  const { schema, parse } = CONNECTOR_TYPES[plugin.type];
  const read = (name: string, raw: Record<string, string>) => parse(name, raw, env);
  return {
    status: 200,
    body: connectConfigInfos(connectorClass, keyDefinitions(schema), keysRequired(read), config, problemsOf(() => read('', config))),
  };
}

function problemsOf(parse: () => unknown): readonly ConfigProblem[] {
  try {
    parse();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
