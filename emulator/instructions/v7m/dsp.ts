// ARMv7E-M DSP extension, non-multiply part: the parallel add/subtract families (A5.3.13,
// A5.3.14: S, Q, SH, U, UQ, UH × ADD16, ASX, SAX, SUB16, ADD8, SUB8), the saturating
// QADD/QSUB/QDADD/QDSUB and SEL (A5.3.15). All single-cycle on the Cortex-M4.
//
// The op1 field (w<22:20>) picks the lane operation: 001 ADD16, 010 ASX, 110 SAX, 101 SUB16,
// 000 ADD8, 100 SUB8 (011 and 111 are UNDEFINED and never reach here).

import type { Cpu } from '../../cpu.ts';
import type { Handler } from '../v6m.ts';
import { signedSatQ } from './common.ts';

const rd = (w: number): number => (w >>> 8) & 15;

/** How a family turns a lane's exact result into the lane's bits. */
enum Mode {
  Modular,
  Saturate,
  Halve,
}

/** GE bits gathered by the lanes of the current operation. */
let GE = 0;

/**
 * One lane of `bits` (16 or 8) bits, placed at `shift`. `add` picks the unsigned GE rule;
 * `geBits` are the GE bits this lane owns (0b0011 or 0b1100 for halfwords, one bit for bytes).
 */
function lane(x: number, bits: number, signed: boolean, mode: Mode, add: boolean, geBits: number, shift: number): number {
  const size = 1 << bits;
  let v: number;
  switch (mode) {
    case Mode.Modular:
      // GE: signed lanes >= 0; unsigned sums >= 2^bits (carry out); unsigned differences >= 0.
      if (signed || !add ? x >= 0 : x >= size) GE |= geBits;
      v = x;
      break;
    case Mode.Saturate: {
      const lo = signed ? -(size >> 1) : 0,
        hi = signed ? (size >> 1) - 1 : size - 1;
      v = x < lo ? lo : Math.min(x, hi);
      break;
    }
    default:
      v = x >> 1;
  }
  return (v & (size - 1)) << shift;
}

/** The whole parallel operation for one family. */
function parallel(cpu: Cpu, w: number, signed: boolean, mode: Mode): void {
  const n = cpu.r[(w >>> 16) & 15],
    m = cpu.r[w & 15];
  const op = (w >>> 20) & 7;
  GE = 0;
  let res = 0;
  if (op === 0 || op === 4) {
    // ADD8 / SUB8
    for (let k = 0; k < 4; k++) {
      const a = signed ? (n << (24 - 8 * k)) >> 24 : (n >>> (8 * k)) & 0xff;
      const b = signed ? (m << (24 - 8 * k)) >> 24 : (m >>> (8 * k)) & 0xff;
      res |= lane(op === 0 ? a + b : a - b, 8, signed, mode, op === 0, 1 << k, 8 * k);
    }
  } else {
    const nLo = signed ? (n << 16) >> 16 : n & 0xffff,
      nHi = signed ? n >> 16 : n >>> 16;
    const mLo = signed ? (m << 16) >> 16 : m & 0xffff,
      mHi = signed ? m >> 16 : m >>> 16;
    let lo: number, hi: number, loAdd: boolean, hiAdd: boolean;
    switch (op) {
      case 1:
        lo = nLo + mLo;
        hi = nHi + mHi;
        loAdd = true;
        hiAdd = true;
        break; // ADD16
      case 2:
        lo = nLo - mHi;
        hi = nHi + mLo;
        loAdd = false;
        hiAdd = true;
        break; // ASX
      case 6:
        lo = nLo + mHi;
        hi = nHi - mLo;
        loAdd = true;
        hiAdd = false;
        break; // SAX
      default:
        lo = nLo - mLo;
        hi = nHi - mHi;
        loAdd = false;
        hiAdd = false;
        break; // SUB16
    }
    res = lane(lo, 16, signed, mode, loAdd, 0b0011, 0) | lane(hi, 16, signed, mode, hiAdd, 0b1100, 16);
  }
  cpu.r[rd(w)] = res;
  if (mode === Mode.Modular) cpu.ge = GE;
  cpu.cycles += 1;
}

export const PAR_S: Handler = (cpu, w) => parallel(cpu, w, true, Mode.Modular);
export const PAR_Q: Handler = (cpu, w) => parallel(cpu, w, true, Mode.Saturate);
export const PAR_SH: Handler = (cpu, w) => parallel(cpu, w, true, Mode.Halve);
export const PAR_U: Handler = (cpu, w) => parallel(cpu, w, false, Mode.Modular);
export const PAR_UQ: Handler = (cpu, w) => parallel(cpu, w, false, Mode.Saturate);
export const PAR_UH: Handler = (cpu, w) => parallel(cpu, w, false, Mode.Halve);

// ---- saturating arithmetic: QADD Rd, Rm, Rn = SignedSat(Rm + Rn) -------------------------

export const QADD: Handler = (cpu, w) => {
  cpu.r[rd(w)] = signedSatQ(cpu, cpu.r[w & 15] + cpu.r[(w >>> 16) & 15], 32);
  cpu.cycles += 1;
};
export const QSUB: Handler = (cpu, w) => {
  cpu.r[rd(w)] = signedSatQ(cpu, cpu.r[w & 15] - cpu.r[(w >>> 16) & 15], 32);
  cpu.cycles += 1;
};
export const QDADD: Handler = (cpu, w) => {
  const doubled = signedSatQ(cpu, 2 * cpu.r[(w >>> 16) & 15], 32);
  cpu.r[rd(w)] = signedSatQ(cpu, cpu.r[w & 15] + doubled, 32);
  cpu.cycles += 1;
};
export const QDSUB: Handler = (cpu, w) => {
  const doubled = signedSatQ(cpu, 2 * cpu.r[(w >>> 16) & 15], 32);
  cpu.r[rd(w)] = signedSatQ(cpu, cpu.r[w & 15] - doubled, 32);
  cpu.cycles += 1;
};

/** SEL: each byte from Rn where its GE bit is set, else from Rm. */
export const SEL: Handler = (cpu, w) => {
  const ge = cpu.ge;
  const mask = (ge & 1 ? 0xff : 0) | (ge & 2 ? 0xff00 : 0) | (ge & 4 ? 0xff0000 : 0) | (ge & 8 ? 0xff000000 : 0);
  cpu.r[rd(w)] = (cpu.r[(w >>> 16) & 15] & mask) | (cpu.r[w & 15] & ~mask);
  cpu.cycles += 1;
};
