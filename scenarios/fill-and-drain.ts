// fill-and-drain: the full-coalescing check of docs/seed-algorithms.md §9.1 (linked_list_allocator's
// allocate_many_size_aligns): fill the heap with a cycle of (size, align) requests until one
// fails, free everything forward, backward or interleaved, and after each drain apply the leak
// rule: the largest block the fresh heap served must be served again. An allocator that does not
// merge free neighbours fails here.

import { checkNoLeak, type LeakBaseline } from '../checks/leak.ts';
import type { Block, Session } from '../checks/session.ts';

export const description = 'fill the heap until NULL, free forward / backward / interleaved, then the whole heap must be one block again';

const CYCLE: readonly [size: number, align: number][] = [
  [24, 4],
  [8, 8],
  [100, 4],
  [56, 16],
  [4, 4],
  [200, 8],
  [32, 32],
];
const ORDERS = ['forward', 'backward', 'interleaved'] as const;

export function fillAndDrain(s: Session, base: LeakBaseline): void {
  const bus = s.image.machine.bus;
  for (const order of ORDERS) {
    bus.sram.set(base.fresh);
    s.forgetAll();
    const blocks: Block[] = [];
    for (let k = 0; ; k++) {
      const [size, align] = CYCLE[k % CYCLE.length];
      const b = s.alloc(size, align);
      if (!b) break;
      blocks.push(b);
    }
    const sequence =
      order === 'forward'
        ? blocks
        : order === 'backward'
          ? [...blocks].reverse()
          : [...blocks.filter((_, i) => i % 2 === 0), ...blocks.filter((_, i) => i % 2 === 1)];
    for (const b of sequence) s.dealloc(b);
    checkNoLeak(s, base, `(${blocks.length} blocks, freed ${order})`);
  }
}
