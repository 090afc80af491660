// Folding a repeated sequence in a stream of records: once the last p records (1 ≤ p ≤
// maxPeriod) equal the p before them, a loop is running; its further iterations are counted
// instead of passed on, until a record breaks the pattern (or the stream is flushed) — then
// one summary, and the records of the unfinished iteration, go out as they came. Nothing about
// the records is known but their key, so any loop folds: a spin on a lock, a search that walks
// the same list each time.

export interface Fold<T> {
  /** One iteration, as it last came before folding began (it was passed on, and so was the one before). */
  iteration: T[];
  /** Further whole iterations, folded. */
  times: number;
  /** From the first record of the iteration before `iteration` to the first of `iteration`, by `measure` (0 without one). */
  instructionsPerIteration: number;
}

export class LoopFolder<T> {
  private recent: { record: T; key: string }[] = [];
  private loop: { keys: string[]; iteration: T[]; times: number; partial: T[]; per: number } | null = null;

  constructor(
    private readonly key: (record: T) => string,
    private readonly pass: (record: T) => void,
    private readonly folded: (fold: Fold<T>) => void,
    private readonly maxPeriod = 32,
    private readonly measure: (record: T) => number = () => 0,
  ) {}

  push(record: T): void {
    const k = this.key(record);
    const loop = this.loop;
    if (loop) {
      if (k === loop.keys[loop.partial.length]) {
        loop.partial.push(record);
        if (loop.partial.length === loop.keys.length) {
          loop.times++;
          loop.partial = [];
        }
        return;
      }
      this.flush();
    }
    this.pass(record);
    this.recent.push({ record, key: k });
    if (this.recent.length > 2 * this.maxPeriod) this.recent.shift();
    this.detect();
  }

  /** Ends a loop being folded: its summary, then the records of its unfinished iteration. */
  flush(): void {
    const loop = this.loop;
    if (!loop) return;
    this.loop = null;
    if (loop.times > 0) this.folded({ iteration: loop.iteration, times: loop.times, instructionsPerIteration: loop.per });
    for (const r of loop.partial) this.push(r);
  }

  /** The shortest period p whose last two iterations are equal starts a loop. */
  private detect(): void {
    const n = this.recent.length;
    for (let p = 1; 2 * p <= n && p <= this.maxPeriod; p++) {
      let same = true;
      for (let i = 0; i < p && same; i++) same = this.recent[n - p + i]!.key === this.recent[n - 2 * p + i]!.key;
      if (!same) continue;
      const last = this.recent.slice(n - p);
      const per = this.measure(last[0]!.record) - this.measure(this.recent[n - 2 * p]!.record);
      this.loop = { keys: last.map((x) => x.key), iteration: last.map((x) => x.record), times: 0, partial: [], per };
      this.recent = [];
      return;
    }
  }
}
