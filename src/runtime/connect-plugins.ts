import { SINK_CONNECTOR_CLASSES } from '../config/sink-keys.js';
import { SOURCE_CONNECTOR_CLASSES } from '../config/source-keys.js';
import { CONNECTOR_VERSION } from '../domain/version.js';

/** Kafka Connect's PluginInfo, as `GET /connector-plugins` lists it. */
export interface ConnectPluginInfo {
  class: string;
  type: 'source' | 'sink';
  version: string;
}

const ALIAS_SUFFIX = 'Connector';

/** Kafka Connect's aliases of a class name: the name without its package, and that without "Connector". */
function aliasesOf(className: string): string[] {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  return [simple, pruned(simple)];
}

/** A name without its "Connector" suffix, as Kafka Connect compares a plugin name with a connector class. */
function pruned(name: string): string {
  return name.endsWith(ALIAS_SUFFIX) && name.length > ALIAS_SUFFIX.length ? name.slice(0, -ALIAS_SUFFIX.length) : name;
}

/**
 * The connector classes this worker runs: every class name a config accepts (ours, Confluent's, trustpilot's).
 * Kafka Connect lists a plugin once, by its full name, and also accepts its aliases; here the short names are
 * listed too, because each is a connector.class of its own that configs in use carry (and DynamoDbSink, ours, is
 * also by Connect's rule the alias of Confluent's sink).
 */
export function connectorPlugins(): ConnectPluginInfo[] {
  const named = (type: ConnectPluginInfo['type'], classes: readonly string[]) =>
    classes.map((name) => ({ class: name, type, version: CONNECTOR_VERSION }));
  return [...named('source', Object.keys(SOURCE_CONNECTOR_CLASSES)), ...named('sink', SINK_CONNECTOR_CLASSES)];
}

/** The plugin a REST path names: by its class name or one of Kafka Connect's aliases of it. */
export function findPlugin(name: string): ConnectPluginInfo | undefined {
  const plugins = connectorPlugins();
  return plugins.find((plugin) => plugin.class === name) ?? plugins.find((plugin) => aliasesOf(plugin.class).includes(name));
}

/**
 * Kafka Connect's check that a config sent to a plugin's validate endpoint is for that plugin: the config's
 * connector.class, without "Connector", ends with the path's plugin name, without "Connector".
 */
export function classMatchesPlugin(connectorClass: string, pluginName: string): boolean {
  return pruned(connectorClass).endsWith(pruned(pluginName));
}
