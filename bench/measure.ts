/** Small measuring tools for the benchmark. */
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
