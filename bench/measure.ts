/** Small measuring tools for the benchmark. */
import { readFileSync } from 'node:fs';
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`benchmark: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A process's RSS, peak RSS and threads from /proc (undefined once it is gone). */
export function procStatus(pid: number): { rssKiB: number; hwmKiB: number; threads: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
    return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), threads: field('Threads') };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, 100 on Linux (the kernel's ABI). */
const USER_HZ = 100;

/**
 * The CPU a process has used so far (user + system, all threads), in µs, from /proc/<pid>/stat's utime and stime;
 * undefined once it is gone. Fields counted after the command's closing parenthesis: a name may hold spaces.
 */
export function procCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are the 14th and 15th fields; state (the 3rd) is fields[0] here.
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** CPU (user + system, all threads) of this process since `since`, in µs. */
export function cpuMicrosSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

export interface MeasuredRun {
  records: number;
  recordsPerSecond: number;
  /** CPU (user + system, all threads) of this process per record. */
  cpuMicrosPerRecord: number;
}

/** Runs `work` (which answers how many records it handled), timing it and taking this process's CPU for it. */
export async function measureRun(work: () => Promise<number>): Promise<MeasuredRun> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const records = await work();
  const micros = cpuMicrosSince(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { records, recordsPerSecond: Math.round(records / seconds), cpuMicrosPerRecord: Number((micros / records).toFixed(1)) };
}

/** Connector CPU per record against a baseline's, as printed and written: 2 decimals. */
export const cpuRatio = (connector: number, baseline: number) => Number((connector / baseline).toFixed(2));
