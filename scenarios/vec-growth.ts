// vec-growth: a Vec pushing bytes, as Rust's RawVec grows: realloc to double the capacity from
// 8 bytes up to half the heap, the contents checked at every step (realloc keeps them). Then the
// block is freed, and the leak rule (applied by runScenario) checks the whole heap is back.

import type { Session } from '../checks/session.ts';

export const description = 'realloc doubling from 8 bytes to half the heap, like a growing Vec; contents kept at every step';

export function vecGrowth(s: Session): void {
  let b = s.alloc(8, 4);
  if (!b) s.fail({ rule: 'blocks', message: 'vec-growth: alloc(8, 4) returned NULL on a fresh heap' });
  const limit = (s.heap.end - s.heap.start) / 2;
  for (let cap = 16; cap <= limit; cap *= 2) {
    const grown = s.realloc(b, cap);
    if (!grown) break;
    b = grown;
  }
  s.dealloc(b);
}
