import { invalidValue, keyProblem, type ConfigProblem } from './errors.js';

/**
 * The Kafka client settings a connector config may carry, turned into the librdkafka properties our Kafka client
 * takes. Kafka Connect users bring Java client keys and Confluent Cloud's API-key settings; both are translated
 * here so that a mistake shows up when the config is read, not as a failed connection later.
 */

/** Keys handed to the Kafka client unchanged (after the translations below). */
export function isKafkaClientKey(key: string): boolean {
  return key === 'security.protocol' || key === 'client.id' || key.startsWith('sasl.') || key.startsWith('ssl.');
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ConfluentCloudAuth {
  authMode?: 'KAFKA_API_KEY' | 'SERVICE_ACCOUNT';
  apiKey?: string;
  apiSecret?: string;
}

export interface KafkaPropertiesResult {
  properties: Record<string, string>;
  problems: ConfigProblem[];
  warnings: string[];
}

export function kafkaClientProperties(clientKeys: Record<string, string>, cloud: ConfluentCloudAuth): KafkaPropertiesResult {
  const properties = { ...clientKeys };
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  const protocol = properties['security.protocol'];
  if (protocol !== undefined && !SECURITY_PROTOCOLS.includes(protocol.toUpperCase())) {
    problems.push(invalidValue('security.protocol', `expected one of ${SECURITY_PROTOCOLS.join(', ')}`, protocol));
  }

  const jaas = properties['sasl.jaas.config'];
  if (jaas !== undefined) {
    // librdkafka has no JAAS: the Java login module's username and password become sasl.username/sasl.password.
    delete properties['sasl.jaas.config'];
    const login = parseJaasLogin(jaas);
    if ('error' in login) problems.push(keyProblem('sasl.jaas.config', login.error));
    else {
      setUnlessPresent(properties, 'sasl.username', login.username);
      setUnlessPresent(properties, 'sasl.password', login.password);
      if (!hasMechanism(properties)) {
        if (login.mechanism) properties['sasl.mechanisms'] = login.mechanism;
        else problems.push(keyProblem('sasl.mechanism', 'required with a ScramLoginModule: SCRAM-SHA-256 or SCRAM-SHA-512'));
      }
    }
  }

  if (cloud.authMode === 'SERVICE_ACCOUNT') {
    problems.push(keyProblem('kafka.auth.mode', 'SERVICE_ACCOUNT works only inside Confluent Cloud; use KAFKA_API_KEY with kafka.api.key and kafka.api.secret, or sasl.* settings'));
  }
  const { apiKey, apiSecret } = cloud;
  if ((apiKey === undefined) !== (apiSecret === undefined)) {
    const missing = apiKey === undefined ? 'kafka.api.key' : 'kafka.api.secret';
    problems.push(keyProblem(missing, 'required with kafka.api.key and kafka.api.secret: set both or neither'));
  } else if (apiKey === undefined && cloud.authMode === 'KAFKA_API_KEY') {
    problems.push(keyProblem('kafka.api.key', 'kafka.auth.mode=KAFKA_API_KEY needs kafka.api.key and kafka.api.secret'));
  } else if (apiKey !== undefined && apiSecret !== undefined) {
    // Confluent Cloud's API keys are SASL/PLAIN over TLS; explicit sasl.*/security.protocol settings win.
    setUnlessPresent(properties, 'security.protocol', 'SASL_SSL');
    if (!hasMechanism(properties)) properties['sasl.mechanisms'] = 'PLAIN';
    for (const [key, value, from] of [['sasl.username', apiKey, 'kafka.api.key'], ['sasl.password', apiSecret, 'kafka.api.secret']] as const) {
      if (properties[key] === undefined) properties[key] = value;
      else if (properties[key] !== value) warnings.push(`${from} is ignored: ${key} is set explicitly`);
    }
  }
  return { properties, problems, warnings };
}

function setUnlessPresent(properties: Record<string, string>, key: string, value: string): void {
  if (properties[key] === undefined) properties[key] = value;
}

/** librdkafka spells it sasl.mechanisms and also takes Java's sasl.mechanism. */
function hasMechanism(properties: Record<string, string>): boolean {
  return properties['sasl.mechanisms'] !== undefined || properties['sasl.mechanism'] !== undefined;
}

/**
 * Reads `<LoginModule class> required username="…" password="…";`. Error texts never quote the value: it holds a
 * password.
 */
export function parseJaasLogin(jaas: string): { username: string; password: string; mechanism?: string } | { error: string } {
  const entry = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*?);?\s*$/.exec(jaas);
  if (!entry) return { error: 'expected <LoginModule class> required username="…" password="…"; (value hidden: it is a secret)' };
  const [, loginModule = '', , optionsText = ''] = entry;
  const options = new Map<string, string>();
  for (const option of optionsText.matchAll(/([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/g)) {
    options.set(option[1]!, option[2] !== undefined ? option[2].replace(/\\(.)/g, '$1') : option[3]!);
  }
  const isPlain = loginModule.endsWith('.PlainLoginModule');
  if (!isPlain && !loginModule.endsWith('.ScramLoginModule')) {
    return { error: `the login module "${loginModule}" cannot be translated for librdkafka; only PlainLoginModule and ScramLoginModule can (for OAUTHBEARER or GSSAPI, set librdkafka's sasl.* properties instead)` };
  }
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) return { error: `${loginModule} needs both username and password options` };
  return isPlain ? { username, password, mechanism: 'PLAIN' } : { username, password };
}
