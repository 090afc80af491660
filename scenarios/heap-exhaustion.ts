// heap-exhaustion: galloc's benchmark (docs/seed-algorithms.md §4.11): allocate until the heap is full,
// then free everything and start again. Scaling: upstream sizes 10,000–300,000 on a 256 MiB
// heap become 64–2048 on a 16 KiB heap (about ÷150, so a fill takes a similar number of
// allocations); alignments 1–1024 are kept. --ops counts allocation attempts. The blocks of the
// last fill are freed at the end, for the leak rule (applied by runScenario).

import type { Block, Session } from '../checks/session.ts';
import { Prng } from '../runners/prng.ts';

export const description = "galloc's heap_exhaustion: allocate 64–2048-byte blocks until the heap is full, free all, repeat";

export function heapExhaustion(s: Session, seed: number, ops: number): void {
  const rng = new Prng(seed);
  let live: Block[] = [];
  for (let k = 0; k < ops; k++) {
    const b = s.alloc(rng.between(64, 2048), 2 ** rng.between(0, 10));
    if (b) {
      live.push(b);
      continue;
    }
    for (const x of live) s.dealloc(x);
    live = [];
  }
  for (const x of live) s.dealloc(x);
}
