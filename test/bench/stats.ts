/** Small statistics helpers for benchmarks: percentiles on sorted copies, rounded for reports. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Median with its spread (min..max), the way absolute timings are reported on a noisy shared machine. */
export function summarize(values: readonly number[]): { median: number; min: number; max: number; runs: number } {
  return {
    median: round(percentile(values, 50)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.length,
  };
}
