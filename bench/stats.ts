export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (milliseconds, usually). */
export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return {
    count: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** Events per second over the span they cover (from `start`, or the first event, to the last one). */
export function ratePerSecond(times: number[], start?: number): number {
  if (times.length === 0) return 0;
  const first = start ?? Math.min(...times);
  const span = Math.max(...times) - first;
  return span > 0 ? (times.length / span) * 1000 : NaN;
}

/**
 * The rate while the system was busy, without the ramp-up and the tail: events between the 10th and the
 * 90th percentile of their completion times, over the time between those two.
 */
export function sustainedRatePerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.1);
  const to = Math.ceil(sorted.length * 0.9) - 1;
  const span = (sorted[to] ?? 0) - (sorted[from] ?? 0);
  return span > 0 ? ((to - from) / span) * 1000 : NaN;
}
