// The dedup key of a preemption point: the machine state at the moment the interrupt is actually
// taken (not when it was pended), plus the host's own state that decides what happens next.
// Two points with equal keys run the same from there on, so only the first is explored and the
// others share its outcome. The state is the core's registers and masks and the SRAM the run has
// written since the point's snapshot was restored: the bus marks each 256-byte page a store
// touches (Bus.dirty), and everything else is the snapshot's, the same for every point of one
// operation. Equal keys mean equal states up to a 64-bit hash collision on those pages.

import { PAGE_SHIFT } from '../emulator/bus.ts';
import type { Machine } from '../emulator/machine.ts';

/** 32-bit words in one dirty page. */
const WORDS_SHIFT = PAGE_SHIFT - 2;

/** Two 32-bit FNV-1a style lanes over words, seeded differently: a 64-bit hash as 16 hex digits. */
function hashPages(m: Machine): string {
  const { dirty, sram } = m.bus;
  const words = new Int32Array(sram.buffer, sram.byteOffset, sram.length >>> 2);
  let a = 0x811c9dc5 | 0,
    b = 0x01000193 ^ 0x5bd1e995;
  for (let p = 0; p < dirty.length; p++) {
    if (dirty[p] === 0) continue;
    a = Math.imul(a ^ p, 0x01000193);
    b = Math.imul(b ^ p, 0x5bd1e995);
    const end = Math.min((p + 1) << WORDS_SHIFT, words.length);
    for (let w = p << WORDS_SHIFT; w < end; w++) {
      const v = words[w];
      a = Math.imul(a ^ v, 0x01000193);
      b = Math.imul((b ^ v) + (b >>> 13), 0x5bd1e995);
    }
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The key at an interrupt's entry (after stacking, so the stacked PC, r0–r3, r12, LR and xPSR
 * are in the hashed pages too): r0–r15, xPSR, the masks and CONTROL, the exclusive monitor, the
 * pages written so far, and `host` (what the host will do next: script results, ticks to come).
 */
export function stateKey(m: Machine, host: string): string {
  const c = m.cpu;
  const regs: number[] = [];
  for (let k = 0; k < 16; k++) regs.push(k === 15 ? c.pc : c.r[k] >>> 0);
  return `${regs.join(',')}|${c.xpsr >>> 0},${c.primask},${c.basepri},${c.faultmask},${c.control}|${c.exclusiveAddress},${c.exclusiveSize}|${hashPages(m)}|${host}`;
}
