// A small Thumb encoder for tests: one function per ARMv6-M encoding (ARMv6-M ARM, DDI 0419E,
// §A6.7). 16-bit instructions come back as a halfword, 32-bit ones as [hw1, hw2]. Every field
// is range-checked, so a test cannot silently build a different instruction than it names.
// Branch and PC-relative offsets are the ARM ARM's imm32: relative to Align(PC, 4) for
// LDR (literal) and ADR, to the instruction's address + 4 for branches.

export type Insn = number | readonly [number, number];

function check(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} ${value} is outside ${min}..${max}`);
  }
  return value;
}

function scaled(value: number, scale: number, max: number, what: string): number {
  if (value % scale !== 0) throw new RangeError(`${what} ${value} is not a multiple of ${scale}`);
  return check(value, 0, max, what) / scale;
}

const lo = (r: number): number => check(r, 0, 7, 'low register');
const reg = (r: number): number => check(r, 0, 15, 'register');

/** Register-list bits for r0–r7; an empty list is allowed here (tests decide what is legal). */
function lowList(list: readonly number[]): number {
  return list.reduce((bits, r) => bits | (1 << lo(r)), 0);
}

// ---- A5.2.1 shift (immediate), add, subtract, move, compare -------------------------------

const shiftImm = (op: number, rd: number, rm: number, imm5: number): number => (op << 11) | (imm5 << 6) | (lo(rm) << 3) | lo(rd);

export const lsls_imm = (rd: number, rm: number, imm: number): number => shiftImm(0, rd, rm, check(imm, 0, 31, 'shift'));
/** Shift 1..32; 32 is encoded as 0. */
export const lsrs_imm = (rd: number, rm: number, imm: number): number => shiftImm(1, rd, rm, check(imm, 1, 32, 'shift') & 31);
export const asrs_imm = (rd: number, rm: number, imm: number): number => shiftImm(2, rd, rm, check(imm, 1, 32, 'shift') & 31);

const addSub3 = (op: number, rd: number, rn: number, x: number): number => (0b000110 << 10) | (op << 9) | (x << 6) | (lo(rn) << 3) | lo(rd);

export const adds_reg = (rd: number, rn: number, rm: number): number => addSub3(0b00, rd, rn, lo(rm));
export const subs_reg = (rd: number, rn: number, rm: number): number => addSub3(0b01, rd, rn, lo(rm));
export const adds_imm3 = (rd: number, rn: number, imm: number): number => addSub3(0b10, rd, rn, check(imm, 0, 7, 'imm3'));
export const subs_imm3 = (rd: number, rn: number, imm: number): number => addSub3(0b11, rd, rn, check(imm, 0, 7, 'imm3'));

const imm8Op = (op: number, r: number, imm: number): number => (0b001 << 13) | (op << 11) | (lo(r) << 8) | check(imm, 0, 255, 'imm8');

export const movs_imm = (rd: number, imm: number): number => imm8Op(0, rd, imm);
export const cmp_imm = (rn: number, imm: number): number => imm8Op(1, rn, imm);
export const adds_imm8 = (rdn: number, imm: number): number => imm8Op(2, rdn, imm);
export const subs_imm8 = (rdn: number, imm: number): number => imm8Op(3, rdn, imm);

// ---- A5.2.2 data processing (register) ----------------------------------------------------

const dp = (op: number, rdn: number, rm: number): number => (0b010000 << 10) | (op << 6) | (lo(rm) << 3) | lo(rdn);

export const ands = (rdn: number, rm: number): number => dp(0x0, rdn, rm);
export const eors = (rdn: number, rm: number): number => dp(0x1, rdn, rm);
export const lsls_reg = (rdn: number, rm: number): number => dp(0x2, rdn, rm);
export const lsrs_reg = (rdn: number, rm: number): number => dp(0x3, rdn, rm);
export const asrs_reg = (rdn: number, rm: number): number => dp(0x4, rdn, rm);
export const adcs = (rdn: number, rm: number): number => dp(0x5, rdn, rm);
export const sbcs = (rdn: number, rm: number): number => dp(0x6, rdn, rm);
export const rors = (rdn: number, rm: number): number => dp(0x7, rdn, rm);
export const tst = (rn: number, rm: number): number => dp(0x8, rn, rm);
/** RSBS Rd, Rn, #0 (NEGS). */
export const rsbs = (rd: number, rn: number): number => dp(0x9, rd, rn);
export const cmp_reg = (rn: number, rm: number): number => dp(0xa, rn, rm);
export const cmn = (rn: number, rm: number): number => dp(0xb, rn, rm);
export const orrs = (rdn: number, rm: number): number => dp(0xc, rdn, rm);
/** MULS Rdm, Rn, Rdm. */
export const muls = (rdm: number, rn: number): number => dp(0xd, rdm, rn);
export const bics = (rdn: number, rm: number): number => dp(0xe, rdn, rm);
export const mvns = (rd: number, rm: number): number => dp(0xf, rd, rm);

// ---- A5.2.3 special data instructions and branch and exchange -----------------------------

const special = (op: number, rdn: number, rm: number): number =>
  (0b010001 << 10) | (op << 8) | ((reg(rdn) >> 3) << 7) | (reg(rm) << 3) | (rdn & 7);

export const add_hi = (rdn: number, rm: number): number => special(0, rdn, rm);
export const cmp_hi = (rn: number, rm: number): number => special(1, rn, rm);
export const mov_hi = (rd: number, rm: number): number => special(2, rd, rm);
export const bx = (rm: number): number => 0x4700 | (reg(rm) << 3);
export const blx = (rm: number): number => 0x4780 | (reg(rm) << 3);

// ---- A5.2.4 load/store single data item ---------------------------------------------------

export const ldr_lit = (rt: number, imm: number): number => 0x4800 | (lo(rt) << 8) | scaled(imm, 4, 1020, 'offset');

const ldstReg = (op: number, rt: number, rn: number, rm: number): number =>
  (0b0101 << 12) | (op << 9) | (lo(rm) << 6) | (lo(rn) << 3) | lo(rt);

export const str_reg = (rt: number, rn: number, rm: number): number => ldstReg(0, rt, rn, rm);
export const strh_reg = (rt: number, rn: number, rm: number): number => ldstReg(1, rt, rn, rm);
export const strb_reg = (rt: number, rn: number, rm: number): number => ldstReg(2, rt, rn, rm);
export const ldrsb_reg = (rt: number, rn: number, rm: number): number => ldstReg(3, rt, rn, rm);
export const ldr_reg = (rt: number, rn: number, rm: number): number => ldstReg(4, rt, rn, rm);
export const ldrh_reg = (rt: number, rn: number, rm: number): number => ldstReg(5, rt, rn, rm);
export const ldrb_reg = (rt: number, rn: number, rm: number): number => ldstReg(6, rt, rn, rm);
export const ldrsh_reg = (rt: number, rn: number, rm: number): number => ldstReg(7, rt, rn, rm);

const ldstImm = (op: number, rt: number, rn: number, imm5: number): number => (op << 11) | (imm5 << 6) | (lo(rn) << 3) | lo(rt);

export const str_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b01100, rt, rn, scaled(imm, 4, 124, 'offset'));
export const ldr_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b01101, rt, rn, scaled(imm, 4, 124, 'offset'));
export const strb_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b01110, rt, rn, check(imm, 0, 31, 'offset'));
export const ldrb_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b01111, rt, rn, check(imm, 0, 31, 'offset'));
export const strh_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b10000, rt, rn, scaled(imm, 2, 62, 'offset'));
export const ldrh_imm = (rt: number, rn: number, imm: number): number => ldstImm(0b10001, rt, rn, scaled(imm, 2, 62, 'offset'));

const rImm8x4 = (op: number, r: number, imm: number): number => (op << 11) | (lo(r) << 8) | scaled(imm, 4, 1020, 'offset');

export const str_sp = (rt: number, imm: number): number => rImm8x4(0b10010, rt, imm);
export const ldr_sp = (rt: number, imm: number): number => rImm8x4(0b10011, rt, imm);

// ---- PC- and SP-relative address generation, SP adjustment --------------------------------

export const adr = (rd: number, imm: number): number => rImm8x4(0b10100, rd, imm);
/** ADD Rd, SP, #imm. */
export const add_rd_sp = (rd: number, imm: number): number => rImm8x4(0b10101, rd, imm);
/** ADD SP, SP, #imm. */
export const add_sp = (imm: number): number => 0xb000 | scaled(imm, 4, 508, 'offset');
/** SUB SP, SP, #imm. */
export const sub_sp = (imm: number): number => 0xb080 | scaled(imm, 4, 508, 'offset');

// ---- A5.2.5 miscellaneous 16-bit instructions ---------------------------------------------

const misc = (base: number, rd: number, rm: number): number => base | (lo(rm) << 3) | lo(rd);

export const sxth = (rd: number, rm: number): number => misc(0xb200, rd, rm);
export const sxtb = (rd: number, rm: number): number => misc(0xb240, rd, rm);
export const uxth = (rd: number, rm: number): number => misc(0xb280, rd, rm);
export const uxtb = (rd: number, rm: number): number => misc(0xb2c0, rd, rm);
export const rev = (rd: number, rm: number): number => misc(0xba00, rd, rm);
export const rev16 = (rd: number, rm: number): number => misc(0xba40, rd, rm);
export const revsh = (rd: number, rm: number): number => misc(0xbac0, rd, rm);

/** PUSH {list, lr?}. */
export const push = (list: readonly number[], lr = false): number => 0xb400 | (lr ? 0x100 : 0) | lowList(list);
/** POP {list, pc?}. */
export const pop = (list: readonly number[], pc = false): number => 0xbc00 | (pc ? 0x100 : 0) | lowList(list);

export const cpsie = (): number => 0xb662;
export const cpsid = (): number => 0xb672;
export const bkpt = (imm: number): number => 0xbe00 | check(imm, 0, 255, 'imm8');

/** Hint n (0 NOP, 1 YIELD, 2 WFE, 3 WFI, 4 SEV; 5–15 are unallocated hints). */
export const hint = (n: number): number => 0xbf00 | (check(n, 0, 15, 'hint') << 4);
export const nop = (): number => hint(0);
export const yield_ = (): number => hint(1);
export const wfe = (): number => hint(2);
export const wfi = (): number => hint(3);
export const sev = (): number => hint(4);

// ---- multiple loads and stores, branches, supervisor call ----------------------------------

/** STM Rn!, {list} (always writes back). */
export const stm = (rn: number, list: readonly number[]): number => 0xc000 | (lo(rn) << 8) | lowList(list);
/** LDM Rn{!}, {list}: writes back exactly when Rn is not in the list. */
export const ldm = (rn: number, list: readonly number[]): number => 0xc800 | (lo(rn) << 8) | lowList(list);

export const COND = {
  eq: 0,
  ne: 1,
  cs: 2,
  hs: 2,
  cc: 3,
  lo: 3,
  mi: 4,
  pl: 5,
  vs: 6,
  vc: 7,
  hi: 8,
  ls: 9,
  ge: 10,
  lt: 11,
  gt: 12,
  le: 13,
} as const;
export type CondName = keyof typeof COND;

/** imm = offset / 2 as a bits-wide two's-complement field; offset is -2^bits..2^bits - 2. */
const branchOffset = (offset: number, bits: number): number => {
  if (offset % 2 !== 0) throw new RangeError(`branch offset ${offset} is odd`);
  const span = 2 ** bits;
  return (check(offset, -span, span - 2, 'branch offset') >> 1) & (span - 1);
};

/** B<cond> to PC + 4 + offset (offset -256..254). */
export const b_cond = (cond: CondName | number, offset: number): number => {
  const c = typeof cond === 'number' ? check(cond, 0, 15, 'condition') : COND[cond];
  return 0xd000 | (c << 8) | branchOffset(offset, 8);
};
export const udf = (imm: number): number => 0xde00 | check(imm, 0, 255, 'imm8');
export const svc = (imm: number): number => 0xdf00 | check(imm, 0, 255, 'imm8');
/** B to PC + 4 + offset (offset -2048..2046). */
export const b = (offset: number): number => 0xe000 | branchOffset(offset, 11);

// ---- A5.3 32-bit instructions ----------------------------------------------------------------

/** BL to PC + 4 + offset (offset -16777216..16777214); J1 = NOT(I1 XOR S), J2 = NOT(I2 XOR S). */
export function bl(offset: number): [number, number] {
  const imm = branchOffset(offset, 24); // imm24 = offset >> 1, two's complement in 24 bits
  const s = (imm >>> 23) & 1,
    i1 = (imm >>> 22) & 1,
    i2 = (imm >>> 21) & 1;
  const j1 = ~(i1 ^ s) & 1,
    j2 = ~(i2 ^ s) & 1;
  return [0xf000 | (s << 10) | ((imm >>> 11) & 0x3ff), 0xd000 | (j1 << 13) | (j2 << 11) | (imm & 0x7ff)];
}

/** SYSm numbers of MRS/MSR (ARMv6-M ARM §B4.2.3). */
export const SYSM = {
  apsr: 0,
  iapsr: 1,
  eapsr: 2,
  xpsr: 3,
  ipsr: 5,
  epsr: 6,
  iepsr: 7,
  msp: 8,
  psp: 9,
  primask: 16,
  control: 20,
} as const;
export type SysmName = keyof typeof SYSM;

const sysm = (s: SysmName | number): number => (typeof s === 'number' ? check(s, 0, 255, 'SYSm') : SYSM[s]);

export const msr = (s: SysmName | number, rn: number): [number, number] => [0xf380 | reg(rn), 0x8800 | sysm(s)];
export const mrs = (rd: number, s: SysmName | number): [number, number] => [0xf3ef, 0x8000 | (reg(rd) << 8) | sysm(s)];

const barrier = (op: number, option: number): [number, number] => [0xf3bf, 0x8f00 | (op << 4) | check(option, 0, 15, 'option')];

export const dsb = (option = 15): [number, number] => barrier(4, option);
export const dmb = (option = 15): [number, number] => barrier(5, option);
export const isb = (option = 15): [number, number] => barrier(6, option);

/** UDF.W #imm16. */
export const udf_w = (imm: number): [number, number] => {
  check(imm, 0, 0xffff, 'imm16');
  return [0xf7f0 | (imm >>> 12), 0xa000 | (imm & 0xfff)];
};

// ---- helpers ---------------------------------------------------------------------------------

/** Instructions as halfwords in memory order. */
export function halfwords(...insns: Insn[]): number[] {
  return insns.flatMap((i) => (typeof i === 'number' ? [i] : [i[0], i[1]]));
}

/** Halfwords as little-endian bytes. */
export function toBytes(hws: readonly number[]): Uint8Array {
  const out = new Uint8Array(hws.length * 2);
  hws.forEach((h, k) => {
    out[2 * k] = h & 0xff;
    out[2 * k + 1] = h >>> 8;
  });
  return out;
}
