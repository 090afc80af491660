// random-actions: galloc's benchmark (docs/seed-algorithms.md §4.11), a seeded random mix of alloc,
// free and realloc, then every block freed for the leak rule (applied by runScenario). Scaling
// to MCU heaps: upstream used a 256 MiB heap with sizes 100–1000 (realloc to 100–10000) and
// alignments 1–1024; here sizes are divided by 4 (25–250, realloc to 25–2500) so a 16 KiB heap
// holds a few dozen live blocks, and the alignments are kept (1–1024). A run is --ops actions
// instead of a time window.

import type { Block, Session } from '../checks/session.ts';
import { Prng } from '../runners/prng.ts';

export const description = "galloc's random_actions: seeded alloc / free / realloc mix (sizes ÷4), then free all and check for leaks";

export function randomActions(s: Session, seed: number, ops: number): number {
  const rng = new Prng(seed);
  const live: Block[] = [];
  for (let k = 0; k < ops; k++) {
    const action = rng.below(3);
    if (action === 0) {
      const b = s.alloc(rng.between(25, 250), 2 ** rng.between(0, 10));
      if (b) live.push(b);
    } else if (action === 1 && live.length) {
      const i = rng.below(live.length);
      s.dealloc(live[i]);
      live[i] = live[live.length - 1];
      live.pop();
    } else if (action === 2 && live.length) {
      const i = rng.below(live.length);
      const moved = s.realloc(live[i], rng.between(25, 2500));
      if (moved) live[i] = moved;
    }
  }
  const largestAfter = s.largestBlock();
  for (const b of live) s.dealloc(b);
  return largestAfter;
}
