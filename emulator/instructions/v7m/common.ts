// Helpers shared by the ARMv7-M handlers: ThumbExpandImm_C, Shift_C with DecodeImmShift,
// register writes that may target SP, IT-block rules, saturation and the Q flag.
// Pseudocode references are to the ARMv7-M ARM (DDI 0403E), chapters A2, A5 and A7.

import type { Cpu } from '../../cpu.ts';
import { InstructionFault } from '../../fault.ts';

// ---- ThumbExpandImm_C (A5.3.2), as two tables over the 12-bit field i:imm3:imm8 ----------

/** The expanded 32-bit constant of each imm12. */
export const EXPAND_IMM = new Int32Array(4096);
/** The carry out of each imm12: -1 when the carry is unchanged, else 0 or 1. */
export const EXPAND_CARRY = new Int8Array(4096);

for (let imm12 = 0; imm12 < 4096; imm12++) {
  const imm8 = imm12 & 0xff;
  if ((imm12 & 0xc00) === 0) {
    let v: number;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        v = imm8;
        break;
      case 1:
        v = (imm8 << 16) | imm8;
        break;
      case 2:
        v = (imm8 << 24) | (imm8 << 8);
        break;
      default:
        v = (imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8;
        break;
    }
    EXPAND_IMM[imm12] = v;
    EXPAND_CARRY[imm12] = -1;
  } else {
    const unrotated = 0x80 | (imm12 & 0x7f);
    const rot = (imm12 >>> 7) & 31; // 8..31 here
    const v = (unrotated >>> rot) | (unrotated << (32 - rot));
    EXPAND_IMM[imm12] = v;
    EXPAND_CARRY[imm12] = v >>> 31;
  }
}

/** The imm12 field (i:imm3:imm8) of a 32-bit data-processing immediate instruction. */
export function imm12Of(w: number): number {
  return ((w >>> 15) & 0x800) | ((w >>> 4) & 0x700) | (w & 0xff);
}

// ---- Shift / Shift_C with DecodeImmShift (A7.4.2) ----------------------------------------

/** Shift(x, DecodeImmShift(type, imm5), C): the operand of an arithmetic shifted-register op. */
export function shiftImm(cpu: Cpu, x: number, type: number, imm5: number): number {
  switch (type) {
    case 0:
      return x << imm5;
    case 1:
      return imm5 === 0 ? 0 : x >>> imm5;
    case 2:
      return x >> (imm5 === 0 ? 31 : imm5);
    default:
      if (imm5 === 0) return (cpu.fC << 31) | (x >>> 1); // RRX
      return (x >>> imm5) | (x << (32 - imm5));
  }
}

/** Shift_C(x, DecodeImmShift(type, imm5), C), writing the carry out to APSR.C (for S forms). */
export function shiftImmC(cpu: Cpu, x: number, type: number, imm5: number): number {
  switch (type) {
    case 0:
      if (imm5 === 0) return x;
      cpu.fC = (x >>> (32 - imm5)) & 1;
      return x << imm5;
    case 1:
      if (imm5 === 0) {
        cpu.fC = x >>> 31;
        return 0;
      }
      cpu.fC = (x >>> (imm5 - 1)) & 1;
      return x >>> imm5;
    case 2:
      if (imm5 === 0) {
        cpu.fC = x >>> 31;
        return x >> 31;
      }
      cpu.fC = (x >>> (imm5 - 1)) & 1;
      return x >> imm5;
    default: {
      if (imm5 === 0) {
        const r = (cpu.fC << 31) | (x >>> 1);
        cpu.fC = x & 1;
        return r;
      }
      const r = (x >>> imm5) | (x << (32 - imm5));
      cpu.fC = r >>> 31;
      return r;
    }
  }
}

/** Shift_C with a register amount (the bottom byte of Rm, 0–255), for LSL/LSR/ASR/ROR (register). */
export function shiftRegC(cpu: Cpu, x: number, type: number, n: number, setflags: boolean): number {
  if (n === 0) return x;
  let r: number, c: number;
  switch (type) {
    case 0:
      if (n < 32) {
        c = (x >>> (32 - n)) & 1;
        r = x << n;
      } else {
        c = n === 32 ? x & 1 : 0;
        r = 0;
      }
      break;
    case 1:
      if (n < 32) {
        c = (x >>> (n - 1)) & 1;
        r = x >>> n;
      } else {
        c = n === 32 ? x >>> 31 : 0;
        r = 0;
      }
      break;
    case 2:
      if (n < 32) {
        c = (x >>> (n - 1)) & 1;
        r = x >> n;
      } else {
        c = x >>> 31;
        r = x >> 31;
      }
      break;
    default: {
      const k = n & 31;
      r = k === 0 ? x : (x >>> k) | (x << (32 - k));
      c = r >>> 31;
    }
  }
  if (setflags) cpu.fC = c;
  return r;
}

// ---- register writes ---------------------------------------------------------------------

/** R[d] = v where d may be SP (bits 1:0 cleared, the lowest SP tracked). PC is not allowed here. */
export function writeReg(cpu: Cpu, d: number, v: number): void {
  if (d === 13) cpu.setSP(v);
  else cpu.r[d] = v;
}

// ---- IT blocks (A7.3) --------------------------------------------------------------------

/** UNPREDICTABLE inside an IT block (CBZ, CBNZ, IT, B<cond>): sramlab makes it UNDEFINED. */
export function notInITBlock(cpu: Cpu, what: string): void {
  if (cpu.itstate !== 0) {
    throw new InstructionFault('undefined', `${what} inside an IT block is UNPREDICTABLE (treated as UNDEFINED)`);
  }
}

/** A write to the PC inside an IT block is UNPREDICTABLE unless it is the block's last instruction. */
export function lastInITBlockOrOutside(cpu: Cpu, what: string): void {
  const it = cpu.itstate;
  if (it !== 0 && (it & 0xf) !== 8) {
    throw new InstructionFault(
      'undefined',
      `${what} inside an IT block but not its last instruction is UNPREDICTABLE (treated as UNDEFINED)`,
    );
  }
}

// ---- saturation (A2.2.1) -----------------------------------------------------------------

/** SignedSatQ(x, n) for 1 <= n <= 32, setting APSR.Q when it saturates; x is any JS integer. */
export function signedSatQ(cpu: Cpu, x: number, n: number): number {
  const max = 2 ** (n - 1) - 1,
    min = -(2 ** (n - 1));
  if (x > max) {
    cpu.fQ = 1;
    return max | 0;
  }
  if (x < min) {
    cpu.fQ = 1;
    return min | 0;
  }
  return x | 0;
}

/** UnsignedSatQ(x, n) for 0 <= n <= 31, setting APSR.Q when it saturates. */
export function unsignedSatQ(cpu: Cpu, x: number, n: number): number {
  const max = 2 ** n - 1;
  if (x > max) {
    cpu.fQ = 1;
    return max;
  }
  if (x < 0) {
    cpu.fQ = 1;
    return 0;
  }
  return x;
}

export function popcount16(x: number): number {
  x = x - ((x >>> 1) & 0x5555);
  x = (x & 0x3333) + ((x >>> 2) & 0x3333);
  x = (x + (x >>> 4)) & 0x0f0f;
  return (x + (x >>> 8)) & 0x1f;
}
