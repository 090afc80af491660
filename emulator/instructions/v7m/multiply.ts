// ARMv7-M multiplies and divides (A5.3.16, A5.3.17) and the ARMv7E-M DSP multiplies.
// No BigInt: 64-bit products come from 16-bit halves, which doubles hold exactly.
//
// Cycle model (cycles.ts has the per-core figures):
// - MUL 1; MLA/MLS t.mla (2).
// - SMULL/UMULL t.longMul, SMLAL/UMLAL t.longMulAcc, plus on the Cortex-M3 an early-termination
//   term of 0, 1 or 2 cycles by the significant bits of Rm (<= 16, <= 24, more; magnitude for
//   the signed forms). The TRM gives 3–5 and 4–7 cycles without the rule; this rule is
//   sramlab's, chosen so small multipliers are cheap as on silicon. The M4 is single-cycle.
// - SDIV/UDIV: 2 to t.divMax cycles. The TRM says the divider terminates early by operand size;
//   sramlab charges 1 + ceil(q / 3) cycles, at least 2 and at most divMax, where q is the
//   number of significant quotient bits (clz(divisor) - clz(dividend) + 1, magnitudes).
// - DSP multiplies (ARMv7E-M, Cortex-M4): 1 cycle.

import type { Cpu } from '../../cpu.ts';
import { InstructionFault } from '../../fault.ts';
import type { Handler } from '../v6m.ts';

const rn = (w: number): number => (w >>> 16) & 15;
const rd = (w: number): number => (w >>> 8) & 15;
const ra = (w: number): number => (w >>> 12) & 15;
const TWO32 = 4294967296;

// ---- 32-bit results ---------------------------------------------------------------------

export const MUL: Handler = (cpu, w) => {
  cpu.r[rd(w)] = Math.imul(cpu.r[rn(w)], cpu.r[w & 15]);
  cpu.cycles += cpu.t.mul;
};

export const MLA: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (Math.imul(cpu.r[rn(w)], cpu.r[w & 15]) + cpu.r[ra(w)]) | 0;
  cpu.cycles += cpu.t.mla;
};

export const MLS: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[ra(w)] - Math.imul(cpu.r[rn(w)], cpu.r[w & 15])) | 0;
  cpu.cycles += cpu.t.mla;
};

// ---- 64-bit products ----------------------------------------------------------------------

/** High word of the last umul64/smul64 (the low word is Math.imul of the operands). */
let HI = 0;

/** HI = (UInt(a) * UInt(b))<63:32>. */
function umulHi(a: number, b: number): void {
  const a0 = a & 0xffff,
    a1 = a >>> 16,
    b0 = b & 0xffff,
    b1 = b >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  HI = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** HI = (SInt(a) * SInt(b))<63:32>: the unsigned high word, corrected for the operands' signs. */
function smulHi(a: number, b: number): void {
  umulHi(a, b);
  HI = (HI - (a < 0 ? b >>> 0 : 0) - (b < 0 ? a >>> 0 : 0)) | 0;
}

/** Early-termination cycles of the M3's long multiplies (see the file comment). */
function earlyCycles(cpu: Cpu, m: number, signed: boolean): number {
  const max = cpu.t.longMulEarly;
  if (max === 0) return 0;
  const mag = signed && m < 0 ? ~m : m;
  const bits = 32 - Math.clz32(mag);
  return Math.min(max, bits <= 16 ? 0 : bits <= 24 ? 1 : 2);
}

export const SMULL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  smulHi(n, m);
  cpu.r[(w >>> 12) & 15] = Math.imul(n, m);
  cpu.r[rd(w)] = HI;
  cpu.cycles += cpu.t.longMul + earlyCycles(cpu, m, true);
};

export const UMULL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  umulHi(n, m);
  cpu.r[(w >>> 12) & 15] = Math.imul(n, m);
  cpu.r[rd(w)] = HI;
  cpu.cycles += cpu.t.longMul + earlyCycles(cpu, m, false);
};

/** RdHi:RdLo += hi:lo (mod 2^64). */
function accumulate64(cpu: Cpu, w: number, lo: number, hi: number): void {
  const l = (w >>> 12) & 15,
    h = rd(w);
  const sum = (lo >>> 0) + (cpu.r[l] >>> 0);
  cpu.r[l] = sum | 0;
  cpu.r[h] = (hi + cpu.r[h] + (sum >= TWO32 ? 1 : 0)) | 0;
}

/** RdHi:RdLo += x, for a signed x of at most 2^53 in magnitude. */
function accumulateSmall(cpu: Cpu, w: number, x: number): void {
  const l = (w >>> 12) & 15,
    h = rd(w);
  const sum = (cpu.r[l] >>> 0) + x;
  const carry = Math.floor(sum / TWO32);
  cpu.r[l] = (sum - carry * TWO32) | 0;
  cpu.r[h] = (cpu.r[h] + carry) | 0;
}

export const SMLAL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  smulHi(n, m);
  accumulate64(cpu, w, Math.imul(n, m), HI);
  cpu.cycles += cpu.t.longMulAcc + earlyCycles(cpu, m, true);
};

export const UMLAL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  umulHi(n, m);
  accumulate64(cpu, w, Math.imul(n, m), HI);
  cpu.cycles += cpu.t.longMulAcc + earlyCycles(cpu, m, false);
};

/** UMAAL: RdHi:RdLo = Rn * Rm + RdHi + RdLo (unsigned; cannot overflow 64 bits). */
export const UMAAL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15],
    l = (w >>> 12) & 15,
    h = rd(w);
  umulHi(n, m);
  const sum = (Math.imul(n, m) >>> 0) + (cpu.r[l] >>> 0) + (cpu.r[h] >>> 0);
  const carry = Math.floor(sum / TWO32);
  cpu.r[l] = (sum - carry * TWO32) | 0;
  cpu.r[h] = (HI + carry) | 0;
  cpu.cycles += 1;
};

// ---- divide -------------------------------------------------------------------------------

function divCycles(cpu: Cpu, dividend: number, divisor: number): number {
  const q = Math.clz32(divisor) - Math.clz32(dividend) + 1;
  if (q <= 0) return 2;
  return Math.min(cpu.t.divMax, Math.max(2, 1 + Math.ceil(q / 3)));
}

function divideByZero(cpu: Cpu): number {
  if (cpu.ccr & 0x10) throw new InstructionFault('divbyzero', 'division by zero with CCR.DIV_0_TRP set (UsageFault DIVBYZERO)');
  cpu.cycles += 2;
  return 0;
}

/** SDIV: RoundTowardsZero(SInt(Rn) / SInt(Rm)); 0x80000000 / -1 gives 0x80000000. */
export const SDIV: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  if (m === 0) {
    cpu.r[rd(w)] = divideByZero(cpu);
    return;
  }
  cpu.r[rd(w)] = Math.trunc(n / m) | 0;
  cpu.cycles += divCycles(cpu, Math.abs(n), Math.abs(m));
};

export const UDIV: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)] >>> 0,
    m = cpu.r[w & 15] >>> 0;
  if (m === 0) {
    cpu.r[rd(w)] = divideByZero(cpu);
    return;
  }
  cpu.r[rd(w)] = Math.floor(n / m) | 0;
  cpu.cycles += divCycles(cpu, n, m);
};

// ---- ARMv7E-M: halfword multiplies -------------------------------------------------------

/** The bottom (0) or top (1) halfword of x, signed. */
const half = (x: number, top: number): number => (top ? x >> 16 : (x << 16) >> 16);

/** R[d] = result, setting Q when the (exact) result does not fit in 32 signed bits. */
function writeQ(cpu: Cpu, d: number, result: number): void {
  const r = result | 0;
  if (r !== result) cpu.fQ = 1;
  cpu.r[d] = r;
}

export const SMULxy: Handler = (cpu, w) => {
  cpu.r[rd(w)] = half(cpu.r[rn(w)], w & 0x20) * half(cpu.r[w & 15], w & 0x10);
  cpu.cycles += 1;
};

export const SMLAxy: Handler = (cpu, w) => {
  writeQ(cpu, rd(w), half(cpu.r[rn(w)], w & 0x20) * half(cpu.r[w & 15], w & 0x10) + cpu.r[ra(w)]);
  cpu.cycles += 1;
};

/** SMULWy: (SInt(Rn) * SInt(Rm.y))<47:16>. */
export const SMULWy: Handler = (cpu, w) => {
  cpu.r[rd(w)] = Math.floor((cpu.r[rn(w)] * half(cpu.r[w & 15], w & 0x10)) / 65536) | 0;
  cpu.cycles += 1;
};

export const SMLAWy: Handler = (cpu, w) => {
  const result = cpu.r[rn(w)] * half(cpu.r[w & 15], w & 0x10) + cpu.r[ra(w)] * 65536;
  writeQ(cpu, rd(w), Math.floor(result / 65536));
  cpu.cycles += 1;
};

/** The two halfword products of SMUAD/SMUSD/SMLAD/SMLSD/SMLALD/SMLSLD, with Rm's halves swapped when X = 1. */
let P1 = 0,
  P2 = 0;
function dualProducts(cpu: Cpu, w: number): void {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15],
    x = w & 0x10;
  P1 = half(n, 0) * half(m, x ? 1 : 0);
  P2 = half(n, 1) * half(m, x ? 0 : 1);
}

export const SMUAD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  writeQ(cpu, rd(w), P1 + P2);
  cpu.cycles += 1;
};
export const SMLAD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  writeQ(cpu, rd(w), P1 + P2 + cpu.r[ra(w)]);
  cpu.cycles += 1;
};
export const SMUSD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  cpu.r[rd(w)] = P1 - P2;
  cpu.cycles += 1;
};
export const SMLSD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  writeQ(cpu, rd(w), P1 - P2 + cpu.r[ra(w)]);
  cpu.cycles += 1;
};
export const SMLALD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  accumulateSmall(cpu, w, P1 + P2);
  cpu.cycles += 1;
};
export const SMLSLD: Handler = (cpu, w) => {
  dualProducts(cpu, w);
  accumulateSmall(cpu, w, P1 - P2);
  cpu.cycles += 1;
};

export const SMLALxy: Handler = (cpu, w) => {
  accumulateSmall(cpu, w, half(cpu.r[rn(w)], w & 0x20) * half(cpu.r[w & 15], w & 0x10));
  cpu.cycles += 1;
};

// ---- ARMv7E-M: most-significant-word multiplies ------------------------------------------

/** SMMUL{R}: (SInt(Rn) * SInt(Rm) [+ 0x80000000])<63:32>. */
export const SMMUL: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  smulHi(n, m);
  const round = w & 0x10 && Math.imul(n, m) >>> 0 >= 0x80000000 ? 1 : 0;
  cpu.r[rd(w)] = (HI + round) | 0;
  cpu.cycles += 1;
};

/** SMMLA{R}: ((SInt(Ra) << 32) + SInt(Rn) * SInt(Rm) [+ 0x80000000])<63:32>. */
export const SMMLA: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  smulHi(n, m);
  const round = w & 0x10 && Math.imul(n, m) >>> 0 >= 0x80000000 ? 1 : 0;
  cpu.r[rd(w)] = (cpu.r[ra(w)] + HI + round) | 0;
  cpu.cycles += 1;
};

/** SMMLS{R}: ((SInt(Ra) << 32) - SInt(Rn) * SInt(Rm) [+ 0x80000000])<63:32>. */
export const SMMLS: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15];
  smulHi(n, m);
  const lo = Math.imul(n, m) >>> 0;
  // (Ra:0) - (HI:lo): the low word is -lo, with a borrow out of the high word when lo != 0.
  const negLo = lo === 0 ? 0 : TWO32 - lo;
  const borrow = lo === 0 ? 0 : 1;
  const round = w & 0x10 && negLo >= 0x80000000 ? 1 : 0;
  cpu.r[rd(w)] = (cpu.r[ra(w)] - HI - borrow + round) | 0;
  cpu.cycles += 1;
};

// ---- ARMv7E-M: sum of absolute differences -----------------------------------------------

function sad8(n: number, m: number): number {
  let s = 0;
  for (let k = 0; k < 32; k += 8) s += Math.abs(((n >>> k) & 0xff) - ((m >>> k) & 0xff));
  return s;
}

export const USAD8: Handler = (cpu, w) => {
  cpu.r[rd(w)] = sad8(cpu.r[rn(w)], cpu.r[w & 15]);
  cpu.cycles += 1;
};
export const USADA8: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (sad8(cpu.r[rn(w)], cpu.r[w & 15]) + cpu.r[ra(w)]) | 0;
  cpu.cycles += 1;
};
