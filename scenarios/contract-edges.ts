// contract-edges: the edges of the ABI contract (firmware/README.md, "The contract"), for alloc
// and realloc alike. Sizes at and above isize::MAX (0x7fffffff on a 32-bit MCU) and near 2^32
// must give NULL; a realloc that fails must leave the old block live with its contents (the
// session verifies them after every NULL from realloc); growing keeps the old contents,
// shrinking keeps the prefix; a block of the largest alignment stays aligned through realloc.
// A wrapped size computation shows as a block outside the heap, a fault, or a changed block.

import type { Block, Session } from '../checks/session.ts';

export const description =
  'sizes 0x7fffffff, 0x80000000, 0xffffffff for alloc and realloc (NULL, old block intact), grow/shrink keeping contents, realloc at align 1…4096';

/** At and above isize::MAX, and the sizes a rounding up wraps. */
const HUGE = [0x7fff_ffff, 0x7fff_fff8, 0x8000_0000, 0xffff_fff8, 0xffff_ffff] as const;

export function contractEdges(s: Session): void {
  for (const size of HUGE) {
    for (const align of [1, 8, 4096]) {
      const b = s.alloc(size, align);
      if (b) s.dealloc(b);
    }
  }
  const live: Block[] = [];
  const heapBytes = s.heap.end - s.heap.start;
  // A realloc from each alignment: to a huge size (NULL, the old block kept), then grown and shrunk.
  for (const align of [1, 4, 8, 64, 4096]) {
    if (align * 4 > heapBytes) break;
    let b = s.alloc(64, align);
    if (!b) continue;
    for (const size of HUGE) {
      const r = s.realloc(b, size);
      if (r) b = r; // a block this size cannot be inside the heap: the blocks rule has already failed it
    }
    for (const size of [256, 16, 100]) {
      const r = s.realloc(b, size);
      if (r) b = r;
    }
    live.push(b);
  }
  for (const b of live) s.dealloc(b);
}
