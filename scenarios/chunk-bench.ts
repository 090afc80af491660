// chunk-bench: simple-chunk-allocator's own benchmark (docs/seed-algorithms.md §2.9), with a seeded PRNG
// and --ops iterations instead of a 10-second window. Each iteration allocates (size uniform in
// [64, 16384), alignment from {1, 2, …, 128}) and keeps the result, failed or not; when more
// than 10 results are kept, one time in ten the 7 oldest successful blocks are freed (FIFO,
// skipping failures). Scaling: the 160 MiB heap becomes a 16 KiB one and sizes are divided by
// 16 ([4, 1024)), so a request spans 1–4 of the heap's sixty-four 256-byte chunks, as upstream
// spans 1–64 of 655,360. Upstream's loop just stops; here the blocks still kept are freed at the
// end, oldest first, so the leak rule (applied by runScenario) can run.

import type { Block, Session } from '../checks/session.ts';
import { Prng } from '../runners/prng.ts';

export const description = "simple-chunk-allocator's benchmark: seeded allocs of 4–1023 bytes, FIFO frees of 7 one time in ten";

const ALIGNS = [1, 2, 4, 8, 16, 32, 64, 128];

export function chunkBench(s: Session, seed: number, ops: number): void {
  const rng = new Prng(seed);
  const kept: (Block | null)[] = [];
  let oldest = 0;
  for (let k = 0; k < ops; k++) {
    const align = rng.pick(ALIGNS);
    const size = rng.between(64, 16383) >>> 4;
    kept.push(s.alloc(size, align));
    if (kept.length - oldest > 10 && rng.below(10) === 0) {
      let freed = 0;
      while (freed < 7 && oldest < kept.length) {
        const b = kept[oldest++];
        if (b) {
          s.dealloc(b);
          freed++;
        }
      }
    }
  }
  for (let i = oldest; i < kept.length; i++) if (kept[i]) s.dealloc(kept[i]!);
}
