// zero-size: what each allocator answers for size 0. Rust never passes size 0 to a
// GlobalAlloc, so every seed's size-0 path is untested upstream; C's malloc(0) and a Vec's
// first realloc from empty do reach it. The answers differ (docs/allocators.md lists them):
// a chunk, a minimum block, a slot, a 0-byte block at a shared address, or a block no free
// can find again. The checks judge each answer as for any block: a size-0 block counts as
// one byte, so it must be inside the heap and overlap no live block.

import type { Block, Session } from '../checks/session.ts';

export const description = 'size 0: alloc, a neighbour, realloc 0 → 0, 0 → 8, 8 → 0, free all (leaks and shared addresses show)';

/** slab: one slot holds every request here. */
export const slabSlotSize = 64;

export function zeroSize(s: Session): void {
  const live: Block[] = [];
  const keep = (b: Block | null) => {
    if (b) live.push(b);
    return b;
  };
  let z = keep(s.alloc(0, 1)); // NULL is an answer too: nothing to check but the rest
  keep(s.alloc(16, 4)); // a neighbour: a size-0 block must not share its address
  for (const newSize of [0, 8, 0]) {
    if (!z) break;
    const r = s.realloc(z, newSize);
    if (!r) break;
    live[live.indexOf(z)] = r;
    z = r;
  }
  keep(s.alloc(0, 8));
  for (const b of live) s.dealloc(b);
}
