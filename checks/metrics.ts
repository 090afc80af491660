// Summary statistics of per-operation measurements (cycles, instructions, stack bytes).
// Order statistics use the nearest-rank definition, so every figure is a value that was
// actually measured and the same inputs give the same numbers on every machine.

export interface Summary {
  count: number;
  min: number;
  median: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (p in (0, 100]) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, min: 0, median: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    count: arr.length,
    min: arr[0],
    median: percentile(arr, 50),
    p99: percentile(arr, 99),
    max: arr[arr.length - 1],
    mean: sum / arr.length,
  };
}
