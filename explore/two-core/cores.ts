// Running the two cores of a DualMachine a few instructions at a time: start a host call on a
// core, run it for n instructions (or until it spins), tell whether it has returned, and hash
// the state of both cores for the explorer's dedup table.

import type { Range } from '../../checks/checkers.ts';
import { RETURN_TRAP, type StopReason } from '../../emulator/cpu.ts';
import type { DualMachine } from '../../emulator/dual.ts';
import type { Machine } from '../../emulator/machine.ts';

/** Where a returning call lands: the host's trap address, as Machine.call sets LR. */
export const TRAP_PC = (RETURN_TRAP & ~1) >>> 0;

/** Sets up a call as Machine.call does (r0–r3, SP, LR = the trap), without running it. */
export function startCall(m: Machine, addr: number, args: readonly number[], sp: number): void {
  const cpu = m.cpu;
  if (cpu.ipsr !== 0) throw new Error('a call starts in Thread mode; the core is in an exception handler');
  for (let k = 0; k < 4; k++) cpu.r[k] = args[k] ?? 0;
  cpu.setSP(sp);
  cpu.r[14] = RETURN_TRAP | 1;
  cpu.pc = (addr & ~1) >>> 0;
  cpu.tbit = 1;
  cpu.resetMinSP();
  cpu.stopReason = null;
}

/** The call on this core has returned (its next fetch would be the trap). */
export const returned = (m: Machine): boolean => m.cpu.pc === TRAP_PC && m.cpu.ipsr === 0;

/** YIELD (16-bit and 32-bit) and WFE: the hints a spin loop makes while it waits for the other core. */
function atSpinHint(m: Machine): boolean {
  const pc = m.cpu.pc;
  if (pc === TRAP_PC) return false;
  const hw = m.bus.fetch16(pc);
  if (hw === 0xbf10 || hw === 0xbf20) return true;
  return hw === 0xf3af && (m.bus.fetch16(pc + 2) & 0xff) === 0x01;
}

export interface Step {
  /** Instructions run. */
  ran: number;
  /** 'halt': ran n (or reached a spin hint); else why the core stopped ('returned', 'fault', 'lockup', 'sleep'). */
  stop: StopReason;
  /** Stopped before a spin hint (only when asked to). */
  spin: boolean;
}

/**
 * Runs one core for at most n instructions; with stopAtSpin, also stops before a YIELD/WFE once
 * it has run at least one instruction. Checker violations propagate (the caller reports them).
 */
export function runCore(m: Machine, n: number, stopAtSpin: boolean): Step {
  const cpu = m.cpu;
  if (returned(m)) return { ran: 0, stop: 'returned', spin: false };
  let ran = 0,
    spin = false;
  cpu.onInstruction = () => {
    if (ran >= n || returned(m)) cpu.halt();
    else if (stopAtSpin && ran > 0 && atSpinHint(m)) {
      spin = true;
      cpu.halt();
    } else ran++;
  };
  try {
    const stop = cpu.run(Infinity);
    return { ran, stop: returned(m) ? 'returned' : stop, spin };
  } finally {
    cpu.onInstruction = null;
  }
}

/** Two independent 32-bit FNV-1a style mixes, as one string key. */
class Hasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x01000193 ^ 0x5bd1e995;
  add(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    this.b = Math.imul(this.b ^ (x >>> 16) ^ (x << 16), 0x5bd1e995) ^ (this.b >>> 13);
  }
  key(): string {
    return `${(this.a >>> 0).toString(36)}.${(this.b >>> 0).toString(36)}`;
  }
}

/**
 * The state that decides what happens next: both cores' registers, flags, masks, event
 * registers (WFE) and exclusive tags, the SIO, the SRAM words of the given ranges (allocator state, heap) and each core's
 * live stack (its SP up to its stack top; below SP is dead).
 * Cycle and instruction counters are left out: two runs that differ only in how long a core
 * spun are the same state.
 */
export function stateKey(d: DualMachine, ranges: readonly Range[], stackTops: readonly [number, number]): string {
  const h = new Hasher();
  for (const m of d.cores) {
    const c = m.cpu;
    for (let k = 0; k < 15; k++) h.add(c.r[k]);
    h.add(c.pc);
    h.add(c.apsr);
    h.add(c.primask | (c.ipsr << 1) | (c.itstate << 10) | (c.tbit << 20) | (c.eventRegister << 21));
    h.add(c.exclusiveAddress);
    h.add(c.control | (c.basepri << 8) | (c.faultmask << 16));
    h.add(c.otherSP);
  }
  if (d.sio) {
    h.add(d.sio.locks);
    for (const f of d.sio.fifo) {
      h.add(f.length);
      for (const w of f) h.add(w);
    }
    h.add(d.sio.sticky[0] | (d.sio.sticky[1] << 4));
  }
  const sram = d.cores[0].bus.sram;
  const words = new Int32Array(sram.buffer, sram.byteOffset, sram.length >>> 2);
  const all = [...ranges, { start: d.cores[0].cpu.sp, end: stackTops[0] }, { start: d.cores[1].cpu.sp, end: stackTops[1] }];
  for (const r of all) {
    const from = (r.start - 0x2000_0000) >>> 2,
      to = Math.min(words.length, (r.end - 0x2000_0000 + 3) >>> 2);
    for (let i = from; i < to; i++) h.add(words[i]);
  }
  return h.key();
}
