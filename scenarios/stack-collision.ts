// stack-collision: a stack that grows into the heap must be caught (README.md "The checks", rule 2).
//
// On a part the stack grows down from the top of SRAM toward the heap array just below it
// (firmware/link.ld puts __stack_limit at __heap_end), and nothing in an ARMv6-M or ARMv7-M
// core stops it at the boundary (stack-limit registers came with ARMv8-M): when a deep call
// chain or a nested interrupt reaches the allocator with little stack left, the allocator's own
// frame is pushed over the heap's last bytes, silently. The stack rule is what must notice: SP
// may never go below __stack_limit.
//
// The scenario makes that happen on purpose, with any allocator, healthy or not. One sl_alloc
// from the stack top shows the allocator works and how much stack the call takes; then the same
// request is made with SP starting 8 bytes above __stack_limit (AllocatorImage.entrySP; right at
// the limit, the stack full, when the call takes 8 bytes or less), so the allocator's own frame
// crosses the limit. The scenario expects the stack rule (Scenario.expect = 'stack'): a run is
// ok, "caught", when exactly that rule stops it, and the result says `expected: 'stack'` with
// the caught violation (the PC of the push and its symbol). It fails when another rule goes
// first, or when nothing notices — which is also what an allocator that takes no stack at all
// gets: it cannot collide, and the failure says its peak stack was 0 bytes.

import type { Session } from '../checks/session.ts';

export const description =
  'sl_alloc entered with SP 8 bytes above __stack_limit: its own frame crosses into the heap, and the stack rule must catch it';

/** Not the leak rule: an ok run ends inside sl_alloc, stopped by the stack rule, with blocks that cannot be freed. */
export const leak = {
  applies: 'never',
  reason: 'an ok run ends inside sl_alloc, stopped by the stack rule, before its blocks can be freed',
} as const;

/** Bytes of stack left above __stack_limit when the crossing call starts (keeps SP 8-aligned, as AAPCS wants). */
export const HEADROOM = 8;

const SIZE = 64,
  ALIGN = 8;

export function stackCollision(s: Session): void {
  const img = s.image;
  const first = s.alloc(SIZE, ALIGN);
  img.entrySP = img.layout.stackLimit + (s.peakStackBytes > HEADROOM ? HEADROOM : 0);
  try {
    const b = s.alloc(SIZE, ALIGN);
    if (b) s.dealloc(b);
  } finally {
    img.entrySP = null;
  }
  // Not caught (runScenario reports the miss, with the peak stack the calls used).
  if (first) s.dealloc(first);
}
