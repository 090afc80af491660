// Binary search over address-sorted tables (symbols, line rows).

/** Index of the last item whose key is ≤ a, in items sorted by key; -1 when there is none. */
export function lastAtOrBefore<T>(items: readonly T[], key: (item: T) => number, a: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]!) <= a) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
