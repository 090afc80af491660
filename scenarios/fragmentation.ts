// fragmentation: many small blocks, every other one freed, then the largest block that is
// left is measured (a metric, not a pass/fail rule), then the rest freed for the leak rule
// (applied by runScenario).

import type { Block, Session } from '../checks/session.ts';

export const description = 'fill with small blocks, free every other one, measure the largest block left, free the rest';

export function fragmentation(s: Session): number {
  const blocks: Block[] = [];
  for (;;) {
    const b = s.alloc(48, 8);
    if (!b) break;
    blocks.push(b);
  }
  for (const b of blocks.filter((_, i) => i % 2 === 0)) s.dealloc(b);
  const largest = s.largestBlock();
  for (const b of blocks.filter((_, i) => i % 2 === 1)) s.dealloc(b);
  return largest;
}
