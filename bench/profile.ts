/**
 * Where the CPU goes: a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or the inspector writes it) summed
 * into self time per function, top N. `npx tsx bench/profile.ts <file.cpuprofile> [N]` prints the summary;
 * bench/run.ts uses `profiled` to profile the JSON snapshot alone when BENCH_CPU_PROFILE names a file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Runs `work` under the V8 profiler and writes its profile to `file`; without a file, just runs it. */
export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

export interface HotFunction {
  function: string;
  /** Where it is defined, shortened to the package or source file. */
  at: string;
  selfMs: number;
  selfPercent: number;
}

/** Self time per function (same name and place summed over its call sites), the `top` largest first; idle time left out, percentages of the busy time. */
export function hotFunctions(profile: CpuProfile, top = 10): HotFunction[] {
  const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfMicros = new Map<string, { function: string; at: string; micros: number }>();
  let total = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = frameOf.get(nodeId)!;
    if (frame.functionName === '(idle)') return;
    total += delta;
    const at = frame.url ? `${shortPlace(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${at}`;
    const entry = selfMicros.get(key) ?? { function: frame.functionName || '(anonymous)', at, micros: 0 };
    entry.micros += delta;
    selfMicros.set(key, entry);
  });
  return [...selfMicros.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map((entry) => ({ function: entry.function, at: entry.at, selfMs: Math.round(entry.micros / 1000), selfPercent: Number(((entry.micros / total) * 100).toFixed(1)) }));
}

/** node_modules/@smithy/core/dist-cjs/index.js → @smithy/core/dist-cjs/index.js; our files from src/. */
function shortPlace(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const source = url.search(/\/(src|dist|bench)\//);
  return source >= 0 ? url.slice(source + 1) : url;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile.ts <file.cpuprofile> [top]');
  console.table(hotFunctions(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top ?? 10)));
}
