#!/usr/bin/env node
// `npm run package:lambda`: the deployable zip of the Lambda handler (dynamodb-kafka/lambda).
//
// The JavaScript is one esbuild bundle (index.mjs, handler `index.handler`). The Kafka client is native
// (librdkafka), so it cannot be bundled: its package goes in node_modules/ as this machine built it, with the
// shared libraries librdkafka links that Lambda's runtime may lack in lib/ (Lambda puts $LAMBDA_TASK_ROOT/lib on
// LD_LIBRARY_PATH, after the system's own). The zip is therefore for this machine's CPU (x64 or arm64): build the
// arm64 zip on an arm64 machine or image. Lambda's nodejs20.x/22.x runtimes have glibc 2.34 (Amazon Linux 2023):
// the script refuses a binary that needs a newer glibc, unless LAMBDA_GLIBC is set to the target's.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arch = process.arch; // 'x64' or 'arm64', as Lambda names them (x86_64 / arm64)
const maxGlibc = process.env.LAMBDA_GLIBC ?? '2.34';
const stage = join(root, 'dist', 'lambda-package');
const zipFile = join(root, 'dist', `dynamodb-kafka-lambda-linux-${arch}.zip`);
const kafkaPackage = join(root, 'node_modules', '@confluentinc', 'kafka-javascript');
const say = (line) => process.stderr.write(`${line}\n`);

if (process.platform !== 'linux') throw new Error('package:lambda runs on Linux: the native Kafka client is built for the machine that packages it');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. The handler and every pure-JavaScript dependency, in one ES module.
await build({
  entryPoints: [join(root, 'src', 'lambda', 'index.ts')],
  outfile: join(stage, 'index.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['@confluentinc/kafka-javascript'],
  // CommonJS dependencies inside an ES module still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

// 2. The native Kafka client: its JavaScript, its addon and librdkafka, and what they require at run time.
const copy = (from, to) => cpSync(from, to, { recursive: true, dereference: true });
const kafkaTarget = join(stage, 'node_modules', '@confluentinc', 'kafka-javascript');
for (const part of ['package.json', 'lib', 'librdkafka.js', 'build/Release/confluent-kafka-javascript.node', 'build/deps/librdkafka.so.1', 'build/deps/librdkafka++.so.1']) {
  copy(join(kafkaPackage, part), join(kafkaTarget, part));
}
for (const dependency of ['bindings', 'file-uri-to-path']) {
  copy(dirname(realpathSync(join(root, 'node_modules', dependency, 'package.json'))), join(stage, 'node_modules', dependency));
}

// 3. The shared libraries librdkafka links (OpenSSL, zstd, SASL…), besides glibc's own and the C++ runtime's.
const addon = join(kafkaTarget, 'build', 'Release', 'confluent-kafka-javascript.node');
const GLIBC_PARTS = /^(libc|libm|libdl|libpthread|librt|ld-linux[^.]*|libgcc_s|libstdc\+\+)\.so/;
mkdirSync(join(stage, 'lib'), { recursive: true });
const linked = execFileSync('ldd', [join(kafkaPackage, 'build', 'deps', 'librdkafka.so.1')], { encoding: 'utf8' });
for (const [, name, path] of linked.matchAll(/^\s*(\S+) => (\/\S+)/gm)) {
  if (!GLIBC_PARTS.test(name)) copy(path, join(stage, 'lib', name));
}

// 4. Nothing packed may need a newer glibc than Lambda's.
const binaries = [addon, join(kafkaTarget, 'build/deps/librdkafka.so.1'), join(kafkaTarget, 'build/deps/librdkafka++.so.1'), ...readDir(join(stage, 'lib'))];
const newest = binaries.map((file) => [file, glibcNeeded(file)]).filter(([, version]) => version && compareVersions(version, maxGlibc) > 0);
if (newest.length > 0) {
  throw new Error(
    `these need a glibc newer than Lambda's ${maxGlibc}: ${newest.map(([file, version]) => `${file.slice(stage.length + 1)} (${version})`).join(', ')}. ` +
      'Build the zip in Lambda\'s build image (public.ecr.aws/sam/build-nodejs20.x), or set LAMBDA_GLIBC to your runtime\'s glibc',
  );
}

// 5. The zip, checked by loading it as Lambda would: the handler module with its native client.
rmSync(zipFile, { force: true });
execFileSync('zip', ['-q', '-r', '-X', zipFile, '.'], { cwd: stage });
const check = mkdtempSync(join(tmpdir(), 'dynamodb-kafka-lambda-'));
try {
  execFileSync('unzip', ['-q', zipFile, '-d', check]);
  const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import(process.cwd() + '/index.mjs'); process.stdout.write(typeof m.handler)"], {
    cwd: check,
    env: { PATH: process.env.PATH, LD_LIBRARY_PATH: join(check, 'lib') },
    encoding: 'utf8',
  });
  if (loaded !== 'function') throw new Error(`the zip's index.mjs exports no handler (${loaded})`);
} finally {
  rmSync(check, { recursive: true, force: true });
}
say(`${zipFile}: ${(statSync(zipFile).size / 1024 / 1024).toFixed(1)} MiB, handler index.handler, runtime nodejs20.x or later, architecture ${arch === 'x64' ? 'x86_64' : arch}`);

function readDir(dir) {
  return existsSync(dir) ? execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean).map((name) => join(dir, name)) : [];
}

/** The newest GLIBC_x.y symbol version a binary asks for (objdump, from binutils); undefined without objdump. */
function glibcNeeded(file) {
  let symbols;
  try {
    symbols = execFileSync('objdump', ['-T', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  return [...symbols.matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((match) => match[1]).sort(compareVersions).at(-1);
}

function compareVersions(a, b) {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
