import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../checks/metrics.ts';

describe('metrics', () => {
  it('uses nearest-rank percentiles, so every figure was measured', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarizes unsorted input', () => {
    const s = summarize([5, 1, 9, 3]);
    expect(s).toEqual({ count: 4, min: 1, median: 3, p99: 9, max: 9, mean: 4.5 });
  });

  it('summarizes nothing as zeros', () => {
    expect(summarize([]).count).toBe(0);
  });
});
