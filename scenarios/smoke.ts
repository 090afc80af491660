// smoke: the least every allocator must do. A handful of sizes and alignments, a realloc that
// grows and one that shrinks, everything freed, the same requests served and freed again, and
// then the leak rule (applied by runScenario): the fresh heap's largest block is served again.

import type { Block, Session } from '../checks/session.ts';

export const description = 'a few allocations of mixed sizes and alignments, grow and shrink by realloc, free all, allocate again';

// Alignments stay at or below 16, which every seed handles; larger ones are the alignment scenario's.
const REQUESTS: readonly [size: number, align: number][] = [
  [1, 1],
  [8, 4],
  [24, 8],
  [100, 4],
  [16, 16],
  [300, 8],
  [64, 16],
  [4, 4],
];

/** slab serves one slot size: big enough for every request here. */
export const slabSlotSize = 512;

export function smoke(s: Session): void {
  const round = (): Block[] => {
    const blocks: Block[] = [];
    for (const [size, align] of REQUESTS) {
      const b = s.alloc(size, align);
      if (!b)
        s.fail({
          rule: 'blocks',
          message: `smoke: alloc(${size}, ${align}) returned NULL on a fresh ${s.heap.end - s.heap.start}-byte heap`,
        });
      blocks.push(b);
    }
    return blocks;
  };
  const blocks = round();
  const grown = s.realloc(blocks[1], 200);
  if (grown) blocks[1] = grown;
  const shrunk = s.realloc(blocks[5], 40);
  if (shrunk) blocks[5] = shrunk;
  for (const b of blocks) s.dealloc(b);
  for (const b of round()) s.dealloc(b);
}
