import type { IncomingMessage, ServerResponse } from 'node:http';
import { flattenConfig, isPlainObject } from '../config/connector-file.js';
import { ConfigError } from '../config/errors.js';
import { HIDDEN, isSecretKey, redactConfig } from '../config/secrets.js';
import { isSinkConnectorClass } from '../config/sink.js';
import { OffsetChangeError, readSinkOffsetChanges, readSourceOffsetChanges } from '../domain/offset-changes.js';
import type { ConnectorEntry, TargetState } from '../domain/connector-configs.js';
import type { ClusterConnectorStatus } from '../runtime/cluster-status.js';
import { connectStatus, type ConnectConnectorStatus, type ConnectState, type ConnectTaskStatus } from '../runtime/connect-status.js';
import { validateConnectorConfig } from '../runtime/connect-validate.js';
import type { OffsetChanges } from '../runtime/connector-offsets.js';
import type { SinkConnectorStatus } from '../runtime/sink-connector.js';
import type { ConnectorStatus } from '../runtime/source-connector.js';
import { FILE_CONFIGURED, type ConnectorControl } from './connector-control.js';
import { RestError, isRead, methodNotAllowed, notFound, readJson, reply } from './http.js';

export interface ConnectorsContext {
  control: ConnectorControl;
  /** The connectors this process runs. */
  statuses(): Array<ConnectorStatus | SinkConnectorStatus>;
  workerId: string;
}

/** Kafka Connect's body of `GET /connectors/{name}` (ConnectorInfo); `config` only when it is known here. */
interface ConnectorInfo {
  name: string;
  config?: Record<string, string>;
  tasks: Array<{ connector: string; task: number }>;
  type: 'source' | 'sink';
}

/** What is known of one connector: its configuration (cluster) and its status where it runs here. */
interface Known {
  name: string;
  entry?: ConnectorEntry;
  running?: ConnectorStatus | SinkConnectorStatus;
}

/**
 * Kafka Connect's `/connectors` endpoints: same paths, bodies, status codes and errors. Changes go through the
 * control (a cluster's config topic); every configuration answered has its secrets replaced by "[hidden]".
 */
export async function routeConnectors(request: IncomingMessage, response: ServerResponse, url: URL, parts: string[], context: ConnectorsContext): Promise<void> {
  const { control } = context;
  if (!isRead(request) && control.configured() === undefined) throw methodNotAllowed(request, FILE_CONFIGURED);
  if (parts.length === 1) {
    if (isRead(request)) return reply(response, 200, await listConnectors(url, context));
    if (request.method === 'POST') return createConnector(request, response, context);
    throw methodNotAllowed(request);
  }
  const name = parts[1]!;
  const known = find(name, context);
  const [, , resource, task, taskResource, ...rest] = parts;
  if (parts.length === 2) {
    if (request.method === 'PUT' && !known) throw notFound(url.pathname); // Connect has no PUT /connectors/{name}
    if (isRead(request)) return reply(response, 200, info(need(known, name), context));
    if (request.method === 'DELETE') {
      need(known, name);
      await control.remove(name);
      return reply(response, 204);
    }
    throw methodNotAllowed(request);
  }
  if (resource === 'config' && parts.length === 3) return routeConfig(request, response, name, known, context);
  if (resource === 'status' && parts.length === 3) {
    if (!isRead(request)) throw methodNotAllowed(request);
    return reply(response, 200, status(need(known, name), context, await clusterStatuses(context)));
  }
  if ((resource === 'pause' || resource === 'resume' || resource === 'stop') && parts.length === 3) {
    if (request.method !== 'PUT') throw methodNotAllowed(request);
    need(known, name);
    await control.setTargetState(name, TARGETS[resource]);
    return reply(response, resource === 'stop' ? 204 : 202);
  }
  if (resource === 'restart' && parts.length === 3) {
    if (request.method !== 'POST') throw methodNotAllowed(request);
    return restartConnector(response, url, need(known, name), context);
  }
  if (resource === 'tasks' && parts.length === 3) {
    if (!isRead(request)) throw methodNotAllowed(request);
    const found = need(known, name);
    const config = found.entry ? redactConfig(found.entry.config) : undefined;
    return reply(response, 200, info(found, context).tasks.map((id) => ({ id, ...(config ? { config } : {}) })));
  }
  if (resource === 'tasks' && parts.length === 5 && rest.length === 0 && (taskResource === 'status' || taskResource === 'restart')) {
    const found = need(known, name);
    const taskStatus = status(found, context, await clusterStatuses(context)).tasks.find((each) => String(each.id) === task);
    if (taskResource === 'status') {
      if (!isRead(request)) throw methodNotAllowed(request);
      if (!taskStatus) throw new RestError(404, `No status found for task ${name}-${task}`);
      return reply(response, 200, taskStatus);
    }
    if (request.method !== 'POST') throw methodNotAllowed(request);
    if (!taskStatus) throw new RestError(404, `Task ${name}-${task} not found`);
    // A task runs inside its connector here: restarting it restarts the connector's tasks with it.
    await control.requestRestart(name, { includeTasks: true, onlyFailed: false });
    return reply(response, 204);
  }
  if (resource === 'offsets' && parts.length === 3) return routeOffsets(request, response, need(known, name), context);
  throw notFound(url.pathname);
}

/**
 * KIP-875: `GET /connectors/{name}/offsets` in any state; `DELETE` (reset) and `PATCH` (alter) only once the
 * connector is stopped, in the config topic and here. A PATCH is checked against the connector's offset shapes
 * before anything is written: one bad entry refuses the whole request (400, naming it).
 */
async function routeOffsets(request: IncomingMessage, response: ServerResponse, known: Known, context: ConnectorsContext): Promise<void> {
  if (isRead(request)) return reply(response, 200, await context.control.offsets(known.name));
  if (request.method !== 'DELETE' && request.method !== 'PATCH') throw methodNotAllowed(request);
  if (known.entry?.target !== 'STOPPED' || known.running) {
    throw new RestError(
      400,
      'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified ' +
        `connector by issuing a 'PUT' request to the '/connectors/${known.name}/stop' endpoint`,
    );
  }
  if (request.method === 'DELETE') {
    await context.control.resetOffsets(known.name);
    return reply(response, 200, { message: 'The offsets for this connector have been reset successfully' });
  }
  await context.control.alterOffsets(known.name, offsetChanges(typeOf(known.entry.config), await readJson(request)));
  reply(response, 200, { message: 'The offsets for this connector have been altered successfully' });
}

function offsetChanges(type: 'source' | 'sink', body: unknown): OffsetChanges {
  try {
    return type === 'sink' ? { type, changes: readSinkOffsetChanges(body) } : { type, changes: readSourceOffsetChanges(body) };
  } catch (error) {
    if (error instanceof OffsetChangeError) throw new RestError(400, error.message);
    throw error;
  }
}

const TARGETS = { pause: 'PAUSED', resume: 'STARTED', stop: 'STOPPED' } as const satisfies Record<string, TargetState>;

/** `GET /connectors`: the names, or with `?expand=status` / `?expand=info` (repeated or comma-separated) a map. */
async function listConnectors(url: URL, context: ConnectorsContext) {
  const names = knownNames(context);
  const expand = new Set(url.searchParams.getAll('expand').flatMap((value) => value.split(',')));
  if (!expand.has('status') && !expand.has('info')) return names;
  const cluster = expand.has('status') ? await clusterStatuses(context) : undefined;
  return Object.fromEntries(
    names.map((name) => {
      const known = find(name, context)!;
      return [name, { ...(expand.has('status') ? { status: status(known, context, cluster) } : {}), ...(expand.has('info') ? { info: info(known, context) } : {}) }];
    }),
  );
}

/** `POST /connectors` with `{"name", "config", "initial_state"?}`: 201, or 409 when the name is taken. */
async function createConnector(request: IncomingMessage, response: ServerResponse, context: ConnectorsContext): Promise<void> {
  const body = await readJson(request);
  if (!isPlainObject(body) || typeof body.name !== 'string' || body.name.trim() === '') {
    throw new RestError(400, 'expected {"name": "...", "config": {...}} with a connector name');
  }
  const name = body.name.trim();
  if (!isPlainObject(body.config)) throw new RestError(400, `connector ${name}: expected "config" to be an object of config keys and their values`);
  const initial = initialState(body.initial_state);
  if (find(name, context)?.entry) throw new RestError(409, `Connector ${name} already exists`);
  const config = readConfig(name, body.config, context);
  await context.control.put(name, config, initial);
  reply(response, 201, info(find(name, context) ?? { name, entry: { name, config, target: initial ?? 'STARTED' } }, context), { location: `/connectors/${encodeURIComponent(name)}` });
}

/** `GET`, `PUT` (create or replace: 201 or 200) and `PATCH` (merge; a null value removes the key) of a configuration. */
async function routeConfig(request: IncomingMessage, response: ServerResponse, name: string, known: Known | undefined, context: ConnectorsContext): Promise<void> {
  if (isRead(request)) {
    const { entry } = need(known, name);
    if (!entry) throw methodNotAllowed(request, FILE_CONFIGURED);
    return reply(response, 200, redactConfig(entry.config));
  }
  if (request.method !== 'PUT' && request.method !== 'PATCH') throw methodNotAllowed(request);
  const body = await readJson(request);
  if (!isPlainObject(body)) throw new RestError(400, `connector ${name}: expected a JSON object of config keys and their values`);
  const stored = known?.entry?.config;
  let given: Record<string, unknown> = body;
  if (request.method === 'PATCH') {
    if (!stored) throw new RestError(404, `Connector ${name} not found`);
    const merged: Record<string, unknown> = { ...stored, ...body };
    for (const [key, value] of Object.entries(body)) if (value === null) delete merged[key];
    given = merged;
  }
  const config = readConfig(name, given, context, stored);
  await context.control.put(name, config);
  const created = stored === undefined;
  const now = find(name, context) ?? { name, entry: { name, config, target: 'STARTED' } };
  reply(response, created ? 201 : 200, info(now, context), created ? { location: `/connectors/${encodeURIComponent(name)}` } : {});
}

/**
 * `POST /connectors/{name}/restart`: a restart request in the config topic, for whoever runs the connector. As
 * Connect answers: 204 when only the connector restarts, else 202 with the status, RESTARTING where it applies.
 */
async function restartConnector(response: ServerResponse, url: URL, known: Known, context: ConnectorsContext): Promise<void> {
  const includeTasks = url.searchParams.get('includeTasks') === 'true';
  const onlyFailed = url.searchParams.get('onlyFailed') === 'true';
  await context.control.requestRestart(known.name, { includeTasks, onlyFailed });
  if (!includeTasks && !onlyFailed) return reply(response, 204);
  const current = status(known, context, await clusterStatuses(context));
  const restarting = (state: ConnectState): ConnectState => (!onlyFailed || state === 'FAILED' ? 'RESTARTING' : state);
  reply(response, 202, {
    ...current,
    connector: { ...current.connector, state: restarting(current.connector.state) },
    tasks: current.tasks.map((task) => (includeTasks ? { ...task, state: restarting(task.state) } : task)),
  });
}

/**
 * A configuration as it will be stored: its keys flattened to strings, `name` set (as Connect stores it), a
 * secret sent back as "[hidden]" (a GET's answer PUT back) keeping its stored value, and refused (400) when the
 * connector's parser refuses it, with every problem, as `PUT /connector-plugins/{plugin}/config/validate` finds them.
 */
function readConfig(name: string, body: Record<string, unknown>, context: ConnectorsContext, stored?: Record<string, string>): Record<string, string> {
  let config: Record<string, string>;
  try {
    config = flattenConfig(body, `connector ${name}`);
  } catch (error) {
    if (error instanceof ConfigError) throw new RestError(400, error.message);
    throw error;
  }
  if (config.name !== undefined && config.name !== name) {
    throw new RestError(400, `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`);
  }
  config.name = name;
  for (const [key, value] of Object.entries(config)) {
    if (value === HIDDEN && isSecretKey(key) && stored?.[key] !== undefined) config[key] = stored[key];
  }
  const connectorClass = config['connector.class'];
  if (connectorClass === undefined) throw new RestError(400, `Connector config of ${name} contains no connector type (connector.class)`);
  const outcome = validateConnectorConfig(connectorClass, context.control.withDefaults(config));
  if (outcome.status !== 200) throw new RestError(400, outcome.message);
  const errors = outcome.body.configs.flatMap(({ value }) => value.errors);
  if (errors.length > 0) {
    throw new RestError(
      400,
      `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
        `You can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
    );
  }
  return config;
}

function initialState(value: unknown): TargetState | undefined {
  if (value === undefined || value === null) return undefined;
  const states: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };
  const state = typeof value === 'string' ? states[value.toUpperCase()] : undefined;
  if (!state) throw new RestError(400, 'initial_state must be one of RUNNING, PAUSED, STOPPED');
  return state;
}

function knownNames(context: ConnectorsContext): string[] {
  return context.control.configured()?.map((entry) => entry.name) ?? context.statuses().map((each) => each.name);
}

function find(name: string, context: ConnectorsContext): Known | undefined {
  const configured = context.control.configured();
  const entry = configured?.find((each) => each.name === name);
  const running = context.statuses().find((each) => each.name === name);
  if (configured ? !entry : !running) return undefined;
  return { name, ...(entry ? { entry } : {}), ...(running ? { running } : {}) };
}

function need(known: Known | undefined, name: string): Known {
  if (!known) throw new RestError(404, `Connector ${name} not found`);
  return known;
}

/**
 * Connect's status of a connector: where it runs here, its tasks'; else what its target state and configuration
 * say — PAUSED, STOPPED, FAILED (a refused configuration, the reason as trace), or UNASSIGNED while it starts.
 */
function status(known: Known, context: ConnectorsContext, cluster?: ReadonlyMap<string, ClusterConnectorStatus>): ConnectConnectorStatus {
  const local = localStatus(known, context);
  const shared = cluster?.get(known.name);
  if (!shared || known.entry?.target !== 'STARTED' || local.connector.state === 'FAILED') return local;
  // The cluster's tasks, each where it runs; those running here with this worker's details (tables, progress).
  return {
    ...local,
    connector: known.running ? local.connector : (shared.connector as ConnectConnectorStatus['connector']),
    tasks: shared.tasks.map((task) => local.tasks.find((mine) => mine.id === task.id) ?? (task as ConnectTaskStatus)),
  };
}

/** A worker of a cluster: every connector's status from the status topic, by name; undefined alone (`run`). */
async function clusterStatuses(context: ConnectorsContext): Promise<ReadonlyMap<string, ClusterConnectorStatus> | undefined> {
  if (!context.control.clusterStatus) return undefined;
  return new Map((await context.control.clusterStatus()).map((each) => [each.name, each]));
}

/** What this process knows of a connector: its own tasks' status where it runs them, else its configuration's. */
function localStatus(known: Known, context: ConnectorsContext): ConnectConnectorStatus {
  if (known.running) return connectStatus(known.running, context.workerId);
  const entry = known.entry!;
  const refusal = context.control.refusal(known.name);
  const state: ConnectState = entry.target === 'PAUSED' ? 'PAUSED' : entry.target === 'STOPPED' ? 'STOPPED' : refusal ? 'FAILED' : 'UNASSIGNED';
  return {
    name: known.name,
    connector: { state, worker_id: context.workerId, ...(state === 'FAILED' ? { trace: refusal! } : {}) },
    tasks: [],
    type: typeOf(entry.config),
  };
}

function info(known: Known, context: ConnectorsContext): ConnectorInfo {
  const full = known.running ? connectStatus(known.running, context.workerId) : undefined;
  return {
    name: known.name,
    ...(known.entry ? { config: redactConfig(known.entry.config) } : {}),
    tasks: (full?.tasks ?? []).map((task) => ({ connector: known.name, task: task.id })),
    type: full?.type ?? typeOf(known.entry!.config),
  };
}

function typeOf(config: Record<string, string>): 'source' | 'sink' {
  return isSinkConnectorClass(config['connector.class'] ?? '') ? 'sink' : 'source';
}
