// ARMv7-M 32-bit data processing: modified immediate (A5.3.1), plain binary immediate
// (A5.3.3), shifted register (A5.3.11), register-controlled shifts, extends and the
// miscellaneous group (A5.3.12, A5.3.15). Pseudocode from the ARMv7-M ARM (DDI 0403E) §A7.7.
//
// Word layout: w = hw1 << 16 | hw2, so Rn is w<19:16>, S is w<20>, Rd is w<11:8>, Rm is w<3:0>.
// Rd = 15 never reaches these handlers (the compare forms have their own rows and Rd = 15 is
// UNPREDICTABLE otherwise); Rd = 13 only reaches the SP forms and MOV, which use writeReg.
// Every one of them is a single-cycle ALU operation on the Cortex-M3 and M4.

import { addWithCarry, setNZ } from '../alu.ts';
import type { Handler } from '../v6m.ts';
import { EXPAND_CARRY, EXPAND_IMM, imm12Of, shiftImm, shiftImmC, shiftRegC, signedSatQ, unsignedSatQ, writeReg } from './common.ts';

const S = 0x100000;
const rn = (w: number): number => (w >>> 16) & 15;
const rd = (w: number): number => (w >>> 8) & 15;
/** imm3:imm2, the shift amount of a shifted-register operand (and the lsb of the bitfield ops). */
const imm5Of = (w: number): number => ((w >>> 10) & 0x1c) | ((w >>> 6) & 3);

// ---- modified immediate: logical (carry from ThumbExpandImm_C when S) ---------------------

function logicalFlags(cpu: Parameters<Handler>[0], k: number, res: number): void {
  setNZ(cpu, res);
  const c = EXPAND_CARRY[k];
  if (c >= 0) cpu.fC = c;
}

export const AND_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = cpu.r[rn(w)] & EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const TST_imm: Handler = (cpu, w) => {
  const k = imm12Of(w);
  logicalFlags(cpu, k, cpu.r[rn(w)] & EXPAND_IMM[k]);
  cpu.cycles += 1;
};

export const BIC_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = cpu.r[rn(w)] & ~EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const ORR_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = cpu.r[rn(w)] | EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const MOV_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const ORN_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = cpu.r[rn(w)] | ~EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const MVN_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = ~EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const EOR_imm: Handler = (cpu, w) => {
  const k = imm12Of(w),
    res = cpu.r[rn(w)] ^ EXPAND_IMM[k];
  cpu.r[rd(w)] = res;
  if (w & S) logicalFlags(cpu, k, res);
  cpu.cycles += 1;
};

export const TEQ_imm: Handler = (cpu, w) => {
  const k = imm12Of(w);
  logicalFlags(cpu, k, cpu.r[rn(w)] ^ EXPAND_IMM[k]);
  cpu.cycles += 1;
};

// ---- modified immediate: arithmetic ---------------------------------------------------------

export const ADD_imm: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    imm = EXPAND_IMM[imm12Of(w)];
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, imm, 0) : (x + imm) | 0;
  cpu.cycles += 1;
};

export const ADD_sp_imm: Handler = (cpu, w) => {
  const x = cpu.r[13],
    imm = EXPAND_IMM[imm12Of(w)];
  writeReg(cpu, rd(w), w & S ? addWithCarry(cpu, x, imm, 0) : (x + imm) | 0);
  cpu.cycles += 1;
};

export const CMN_imm: Handler = (cpu, w) => {
  addWithCarry(cpu, cpu.r[rn(w)], EXPAND_IMM[imm12Of(w)], 0);
  cpu.cycles += 1;
};

export const ADC_imm: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    imm = EXPAND_IMM[imm12Of(w)];
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, imm, cpu.fC) : (x + imm + cpu.fC) | 0;
  cpu.cycles += 1;
};

export const SBC_imm: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    imm = ~EXPAND_IMM[imm12Of(w)];
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, imm, cpu.fC) : (x + imm + cpu.fC) | 0;
  cpu.cycles += 1;
};

export const SUB_imm: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    imm = EXPAND_IMM[imm12Of(w)];
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, ~imm, 1) : (x - imm) | 0;
  cpu.cycles += 1;
};

export const SUB_sp_imm: Handler = (cpu, w) => {
  const x = cpu.r[13],
    imm = EXPAND_IMM[imm12Of(w)];
  writeReg(cpu, rd(w), w & S ? addWithCarry(cpu, x, ~imm, 1) : (x - imm) | 0);
  cpu.cycles += 1;
};

export const CMP_imm: Handler = (cpu, w) => {
  addWithCarry(cpu, cpu.r[rn(w)], ~EXPAND_IMM[imm12Of(w)], 1);
  cpu.cycles += 1;
};

export const RSB_imm: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    imm = EXPAND_IMM[imm12Of(w)];
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, ~x, imm, 1) : (imm - x) | 0;
  cpu.cycles += 1;
};

// ---- plain binary immediate ---------------------------------------------------------------

export const ADDW: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] + imm12Of(w)) | 0;
  cpu.cycles += 1;
};

export const ADDW_sp: Handler = (cpu, w) => {
  writeReg(cpu, rd(w), cpu.r[13] + imm12Of(w));
  cpu.cycles += 1;
};

export const SUBW: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] - imm12Of(w)) | 0;
  cpu.cycles += 1;
};

export const SUBW_sp: Handler = (cpu, w) => {
  writeReg(cpu, rd(w), cpu.r[13] - imm12Of(w));
  cpu.cycles += 1;
};

/** ADR: Align(PC, 4) ± imm12. */
export const ADR_add: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (((cpu.pc + 4) & ~3) + imm12Of(w)) | 0;
  cpu.cycles += 1;
};

export const ADR_sub: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (((cpu.pc + 4) & ~3) - imm12Of(w)) | 0;
  cpu.cycles += 1;
};

const imm16Of = (w: number): number => ((w >>> 4) & 0xf000) | imm12Of(w);

export const MOVW: Handler = (cpu, w) => {
  cpu.r[rd(w)] = imm16Of(w);
  cpu.cycles += 1;
};

export const MOVT: Handler = (cpu, w) => {
  const d = rd(w);
  cpu.r[d] = (imm16Of(w) << 16) | (cpu.r[d] & 0xffff);
  cpu.cycles += 1;
};

/** SSAT: operand = Shift(R[n], sh ? ASR : LSL, imm5); R[d] = SignedSatQ(operand, sat_imm + 1). */
export const SSAT: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    sh = imm5Of(w);
  const operand = w & 0x200000 ? x >> sh : x << sh;
  cpu.r[rd(w)] = signedSatQ(cpu, operand, (w & 31) + 1);
  cpu.cycles += 1;
};

export const USAT: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    sh = imm5Of(w);
  const operand = w & 0x200000 ? x >> sh : x << sh;
  cpu.r[rd(w)] = unsignedSatQ(cpu, operand, w & 31);
  cpu.cycles += 1;
};

export const SSAT16: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    n = (w & 15) + 1;
  const lo = signedSatQ(cpu, (x << 16) >> 16, n),
    hi = signedSatQ(cpu, x >> 16, n);
  cpu.r[rd(w)] = (hi << 16) | (lo & 0xffff);
  cpu.cycles += 1;
};

export const USAT16: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    n = w & 15;
  const lo = unsignedSatQ(cpu, (x << 16) >> 16, n),
    hi = unsignedSatQ(cpu, x >> 16, n);
  cpu.r[rd(w)] = (hi << 16) | lo;
  cpu.cycles += 1;
};

export const SBFX: Handler = (cpu, w) => {
  const lsb = imm5Of(w),
    widthm1 = w & 31;
  cpu.r[rd(w)] = (cpu.r[rn(w)] << (31 - lsb - widthm1)) >> (31 - widthm1);
  cpu.cycles += 1;
};

export const UBFX: Handler = (cpu, w) => {
  const lsb = imm5Of(w),
    widthm1 = w & 31;
  cpu.r[rd(w)] = (cpu.r[rn(w)] << (31 - lsb - widthm1)) >>> (31 - widthm1);
  cpu.cycles += 1;
};

/** Bits msb:lsb set. */
const fieldMask = (lsb: number, msb: number): number => (-1 >>> (31 - msb + lsb)) << lsb;

export const BFI: Handler = (cpu, w) => {
  const d = rd(w),
    lsb = imm5Of(w),
    mask = fieldMask(lsb, w & 31);
  cpu.r[d] = (cpu.r[d] & ~mask) | ((cpu.r[rn(w)] << lsb) & mask);
  cpu.cycles += 1;
};

export const BFC: Handler = (cpu, w) => {
  const d = rd(w);
  cpu.r[d] &= ~fieldMask(imm5Of(w), w & 31);
  cpu.cycles += 1;
};

// ---- shifted register --------------------------------------------------------------------

const shifted = (cpu: Parameters<Handler>[0], w: number): number => shiftImm(cpu, cpu.r[w & 15], (w >>> 4) & 3, imm5Of(w));
const shiftedC = (cpu: Parameters<Handler>[0], w: number): number => shiftImmC(cpu, cpu.r[w & 15], (w >>> 4) & 3, imm5Of(w));

export const AND_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = cpu.r[rn(w)] & shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = cpu.r[rn(w)] & shifted(cpu, w);
  cpu.cycles += 1;
};

export const TST_reg: Handler = (cpu, w) => {
  setNZ(cpu, cpu.r[rn(w)] & shiftedC(cpu, w));
  cpu.cycles += 1;
};

export const BIC_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = cpu.r[rn(w)] & ~shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = cpu.r[rn(w)] & ~shifted(cpu, w);
  cpu.cycles += 1;
};

export const ORR_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = cpu.r[rn(w)] | shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = cpu.r[rn(w)] | shifted(cpu, w);
  cpu.cycles += 1;
};

/** MOV (register) and LSL/LSR/ASR/ROR/RRX (immediate): Rd may be SP when S = 0 and there is no shift. */
export const MOV_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else writeReg(cpu, rd(w), shifted(cpu, w));
  cpu.cycles += 1;
};

export const ORN_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = cpu.r[rn(w)] | ~shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = cpu.r[rn(w)] | ~shifted(cpu, w);
  cpu.cycles += 1;
};

export const MVN_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = ~shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = ~shifted(cpu, w);
  cpu.cycles += 1;
};

export const EOR_reg: Handler = (cpu, w) => {
  if (w & S) {
    const res = cpu.r[rn(w)] ^ shiftedC(cpu, w);
    cpu.r[rd(w)] = res;
    setNZ(cpu, res);
  } else cpu.r[rd(w)] = cpu.r[rn(w)] ^ shifted(cpu, w);
  cpu.cycles += 1;
};

export const TEQ_reg: Handler = (cpu, w) => {
  setNZ(cpu, cpu.r[rn(w)] ^ shiftedC(cpu, w));
  cpu.cycles += 1;
};

/** PKHBT: (Rm LSL imm)<31:16> : Rn<15:0>; PKHTB: Rn<31:16> : (Rm ASR imm)<15:0> (imm 0 means 32). */
export const PKH: Handler = (cpu, w) => {
  const n = cpu.r[rn(w)],
    m = cpu.r[w & 15],
    sh = imm5Of(w);
  cpu.r[rd(w)] = w & 0x20 ? (n & 0xffff0000) | ((m >> (sh === 0 ? 31 : sh)) & 0xffff) : ((m << sh) & 0xffff0000) | (n & 0xffff);
  cpu.cycles += 1;
};

export const ADD_reg: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    y = shifted(cpu, w);
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, y, 0) : (x + y) | 0;
  cpu.cycles += 1;
};

export const ADD_sp_reg: Handler = (cpu, w) => {
  const x = cpu.r[13],
    y = shifted(cpu, w);
  writeReg(cpu, rd(w), w & S ? addWithCarry(cpu, x, y, 0) : (x + y) | 0);
  cpu.cycles += 1;
};

export const CMN_reg: Handler = (cpu, w) => {
  addWithCarry(cpu, cpu.r[rn(w)], shifted(cpu, w), 0);
  cpu.cycles += 1;
};

export const ADC_reg: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    y = shifted(cpu, w);
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, y, cpu.fC) : (x + y + cpu.fC) | 0;
  cpu.cycles += 1;
};

export const SBC_reg: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    y = ~shifted(cpu, w);
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, y, cpu.fC) : (x + y + cpu.fC) | 0;
  cpu.cycles += 1;
};

export const SUB_reg: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    y = shifted(cpu, w);
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, x, ~y, 1) : (x - y) | 0;
  cpu.cycles += 1;
};

export const SUB_sp_reg: Handler = (cpu, w) => {
  const x = cpu.r[13],
    y = shifted(cpu, w);
  writeReg(cpu, rd(w), w & S ? addWithCarry(cpu, x, ~y, 1) : (x - y) | 0);
  cpu.cycles += 1;
};

export const CMP_reg: Handler = (cpu, w) => {
  addWithCarry(cpu, cpu.r[rn(w)], ~shifted(cpu, w), 1);
  cpu.cycles += 1;
};

export const RSB_reg: Handler = (cpu, w) => {
  const x = cpu.r[rn(w)],
    y = shifted(cpu, w);
  cpu.r[rd(w)] = w & S ? addWithCarry(cpu, ~x, y, 1) : (y - x) | 0;
  cpu.cycles += 1;
};

// ---- register-controlled shifts (LSL/LSR/ASR/ROR .W) --------------------------------------

export const SHIFT_reg: Handler = (cpu, w) => {
  const setflags = (w & S) !== 0;
  const res = shiftRegC(cpu, cpu.r[rn(w)], (w >>> 21) & 3, cpu.r[w & 15] & 0xff, setflags);
  cpu.r[rd(w)] = res;
  if (setflags) setNZ(cpu, res);
  cpu.cycles += 1;
};

// ---- extend and extend-and-add: ROR(R[m], 8 * rotate) -------------------------------------

const rotated = (cpu: Parameters<Handler>[0], w: number): number => {
  const x = cpu.r[w & 15],
    rot = (w >>> 1) & 0x18;
  return rot === 0 ? x : (x >>> rot) | (x << (32 - rot));
};

export const SXTAH: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] + ((rotated(cpu, w) << 16) >> 16)) | 0;
  cpu.cycles += 1;
};
export const SXTH: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (rotated(cpu, w) << 16) >> 16;
  cpu.cycles += 1;
};
export const UXTAH: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] + (rotated(cpu, w) & 0xffff)) | 0;
  cpu.cycles += 1;
};
export const UXTH: Handler = (cpu, w) => {
  cpu.r[rd(w)] = rotated(cpu, w) & 0xffff;
  cpu.cycles += 1;
};
export const SXTAB: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] + ((rotated(cpu, w) << 24) >> 24)) | 0;
  cpu.cycles += 1;
};
export const SXTB: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (rotated(cpu, w) << 24) >> 24;
  cpu.cycles += 1;
};
export const UXTAB: Handler = (cpu, w) => {
  cpu.r[rd(w)] = (cpu.r[rn(w)] + (rotated(cpu, w) & 0xff)) | 0;
  cpu.cycles += 1;
};
export const UXTB: Handler = (cpu, w) => {
  cpu.r[rd(w)] = rotated(cpu, w) & 0xff;
  cpu.cycles += 1;
};

export const SXTAB16: Handler = (cpu, w) => {
  const x = rotated(cpu, w),
    n = cpu.r[rn(w)];
  const lo = (n + ((x << 24) >> 24)) & 0xffff,
    hi = ((n >>> 16) + ((x << 8) >> 24)) & 0xffff;
  cpu.r[rd(w)] = (hi << 16) | lo;
  cpu.cycles += 1;
};
export const SXTB16: Handler = (cpu, w) => {
  const x = rotated(cpu, w);
  cpu.r[rd(w)] = ((((x << 8) >> 24) & 0xffff) << 16) | (((x << 24) >> 24) & 0xffff);
  cpu.cycles += 1;
};
export const UXTAB16: Handler = (cpu, w) => {
  const x = rotated(cpu, w),
    n = cpu.r[rn(w)];
  const lo = (n + (x & 0xff)) & 0xffff,
    hi = ((n >>> 16) + ((x >>> 16) & 0xff)) & 0xffff;
  cpu.r[rd(w)] = (hi << 16) | lo;
  cpu.cycles += 1;
};
export const UXTB16: Handler = (cpu, w) => {
  cpu.r[rd(w)] = rotated(cpu, w) & 0x00ff00ff;
  cpu.cycles += 1;
};

// ---- miscellaneous: byte reversal, bit reversal, count leading zeros ----------------------

export const REV_W: Handler = (cpu, w) => {
  const x = cpu.r[w & 15];
  cpu.r[rd(w)] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
  cpu.cycles += 1;
};
export const REV16_W: Handler = (cpu, w) => {
  const x = cpu.r[w & 15];
  cpu.r[rd(w)] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
  cpu.cycles += 1;
};
export const REVSH_W: Handler = (cpu, w) => {
  const x = cpu.r[w & 15];
  cpu.r[rd(w)] = (((x & 0xff) << 24) >> 16) | ((x >>> 8) & 0xff);
  cpu.cycles += 1;
};
export const RBIT: Handler = (cpu, w) => {
  let x = cpu.r[w & 15];
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  cpu.r[rd(w)] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
  cpu.cycles += 1;
};
export const CLZ: Handler = (cpu, w) => {
  cpu.r[rd(w)] = Math.clz32(cpu.r[w & 15]);
  cpu.cycles += 1;
};
