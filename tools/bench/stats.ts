// Measuring: runs alternated between ours and the floor (A B A B …) so that drift on a shared,
// noisy machine hits both alike, and medians of the runs.

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of `fn` in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export interface Alternated {
  /** One sample per run for each contender, in run order. */
  samples: number[][];
  medians: number[];
}

/**
 * Runs each contender once per run, in turn (A B A B … for two), `runs` times, after `warmup`
 * unmeasured rounds. Each contender returns its own sample (a time, a throughput, …), so a
 * contender can exclude its own setup (e.g. re-seeding) from what it reports.
 */
export async function alternate(runs: number, contenders: readonly (() => Promise<number>)[], o: { warmup?: number } = {}): Promise<Alternated> {
  for (let w = 0; w < (o.warmup ?? 0); w++) {
    for (const c of contenders) {
      await c();
    }
  }
  const samples: number[][] = contenders.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < contenders.length; i++) {
      samples[i].push(await contenders[i]());
    }
  }
  return { samples, medians: samples.map(median) };
}

/**
 * The median of the per-run ratios `ours[i] / floor[i]`. The two ran back to back in each run, so
 * each pair saw about the same machine: on a shared, busy machine this is steadier than the ratio
 * of the two medians, whose runs may have met different loads.
 */
export function pairedRatio(ours: readonly number[], floor: readonly number[]): number {
  const n = Math.min(ours.length, floor.length);
  return median(Array.from({ length: n }, (_, i) => ours[i] / floor[i]));
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '–';
  }
  if (ms >= 10_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(2)} s`;
  }
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function fmtNumber(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes >= 100 * 1024 * 1024 ? 0 : 1)} MB`;
}
