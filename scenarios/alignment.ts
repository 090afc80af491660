// alignment: every power-of-two alignment from 1 to 4096, size 0, sizes beyond the heap and
// near 2^32. Each request must give NULL or a block that is inside the heap and aligned as
// asked; a wrapped size computation shows up as a block outside the array or a fault. Each
// block is freed at once, so the leak rule (applied by runScenario) runs at the end.

import type { Session } from '../checks/session.ts';

export const description = 'align 1…4096, size 0, sizes beyond the heap and near 2^32: NULL or a correct block, never a wrapped one';

export function alignment(s: Session): void {
  const heapBytes = s.heap.end - s.heap.start;
  for (let shift = 0; shift <= 12; shift++) {
    const b = s.alloc(24, 2 ** shift);
    if (b) s.dealloc(b);
  }
  for (const size of [0, heapBytes + 1, heapBytes * 2, 0x7fff_ffff, 0xffff_fff0, 0xffff_ffff]) {
    for (const align of [1, 8, 4096]) {
      const b = s.alloc(size, align);
      if (b) s.dealloc(b);
    }
  }
}
