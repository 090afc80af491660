// The ARMv6-M golden cases as specifications: code, initial registers and memory, but no
// expected values. record-v6m.ts runs each on Unicorn and stores what the reference did.
// Cases stay clear of UNPREDICTABLE forms (the table's rules, SP with bits[1:0] set, faults
// in the middle of LDM/STM/PUSH/POP) and of the reference deviations in DEVIATIONS.md.

import * as T from '../support/thumb.ts';
import { UNDEFINED_GROUP } from './harness.ts';

export interface Init {
  /** Registers that differ from the defaults (see DEFAULT_REGS). */
  r?: Record<number, number>;
  /** Flags set to 1, e.g. 'ZC'; the others start at 0. */
  flags?: string;
  primask?: number;
  control?: number;
  /** Memory presets: address → bytes (in address order). */
  mem?: [number, number[]][];
  /** Code address (default CODE). */
  at?: number;
}

export interface Spec {
  encoding: string;
  name: string;
  code: T.Insn[];
  /** Index in `code` of the instruction the case is about (default: the last). */
  under?: number;
  init: Init;
}

export const CODE = 0x1000;
export const CODE2 = 0x1002;
export const DATA = 0x2000_1000;
export const SP0 = 0x2000_1f80;
/** Flash that is not code: for loads from flash and stores to it. */
export const FLASH_DATA = 0x800;
export const UNMAPPED = 0x1000_0000;
export const SRAM_END = 0x2000_8000;
export const SRAM_CODE = 0x2000_0000;

/** r0–r12 = 0x11111111 × (k+1), SP = SP0, LR an address-like odd value. */
export const DEFAULT_REGS: readonly number[] = [
  ...Array.from({ length: 13 }, (_, k) => Math.imul(0x11111111, k + 1) >>> 0),
  SP0,
  0x0000_2469,
];

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const words = (...vs: number[]): number[] => vs.flatMap(le32);

const specs: Spec[] = [];

/** Several instructions run in order (setup first); a bare Insn is a one-instruction case. */
interface Seq {
  seq: T.Insn[];
}
const seq = (...insns: T.Insn[]): Seq => ({ seq: insns });

const add = (encoding: string, name: string, code: T.Insn | Seq, init: Init = {}, under?: number): void => {
  const list = typeof code === 'object' && 'seq' in code ? code.seq : [code as T.Insn];
  specs.push(under === undefined ? { encoding, name, code: list, init } : { encoding, name, code: list, init, under });
};

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

// ---- operand corner values -------------------------------------------------------------------

const PAIRS: [number, number][] = [
  [0, 0],
  [1, 1],
  [0x7fffffff, 1],
  [0x80000000, 0x80000000],
  [0xffffffff, 1],
  [0xffffffff, 0xffffffff],
  [0x80000000, 1],
  [0, 1],
  [0x7fffffff, 0xffffffff],
  [0x12345678, 0x12345678],
];

// ---- A5.2.1 shift (immediate), add, subtract, move, compare ----------------------------------

function shiftImmediate(): void {
  const lsl: [number, number, string][] = [
    [0x80000001, 0, 'C'],
    [0x80000001, 0, ''],
    [0x80000001, 1, ''],
    [0x40000000, 1, 'C'],
    [0x00000001, 31, 'C'],
    [0x00000003, 31, ''],
    [0, 5, 'NCV'],
  ];
  for (const [v, n, f] of lsl) add('LSLS (immediate)', `${hex(v)} << ${n}, flags '${f}'`, T.lsls_imm(0, 1, n), { r: { 1: v }, flags: f });
  const lsr: [number, number][] = [
    [0x80000001, 1],
    [0x80000000, 31],
    [0x80000000, 32],
    [0x7fffffff, 32],
    [0xffffffff, 31],
    [1, 1],
  ];
  for (const [v, n] of lsr) add('LSRS (immediate)', `${hex(v)} >> ${n}`, T.lsrs_imm(2, 3, n), { r: { 3: v }, flags: 'V' });
  const asr: [number, number][] = [
    [0x80000000, 1],
    [0x80000000, 31],
    [0x80000000, 32],
    [0x7fffffff, 32],
    [0x40000001, 1],
    [0x7fffffff, 31],
  ];
  for (const [v, n] of asr) add('ASRS (immediate)', `${hex(v)} >> ${n}`, T.asrs_imm(7, 7, n), { r: { 7: v }, flags: 'ZC' });
}

function addSubtract(): void {
  for (const [a, b] of PAIRS) {
    add('ADDS (register)', `${hex(a)} + ${hex(b)}`, T.adds_reg(0, 1, 2), { r: { 1: a, 2: b } });
    add('SUBS (register)', `${hex(a)} - ${hex(b)}`, T.subs_reg(3, 4, 5), { r: { 4: a, 5: b }, flags: 'NZCV' });
  }
  add('ADDS (register)', 'rd = rn = rm', T.adds_reg(6, 6, 6), { r: { 6: 0xc0000000 } });
  add('SUBS (register)', 'rd = rn = rm', T.subs_reg(7, 7, 7), { r: { 7: 0x80000000 } });
  const imm3: [number, number][] = [
    [0, 0],
    [0xffffffff, 1],
    [0x7fffffff, 7],
    [0x80000000, 0],
    [0xfffffff9, 7],
    [5, 3],
  ];
  for (const [v, i] of imm3) {
    add('ADDS (immediate, T1)', `${hex(v)} + ${i}`, T.adds_imm3(1, 2, i), { r: { 2: v }, flags: 'NV' });
    add('SUBS (immediate, T1)', `${hex(v)} - ${i}`, T.subs_imm3(1, 2, i), { r: { 2: v } });
  }
  add('SUBS (immediate, T1)', '0x80000000 - 1', T.subs_imm3(0, 0, 1), { r: { 0: 0x80000000 } });
  for (const [i, f] of [
    [0, 'NCV'],
    [1, ''],
    [0x80, 'C'],
    [255, 'Z'],
  ] as const) {
    add('MOVS (immediate)', `#${i}, flags '${f}'`, T.movs_imm(4, i), { flags: f });
  }
  const cmp: [number, number][] = [
    [0, 0],
    [0, 1],
    [0x80000000, 1],
    [0x7fffffff, 255],
    [0xffffffff, 255],
    [5, 5],
    [0x100, 255],
  ];
  for (const [v, i] of cmp) add('CMP (immediate)', `${hex(v)} vs ${i}`, T.cmp_imm(5, i), { r: { 5: v } });
  const imm8: [number, number][] = [
    [0xffffffff, 1],
    [0x7fffffff, 255],
    [0xffffff01, 255],
    [0, 0],
    [0x80000000, 1],
    [0x7fffff01, 255],
  ];
  for (const [v, i] of imm8) {
    add('ADDS (immediate, T2)', `${hex(v)} + ${i}`, T.adds_imm8(6, i), { r: { 6: v } });
    add('SUBS (immediate, T2)', `${hex(v)} - ${i}`, T.subs_imm8(6, i), { r: { 6: v }, flags: 'NZCV' });
  }
  add('SUBS (immediate, T2)', '255 - 255', T.subs_imm8(3, 255), { r: { 3: 255 } });
}

// ---- A5.2.2 data processing (register) -------------------------------------------------------

function logical(): void {
  const pairs: [number, number][] = [
    [0xf0f0f0f0, 0x0f0f0f0f],
    [0xffffffff, 0x80000000],
    [0x12345678, 0],
    [0xa5a5a5a5, 0xa5a5a5a5],
  ];
  const ops = [
    ['ANDS (register)', T.ands],
    ['EORS (register)', T.eors],
    ['ORRS (register)', T.orrs],
    ['BICS (register)', T.bics],
  ] as const;
  for (const [enc, fn] of ops) {
    pairs.forEach(([a, b], k) => {
      add(enc, `${hex(a)}, ${hex(b)}`, fn(0, 1), { r: { 0: a, 1: b }, flags: k % 2 ? 'CV' : 'NZ' });
    });
  }
  for (const v of [0, 0xffffffff, 0x7fffffff]) add('MVNS (register)', `~${hex(v)}`, T.mvns(2, 3), { r: { 3: v }, flags: 'CV' });
  for (const [a, b] of [
    [0xf0f0f0f0, 0x0f0f0f0f],
    [0x80000000, 0xffffffff],
    [3, 2],
  ]) {
    add('TST (register)', `${hex(a)} & ${hex(b)}`, T.tst(4, 5), { r: { 4: a, 5: b }, flags: 'CV' });
  }
  for (const v of [0, 1, 0x80000000, 0x7fffffff, 0xffffffff]) add('RSBS (immediate)', `0 - ${hex(v)}`, T.rsbs(6, 7), { r: { 7: v } });
  const mul: [number, number][] = [
    [3, 5],
    [0xffffffff, 0xffffffff],
    [0x10000, 0x10000],
    [0x80000000, 3],
    [0x12345678, 0x9abcdef0],
    [0x7fffffff, 2],
  ];
  for (const [a, b] of mul) add('MULS', `${hex(a)} * ${hex(b)}`, T.muls(0, 1), { r: { 0: a, 1: b }, flags: 'CV' });
  add('MULS', 'rdm = rn', T.muls(2, 2), { r: { 2: 0xfffe } });
}

function arithmetic(): void {
  for (const [a, b] of PAIRS) {
    add('CMP (register, T1)', `${hex(a)} vs ${hex(b)}`, T.cmp_reg(1, 2), { r: { 1: a, 2: b } });
    add('CMN (register)', `${hex(a)} vs -${hex(b)}`, T.cmn(3, 4), { r: { 3: a, 4: b }, flags: 'NZCV' });
  }
  const carry: [number, number, string][] = [
    [0xffffffff, 0, 'C'],
    [0xffffffff, 0, ''],
    [0x7fffffff, 0, 'C'],
    [0x7fffffff, 1, ''],
    [0x80000000, 0x7fffffff, 'C'],
    [0x80000000, 0x80000000, ''],
    [0, 0, 'C'],
    [0, 0, ''],
    [0xfffffffe, 1, 'C'],
    [0x12345678, 0xedcba987, ''],
  ];
  for (const [a, b, f] of carry) {
    add('ADCS (register)', `${hex(a)} + ${hex(b)} + C, flags '${f}'`, T.adcs(5, 6), { r: { 5: a, 6: b }, flags: f });
    add('SBCS (register)', `${hex(a)} - ${hex(b)} - !C, flags '${f}'`, T.sbcs(5, 6), { r: { 5: a, 6: b }, flags: f });
  }
  add('SBCS (register)', '0 - 0xffffffff - !C', T.sbcs(0, 1), { r: { 0: 0, 1: 0xffffffff }, flags: 'C' });
  add('SBCS (register)', '0x80000000 - 0 - 1', T.sbcs(0, 1), { r: { 0: 0x80000000, 1: 0 } });
  add('ADCS (register)', 'rdn = rm', T.adcs(3, 3), { r: { 3: 0x80000001 }, flags: 'C' });
  add('SBCS (register)', 'rdn = rm', T.sbcs(3, 3), { r: { 3: 0x80000001 } });
}

function shiftRegister(): void {
  const amounts = [0, 1, 31, 32, 33, 255, 256, 0xffffff01];
  const ops: [string, (d: number, m: number) => number, number][] = [
    ['LSLS (register)', T.lsls_reg, 0x80000003],
    ['LSRS (register)', T.lsrs_reg, 0xc0000001],
    ['ASRS (register)', T.asrs_reg, 0x80000001],
    ['RORS (register)', T.rors, 0x80000001],
  ];
  for (const [enc, fn, v] of ops) {
    for (const n of amounts) add(enc, `${hex(v)} by Rm = ${hex(n)}`, fn(0, 1), { r: { 0: v, 1: n }, flags: 'CV' });
    add(enc, `${hex(v)} by 0, C clear`, fn(2, 3), { r: { 2: v, 3: 0 } });
    add(enc, `${hex(v >>> 1)} by 32, C clear`, fn(2, 3), { r: { 2: v >>> 1, 3: 32 } });
    add(enc, 'rdn = rm', fn(4, 4), { r: { 4: 0x21 } });
  }
  add('ASRS (register)', '0x7fffffff by 33', T.asrs_reg(0, 1), { r: { 0: 0x7fffffff, 1: 33 }, flags: 'C' });
  add('RORS (register)', '0 by 7', T.rors(0, 1), { r: { 0: 0, 1: 7 }, flags: 'C' });
}

// ---- A5.2.3 special data instructions and branch and exchange ---------------------------------

function highRegisters(): void {
  const A = 'ADD (register, T2)';
  add(A, 'r8 += r1, flags kept', T.add_hi(8, 1), { r: { 8: 0xffffffff, 1: 1 }, flags: 'NZCV' });
  add(A, 'r1 += r8', T.add_hi(1, 8), { r: { 1: 0x7fffffff, 8: 1 } });
  add(A, 'r8 += r9', T.add_hi(8, 9));
  add(A, 'r0 += r0 (both low)', T.add_hi(0, 0));
  add(A, 'lr += r12', T.add_hi(14, 12));
  add(A, 'sp += r1', T.add_hi(13, 1), { r: { 1: 0x40 } });
  add(A, 'sp -= 8 (sp += 0xfffffff8)', T.add_hi(13, 2), { r: { 2: 0xfffffff8 } });
  add(A, 'r1 += sp', T.add_hi(1, 13), { r: { 1: 0x100 } });
  add(A, 'r2 += pc (word-aligned pc)', T.add_hi(2, 15), { r: { 2: 0x10 } });
  add(A, 'r2 += pc (pc % 4 == 2)', T.add_hi(2, 15), { r: { 2: 0x10 }, at: CODE2 });
  add(A, 'pc += r0 (branch)', T.add_hi(15, 0), { r: { 0: 0x100 } });
  add(A, 'pc += r0, odd sum (bit 0 dropped)', T.add_hi(15, 0), { r: { 0: 0x101 } });
  add(A, 'pc += r8, backwards', T.add_hi(15, 8), { r: { 8: 0xffffff00 } });

  const C = 'CMP (register, T2)';
  add(C, 'r8 == r1', T.cmp_hi(8, 1), { r: { 8: 5, 1: 5 } });
  add(C, 'r1 < r8', T.cmp_hi(1, 8), { r: { 1: 1, 8: 2 } });
  add(C, 'r12 - r0 overflows', T.cmp_hi(12, 0), { r: { 12: 0x80000000, 0: 1 } });
  add(C, 'r9 vs r10', T.cmp_hi(9, 10), { r: { 9: 0x7fffffff, 10: 0xffffffff } });
  add(C, 'sp vs r0', T.cmp_hi(13, 0), { r: { 0: SP0 } });
  add(C, 'r0 vs sp', T.cmp_hi(0, 13), { r: { 0: 0 } });
  add(C, 'lr vs lr', T.cmp_hi(14, 14), { flags: 'NV' });

  const M = 'MOV (register, T1)';
  add(M, 'r8 = r0', T.mov_hi(8, 0), { flags: 'NZCV' });
  add(M, 'r0 = r8', T.mov_hi(0, 8));
  add(M, 'r0 = r1 (both low, flags kept)', T.mov_hi(0, 1), { r: { 1: 0 }, flags: 'N' });
  add(M, 'sp = r0', T.mov_hi(13, 0), { r: { 0: 0x20001000 } });
  add(M, 'r0 = sp', T.mov_hi(0, 13));
  add(M, 'lr = r0', T.mov_hi(14, 0));
  add(M, 'r12 = r12', T.mov_hi(12, 12));
  add(M, 'r0 = pc (word-aligned pc)', T.mov_hi(0, 15));
  add(M, 'r0 = pc (pc % 4 == 2)', T.mov_hi(0, 15), { at: CODE2 });
  add(M, 'pc = r0, odd (branch)', T.mov_hi(15, 0), { r: { 0: 0x1235 } });
  add(M, 'pc = r0, even (branch)', T.mov_hi(15, 0), { r: { 0: 0x1234 } });
  add(M, 'pc = lr', T.mov_hi(15, 14), { r: { 14: 0x2001 } });
  add(M, 'pc = pc', T.mov_hi(15, 15));
}

function branchExchange(): void {
  add('BX', 'bx r0, odd target', T.bx(0), { r: { 0: 0x2001 } });
  add('BX', 'bx r0, even target (T bit cleared)', T.bx(0), { r: { 0: 0x2000 } });
  add('BX', 'bx lr', T.bx(14), { r: { 14: 0x1235 } });
  add('BX', 'bx r8, backwards', T.bx(8), { r: { 8: 0x0801 } });
  add('BX', 'bx to 0xfffffff9 in Thread mode (plain branch)', T.bx(1), { r: { 1: 0xfffffff9 } });
  add('BX', 'bx r2 to SRAM', T.bx(2), { r: { 2: 0x20000101 } });
  add('BLX (register)', 'blx r0, odd target', T.blx(0), { r: { 0: 0x2001 } });
  add('BLX (register)', 'blx r0, even target', T.blx(0), { r: { 0: 0x2000 } });
  add('BLX (register)', 'blx lr (target read before lr is written)', T.blx(14), { r: { 14: 0x3001 } });
  add('BLX (register)', 'blx r9 at pc % 4 == 2', T.blx(9), { r: { 9: 0x0a01 }, at: CODE2 });
}

// ---- A5.2.4 load/store single data item --------------------------------------------------------

function literalAndAdr(): void {
  const lit = (at: number, imm: number): [number, number[]][] => [[(((at + 4) & ~3) + imm) >>> 0, words(0x8badf00d)]];
  add('LDR (literal)', 'offset 0, pc % 4 == 0', T.ldr_lit(0, 0), { mem: lit(CODE, 0) });
  add('LDR (literal)', 'offset 1020, pc % 4 == 0', T.ldr_lit(1, 1020), { mem: lit(CODE, 1020) });
  add('LDR (literal)', 'offset 0, pc % 4 == 2', T.ldr_lit(2, 0), { at: CODE2, mem: lit(CODE2, 0) });
  add('LDR (literal)', 'offset 8, pc % 4 == 2', T.ldr_lit(7, 8), { at: CODE2, mem: lit(CODE2, 8) });
  add('LDR (literal)', 'from code in SRAM', T.ldr_lit(3, 4), { at: SRAM_CODE + 2, mem: lit(SRAM_CODE + 2, 4) });
  add('ADR', 'offset 0, pc % 4 == 0', T.adr(0, 0));
  add('ADR', 'offset 1020, pc % 4 == 0', T.adr(1, 1020));
  add('ADR', 'offset 0, pc % 4 == 2', T.adr(2, 0), { at: CODE2 });
  add('ADR', 'offset 4, pc % 4 == 2', T.adr(7, 4), { at: CODE2, flags: 'NZCV' });
}

type LdSt = (t: number, n: number, m: number) => number;

function loadStoreRegister(): void {
  const at = (base: number, off: number, bytes: number[]): [number, number[]][] => [[(base + off) >>> 0, bytes]];
  const S = (enc: string, fn: LdSt, name: string, base: number, off: number, value = 0xcafef00d): void =>
    add(enc, name, fn(0, 1, 2), { r: { 0: value, 1: base, 2: off } });
  const L = (enc: string, fn: LdSt, name: string, base: number, off: number, bytes: number[] = []): void =>
    add(enc, name, fn(0, 1, 2), { r: { 1: base, 2: off }, mem: bytes.length ? at(base, off, bytes) : [] });

  S('STR (register)', T.str_reg, 'aligned', DATA, 8);
  S('STR (register)', T.str_reg, 'negative offset register', DATA + 0x10, 0xfffffffc);
  S('STR (register)', T.str_reg, 'unaligned (faults)', DATA, 2);
  S('STR (register)', T.str_reg, 'to flash (faults)', FLASH_DATA, 0);
  S('STR (register)', T.str_reg, 'to unmapped (faults)', UNMAPPED, 4);
  S('STR (register)', T.str_reg, 'just past SRAM (faults)', SRAM_END - 4, 4);
  S('STR (register)', T.str_reg, 'last SRAM word', SRAM_END - 8, 4);
  S('STRH (register)', T.strh_reg, 'aligned, low half stored', DATA, 6, 0xffff8001);
  S('STRH (register)', T.strh_reg, 'odd address (faults)', DATA, 1);
  S('STRH (register)', T.strh_reg, 'to flash (faults)', FLASH_DATA, 2);
  S('STRH (register)', T.strh_reg, 'to unmapped (faults)', UNMAPPED, 0);
  S('STRB (register)', T.strb_reg, 'odd address', DATA, 3, 0x123456ff);
  S('STRB (register)', T.strb_reg, 'to flash (faults)', FLASH_DATA, 1);
  S('STRB (register)', T.strb_reg, 'to unmapped (faults)', SRAM_END, 0);
  L('LDRSB (register)', T.ldrsb_reg, '0x80 sign-extends', DATA, 5, [0x80]);
  L('LDRSB (register)', T.ldrsb_reg, '0x7f stays positive', DATA, 6, [0x7f]);
  L('LDRSB (register)', T.ldrsb_reg, '0xff from flash', FLASH_DATA, 1, [0xff]);
  L('LDRSB (register)', T.ldrsb_reg, 'from unmapped (faults)', UNMAPPED, 0);
  L('LDR (register)', T.ldr_reg, 'aligned', DATA, 12, words(0x89abcdef));
  L('LDR (register)', T.ldr_reg, 'from flash', FLASH_DATA, 4, words(0x01234567));
  L('LDR (register)', T.ldr_reg, 'unaligned (faults)', DATA, 1);
  L('LDR (register)', T.ldr_reg, 'halfword-aligned (faults)', DATA, 2);
  L('LDR (register)', T.ldr_reg, 'from unmapped (faults)', UNMAPPED, 0);
  L('LDR (register)', T.ldr_reg, 'from SCS address (unmapped here, faults)', 0xe000e010, 0);
  add('STR (register)', 'rt = rn stores the base', T.str_reg(1, 1, 2), { r: { 1: DATA, 2: 0x24 } });
  add('STRB (register)', 'rt = rm', T.strb_reg(2, 1, 2), { r: { 1: DATA, 2: 0x29 } });
  // Unaligned and unmapped at once: the ARM ARM checks alignment first (DEVIATIONS.md).
  L('LDR (register)', T.ldr_reg, 'unaligned and unmapped (faults)', UNMAPPED, 2);
  S('STRH (register)', T.strh_reg, 'odd address in flash (faults)', FLASH_DATA, 1);
  add('LDR (register)', 'rt = rn', T.ldr_reg(1, 1, 2), { r: { 1: DATA, 2: 0x20 }, mem: at(DATA, 0x20, words(0x55aa55aa)) });
  L('LDRH (register)', T.ldrh_reg, '0x8000 zero-extends', DATA, 2, [0x00, 0x80]);
  L('LDRH (register)', T.ldrh_reg, 'odd address (faults)', DATA, 3);
  L('LDRH (register)', T.ldrh_reg, 'from flash', FLASH_DATA, 6, [0xfe, 0xff]);
  L('LDRB (register)', T.ldrb_reg, '0xff zero-extends', DATA, 7, [0xff]);
  L('LDRB (register)', T.ldrb_reg, 'from unmapped (faults)', SRAM_END, 0);
  L('LDRB (register)', T.ldrb_reg, 'negative offset register', DATA + 4, 0xffffffff, [0x81]);
  L('LDRSH (register)', T.ldrsh_reg, '0x8000 sign-extends', DATA, 0x10, [0x00, 0x80]);
  L('LDRSH (register)', T.ldrsh_reg, '0x7fff stays positive', DATA, 0x12, [0xff, 0x7f]);
  L('LDRSH (register)', T.ldrsh_reg, 'odd address (faults)', DATA, 0x11);
}

type LdStImm = (t: number, n: number, imm: number) => number;

function loadStoreImmediate(): void {
  const S = (enc: string, fn: LdStImm, name: string, base: number, imm: number): void =>
    add(enc, name, fn(3, 4, imm), { r: { 3: 0x8765fedc, 4: base } });
  const L = (enc: string, fn: LdStImm, name: string, base: number, imm: number, bytes: number[] = []): void =>
    add(enc, name, fn(5, 6, imm), { r: { 6: base }, mem: bytes.length ? [[base + imm, bytes]] : [] });

  S('STR (immediate, T1)', T.str_imm, 'offset 0', DATA, 0);
  S('STR (immediate, T1)', T.str_imm, 'offset 124', DATA, 124);
  S('STR (immediate, T1)', T.str_imm, 'unaligned base (faults)', DATA + 2, 4);
  S('STR (immediate, T1)', T.str_imm, 'to flash (faults)', FLASH_DATA, 8);
  L('LDR (immediate, T1)', T.ldr_imm, 'offset 0', DATA, 0, words(0xdeadbeef));
  L('LDR (immediate, T1)', T.ldr_imm, 'offset 124', DATA, 124, words(0x00c0ffee));
  L('LDR (immediate, T1)', T.ldr_imm, 'unaligned base (faults)', DATA + 1, 0);
  L('LDR (immediate, T1)', T.ldr_imm, 'below SRAM (faults)', SRAM_CODE - 4, 0);
  S('STRB (immediate)', T.strb_imm, 'offset 0', DATA, 0);
  S('STRB (immediate)', T.strb_imm, 'offset 31', DATA, 31);
  S('STRB (immediate)', T.strb_imm, 'to flash (faults)', FLASH_DATA, 3);
  L('LDRB (immediate)', T.ldrb_imm, 'offset 0', DATA, 0, [0x7e]);
  L('LDRB (immediate)', T.ldrb_imm, 'offset 31, 0xff zero-extends', DATA, 31, [0xff]);
  L('LDRB (immediate)', T.ldrb_imm, 'from unmapped (faults)', UNMAPPED, 1);
  S('STRH (immediate)', T.strh_imm, 'offset 0', DATA, 0);
  S('STRH (immediate)', T.strh_imm, 'offset 62', DATA, 62);
  S('STRH (immediate)', T.strh_imm, 'odd base (faults)', DATA + 1, 2);
  L('LDRH (immediate)', T.ldrh_imm, 'offset 0', DATA, 0, [0x34, 0x12]);
  L('LDRH (immediate)', T.ldrh_imm, 'offset 62, 0xffff zero-extends', DATA, 62, [0xff, 0xff]);
  L('LDRH (immediate)', T.ldrh_imm, 'odd base (faults)', DATA + 3, 0);

  add('STR (immediate, T2)', 'sp + 0', T.str_sp(0, 0), { r: { 0: 0x600dcafe } });
  add('STR (immediate, T2)', 'sp + 1020', T.str_sp(1, 1020), { r: { 1: 0x600dcafe, 13: 0x20001c00 } });
  add('STR (immediate, T2)', 'sp in flash (faults)', T.str_sp(2, 4), { r: { 13: FLASH_DATA } });
  add('LDR (immediate, T2)', 'sp + 0', T.ldr_sp(3, 0), { mem: [[SP0, words(0x13579bdf)]] });
  add('LDR (immediate, T2)', 'sp + 1020', T.ldr_sp(4, 1020), { r: { 13: 0x20001c00 }, mem: [[0x20001ffc, words(0x2468ace0)]] });
  add('LDR (immediate, T2)', 'sp + 8 unmapped (faults)', T.ldr_sp(5, 8), { r: { 13: SRAM_END - 4 } });
}

// ---- SP-relative address generation and adjustment --------------------------------------------

function stackArithmetic(): void {
  add('ADD (SP plus immediate, T1)', 'r0 = sp + 0', T.add_rd_sp(0, 0), { flags: 'NZCV' });
  add('ADD (SP plus immediate, T1)', 'r7 = sp + 1020', T.add_rd_sp(7, 1020));
  add('ADD (SP plus immediate, T1)', 'r3 = sp + 4', T.add_rd_sp(3, 4));
  add('ADD (SP plus immediate, T2)', 'sp += 0', T.add_sp(0));
  add('ADD (SP plus immediate, T2)', 'sp += 4', T.add_sp(4));
  add('ADD (SP plus immediate, T2)', 'sp += 508', T.add_sp(508), { flags: 'ZC' });
  add('ADD (SP plus immediate, T2)', 'sp += 508 wraps', T.add_sp(508), { r: { 13: 0xfffffff0 } });
  add('SUB (SP minus immediate)', 'sp -= 0', T.sub_sp(0));
  add('SUB (SP minus immediate)', 'sp -= 4', T.sub_sp(4));
  add('SUB (SP minus immediate)', 'sp -= 508', T.sub_sp(508), { flags: 'NV' });
  add('SUB (SP minus immediate)', 'sp -= 8 wraps', T.sub_sp(8), { r: { 13: 4 } });
}

// ---- A5.2.5 miscellaneous 16-bit instructions ----------------------------------------------------

function extendAndReverse(): void {
  const cases: [string, (d: number, m: number) => number, number[]][] = [
    ['SXTH', T.sxth, [0x00008000, 0x12347fff, 0xffff0000]],
    ['SXTB', T.sxtb, [0x00000080, 0xabcdef7f, 0xffffff00]],
    ['UXTH', T.uxth, [0xffff8000, 0x12345678, 0x0000ffff]],
    ['UXTB', T.uxtb, [0xffffff80, 0x123456ff, 0x00000100]],
    ['REV', T.rev, [0x12345678, 0x000000ff, 0x80000001]],
    ['REV16', T.rev16, [0x12345678, 0xff0000ff, 0x00800080]],
    ['REVSH', T.revsh, [0x00005680, 0x0000807f, 0xffff0080]],
  ];
  for (const [enc, fn, values] of cases) {
    values.forEach((v, k) => {
      add(enc, hex(v), fn(k, 7), { r: { 7: v }, flags: k === 1 ? 'NZCV' : '' });
    });
    add(enc, 'rd = rm', fn(5, 5), { r: { 5: 0x8081fffe } });
  }
}

function pushPop(): void {
  add('PUSH', 'push {r0}', T.push([0]));
  add('PUSH', 'push {r0-r7, lr}', T.push([0, 1, 2, 3, 4, 5, 6, 7], true));
  add('PUSH', 'push {lr}', T.push([], true));
  add('PUSH', 'push {r4, r5}', T.push([4, 5]));
  add('PUSH', 'push {r1, r7, lr}', T.push([1, 7], true), { flags: 'NZCV' });
  add('PUSH', 'below SRAM (faults)', T.push([0]), { r: { 13: SRAM_CODE } });
  add('PUSH', 'into flash (faults)', T.push([2, 3], true), { r: { 13: FLASH_DATA } });
  const stack = (...vs: number[]): [number, number[]][] => [[SP0, words(...vs)]];
  add('POP', 'pop {r0}', T.pop([0]), { mem: stack(0xa1a2a3a4) });
  add('POP', 'pop {r0-r7}', T.pop([0, 1, 2, 3, 4, 5, 6, 7]), { mem: stack(1, 2, 3, 4, 5, 6, 7, 8) });
  add('POP', 'pop {r4, pc}, odd pc (branch)', T.pop([4], true), { mem: stack(0x44, 0x1235) });
  add('POP', 'pop {pc}, even pc (T bit cleared)', T.pop([], true), { mem: stack(0x1234) });
  add('POP', 'pop {pc} = 0xfffffff9 in Thread mode (plain branch)', T.pop([], true), { mem: stack(0xfffffff9) });
  add('POP', 'pop {r3, r6}, flags kept', T.pop([3, 6]), { flags: 'ZV', mem: stack(0x33, 0x66) });
  add('POP', 'pop {r0-r7, pc}', T.pop([0, 1, 2, 3, 4, 5, 6, 7], true), { mem: stack(1, 2, 3, 4, 5, 6, 7, 8, 0x0f01) });
  add('POP', 'from unmapped (faults)', T.pop([0]), { r: { 13: SRAM_END } });
  add('POP', 'from flash', T.pop([1, 2]), { r: { 13: FLASH_DATA }, mem: [[FLASH_DATA, words(0x11, 0x22)]] });
}

function systemSixteen(): void {
  add('CPS', 'cpsid i, primask 0 -> 1', T.cpsid());
  add('CPS', 'cpsid i, already 1', T.cpsid(), { primask: 1 });
  add('CPS', 'cpsie i, primask 1 -> 0', T.cpsie(), { primask: 1, flags: 'NZCV' });
  add('CPS', 'cpsie i, already 0', T.cpsie());
  add('BKPT', 'bkpt #0', T.bkpt(0));
  add('BKPT', 'bkpt #0xab', T.bkpt(0xab));
  add('SVC', 'svc #0', T.svc(0));
  add('SVC', 'svc #255', T.svc(255), { flags: 'NZCV' });
  add('UDF (T1)', 'udf #0', T.udf(0));
  add('UDF (T1)', 'udf #255', T.udf(255));
  const hints = ['nop', 'yield', 'wfe', 'wfi', 'sev'];
  hints.forEach((h, k) => {
    add('hint', h, T.hint(k));
  });
  for (const k of [5, 15]) add('hint', `unallocated hint #${k} (NOP)`, T.hint(k));
}

// ---- multiple loads and stores -------------------------------------------------------------------

function loadStoreMultiple(): void {
  add('STM (STMIA, STMEA)', 'stm r0!, {r1, r2}', T.stm(0, [1, 2]), { r: { 0: DATA } });
  add('STM (STMIA, STMEA)', 'stm r0!, {r0, r1}: base first in list', T.stm(0, [0, 1]), { r: { 0: DATA + 8 } });
  add('STM (STMIA, STMEA)', 'stm r3!, {r3}', T.stm(3, [3]), { r: { 3: DATA + 0x40 } });
  add('STM (STMIA, STMEA)', 'stm r7!, {r0-r6}', T.stm(7, [0, 1, 2, 3, 4, 5, 6]), { r: { 7: DATA + 0x80 } });
  add('STM (STMIA, STMEA)', 'stm r1!, {r0}: base not in list', T.stm(1, [0]), { r: { 1: DATA + 0xfc } });
  // The word stored for the base is UNKNOWN (not UNPREDICTABLE): Unicorn, like sramlab, stores its old value.
  add('STM (STMIA, STMEA)', 'stm r1!, {r0, r1}: base in list, not first', T.stm(1, [0, 1]), { r: { 1: DATA + 0x20 } });
  add('STM (STMIA, STMEA)', 'stm r0!, {r0-r7}: base first, all registers', T.stm(0, [0, 1, 2, 3, 4, 5, 6, 7]), { r: { 0: DATA + 0xa0 } });
  add('STM (STMIA, STMEA)', 'to flash (faults)', T.stm(2, [0, 1]), { r: { 2: FLASH_DATA } });
  add('STM (STMIA, STMEA)', 'unaligned base (faults)', T.stm(2, [0, 1]), { r: { 2: DATA + 2 } });
  add('STM (STMIA, STMEA)', 'to unmapped (faults)', T.stm(2, [0]), { r: { 2: UNMAPPED } });
  const L = 'LDM (LDMIA, LDMFD)';
  add(L, 'ldm r0!, {r1, r2}', T.ldm(0, [1, 2]), { r: { 0: DATA }, mem: [[DATA, words(0x101, 0x202)]] });
  add(L, 'ldm r0, {r0, r1}: base loaded, no writeback', T.ldm(0, [0, 1]), { r: { 0: DATA + 8 }, mem: [[DATA + 8, words(0x303, 0x404)]] });
  add(L, 'ldm r1, {r0, r1}: base last in list', T.ldm(1, [0, 1]), { r: { 1: DATA + 16 }, mem: [[DATA + 16, words(0x505, 0x606)]] });
  add(L, 'ldm r7!, {r0-r6}', T.ldm(7, [0, 1, 2, 3, 4, 5, 6]), { r: { 7: DATA + 0x20 } });
  add(L, 'ldm r2, {r2}', T.ldm(2, [2]), { r: { 2: DATA + 0x60 }, mem: [[DATA + 0x60, words(0x7777)]] });
  add(L, 'ldm r4, {r0-r7}: base in the middle, no writeback', T.ldm(4, [0, 1, 2, 3, 4, 5, 6, 7]), { r: { 4: DATA + 0xc0 } });
  add(L, 'from flash', T.ldm(3, [4, 5]), { r: { 3: FLASH_DATA }, mem: [[FLASH_DATA, words(0xf1a5, 0xf1a6)]] });
  add(L, 'unaligned base (faults)', T.ldm(3, [4, 5]), { r: { 3: DATA + 1 } });
  add(L, 'from unmapped (faults)', T.ldm(3, [4]), { r: { 3: UNMAPPED } });
}

// ---- branches ------------------------------------------------------------------------------------

/** Per condition: flag settings under which it passes and fails (ARMv6-M ARM, A6.3.1). */
const CONDITIONS: [T.CondName, string[], string[]][] = [
  ['eq', ['Z'], ['', 'NCV']],
  ['ne', ['', 'NCV'], ['Z']],
  ['cs', ['C'], ['']],
  ['cc', [''], ['C']],
  ['mi', ['N'], ['']],
  ['pl', [''], ['N']],
  ['vs', ['V'], ['']],
  ['vc', [''], ['V']],
  ['hi', ['C'], ['ZC', '']],
  ['ls', ['', 'ZC'], ['C']],
  ['ge', ['', 'NV'], ['N', 'V']],
  ['lt', ['N', 'V'], ['', 'NV']],
  ['gt', ['', 'NV'], ['Z', 'N']],
  ['le', ['Z', 'N'], ['', 'NV']],
];

function branches(): void {
  for (const [cond, pass, fail] of CONDITIONS) {
    for (const f of pass) add('B (T1)', `b${cond} taken, flags '${f}'`, T.b_cond(cond, 0x40), { flags: f });
    for (const f of fail) add('B (T1)', `b${cond} not taken, flags '${f}'`, T.b_cond(cond, 0x40), { flags: f });
  }
  add('B (T1)', 'beq taken, max forward (+254)', T.b_cond('eq', 254), { flags: 'Z' });
  add('B (T1)', 'bne taken, max backward (-256)', T.b_cond('ne', -256));
  add('B (T1)', 'bcs taken, offset -4 (to itself)', T.b_cond('cs', -4), { flags: 'C' });
  add('B (T1)', 'bmi taken at pc % 4 == 2', T.b_cond('mi', 6), { flags: 'N', at: CODE2 });
  add('B (T2)', 'offset 0', T.b(0));
  add('B (T2)', 'max forward (+2046)', T.b(2046), { flags: 'NZCV' });
  add('B (T2)', 'max backward (-2048)', T.b(-2048));
  add('B (T2)', 'to itself (-4)', T.b(-4), { at: CODE2 });
  add('BL', 'offset 0', T.bl(0));
  add('BL', 'forward 96', T.bl(96));
  add('BL', 'backward 1004', T.bl(-1004), { at: CODE2 });
  add('BL', 'max forward from SRAM (+16777214)', T.bl(16777214), { at: SRAM_CODE });
  add('BL', 'max backward from SRAM (-16777216)', T.bl(-16777216), { at: SRAM_CODE + 2 });
  add('BL', 'max backward from flash (wraps)', T.bl(-16777216));
  add('BL', 'forward 4 MiB from flash', T.bl(4194300));
}

// ---- A5.3 32-bit instructions --------------------------------------------------------------------

/** Runs `msr psp, r10; msr msp, r11` first, so both stack pointers are known (SPSEL = 0 meanwhile). */
const withStacks = (...code: T.Insn[]): Seq => seq(T.msr('psp', 10), T.msr('msp', 11), ...code);
const STACKS = { 10: 0x20001e00, 11: 0x20001f40 };

function specialRegisters(): void {
  const flagSysm: T.SysmName[] = ['apsr', 'iapsr', 'eapsr', 'xpsr', 'ipsr', 'epsr', 'iepsr'];
  for (const s of flagSysm) add('MSR', `msr ${s}, 0xf0000000`, T.msr(s, 0), { r: { 0: 0xf0000000 } });
  add('MSR', 'msr apsr, 0x57ffffff', T.msr('apsr', 1), { r: { 1: 0x57ffffff } });
  add('MSR', 'msr apsr, 0x07ffffff clears NZCV', T.msr('apsr', 1), { r: { 1: 0x07ffffff }, flags: 'NZCV' });
  // Bit 27 is reserved on ARMv6-M (no Q flag); Unicorn's M0 model stores it (DEVIATIONS.md).
  add('MSR', 'msr apsr, 0x5fffffff (bit 27 set)', T.msr('apsr', 1), { r: { 1: 0x5fffffff } });
  add('MSR', 'msr apsr, 0x08000000, then mrs apsr', seq(T.msr('apsr', 1), T.mrs(2, 'apsr')), { r: { 1: 0x08000000 } }, 0);
  add('MSR', 'msr primask, 1', T.msr('primask', 2), { r: { 2: 1 } });
  add('MSR', 'msr primask, 0xfffffffe (bit 0 only)', T.msr('primask', 2), { r: { 2: 0xfffffffe }, primask: 1 });
  add('MSR', 'msr primask, 0xffffffff', T.msr('primask', 12), { r: { 12: 0xffffffff } });
  add('MSR', 'msr msp with SPSEL = 0 moves sp', T.msr('msp', 3), { r: { 3: 0x20001000 } });
  add('MSR', 'msr psp with SPSEL = 0 (checked by mrs)', seq(T.msr('psp', 3), T.mrs(4, 'psp')), { r: { 3: 0x20001100 } }, 0);
  add('MSR', 'msr control = 2 switches sp to psp', withStacks(T.msr('control', 0)), { r: { 0: 2, ...STACKS } });
  add('MSR', 'msr control = 0 switches sp back to msp', withStacks(T.msr('control', 0), T.msr('control', 1)), {
    r: { 0: 2, 1: 0, ...STACKS },
  });
  add('MSR', 'msr psp with SPSEL = 1 moves sp', withStacks(T.msr('control', 0), T.msr('psp', 1)), {
    r: { 0: 2, 1: 0x20001100, ...STACKS },
  });
  add(
    'MSR',
    'msr msp with SPSEL = 1 (checked by mrs)',
    withStacks(T.msr('control', 0), T.msr('msp', 1), T.mrs(2, 'msp')),
    { r: { 0: 2, 1: 0x20001200, ...STACKS } },
    3,
  );
  add('MSR', 'msr control = 3 (no nPRIV on the Cortex-M0)', withStacks(T.msr('control', 0)), { r: { 0: 3, ...STACKS } });
  add('MSR', 'msr control = 0xfffffffc (reserved bits)', withStacks(T.msr('control', 0)), { r: { 0: 0xfffffffc, ...STACKS } });

  const all: T.SysmName[] = ['apsr', 'iapsr', 'eapsr', 'xpsr', 'ipsr', 'epsr', 'iepsr', 'primask', 'control'];
  for (const s of all) add('MRS', `mrs ${s}, flags NZCV`, T.mrs(0, s), { flags: 'NZCV', primask: 1 });
  add('MRS', 'mrs apsr, flags ZC', T.mrs(12, 'apsr'), { flags: 'ZC' });
  add('MRS', 'mrs primask = 0', T.mrs(1, 'primask'));
  add('MRS', 'mrs control, initial CONTROL = 2', T.mrs(6, 'control'), { control: 2 });
  add('MRS', 'mrs msp, SPSEL = 0', withStacks(T.mrs(1, 'msp')), { r: STACKS });
  add('MRS', 'mrs psp, SPSEL = 0', withStacks(T.mrs(2, 'psp')), { r: STACKS });
  add('MRS', 'mrs msp, SPSEL = 1', withStacks(T.msr('control', 0), T.mrs(3, 'msp')), { r: { 0: 2, ...STACKS } });
  add('MRS', 'mrs psp, SPSEL = 1', withStacks(T.msr('control', 0), T.mrs(4, 'psp')), { r: { 0: 2, ...STACKS } });
  add('MRS', 'mrs control, SPSEL = 1', withStacks(T.msr('control', 0), T.mrs(5, 'control')), { r: { 0: 2, ...STACKS } });

  for (const [name, fn] of [
    ['DSB', T.dsb],
    ['DMB', T.dmb],
    ['ISB', T.isb],
  ] as const) {
    add(name, `${name.toLowerCase()} sy`, fn(), { flags: 'NZCV' });
    add(name, `${name.toLowerCase()} #0 (reserved option, acts as sy)`, fn(0));
  }
  add('UDF (T2)', 'udf.w #0', T.udf_w(0));
  add('UDF (T2)', 'udf.w #0xffff', T.udf_w(0xffff));
}

/** Words that no ARMv6-M row matches: all UNDEFINED on a Cortex-M0. */
function undefinedWords(): void {
  const words32: [string, [number, number]][] = [
    ['ldrex r0, [r0]', [0xe850, 0x0f00]],
    ['strex r1, r2, [r3]', [0xe843, 0x2100]],
    ['mov.w r0, #5', [0xf04f, 0x0005]],
    ['add.w r0, r1, r2', [0xeb01, 0x0002]],
    ['udiv r0, r1, r2', [0xfbb1, 0xf0f2]],
    ['sdiv r0, r1, r2', [0xfb91, 0xf0f2]],
    ['ldr.w r0, [r1]', [0xf8d1, 0x0000]],
    ['b.w (T4)', [0xf000, 0xb800]],
    ['ldrd r0, r1, [r2]', [0xe9d2, 0x0100]],
    ['push.w {r4, lr}', [0xe92d, 0x4010]],
    ['cdp p0 (coprocessor)', [0xee00, 0x0000]],
  ];
  for (const [name, w] of words32) add(UNDEFINED_GROUP, name, w);
  const words16: [string, number][] = [
    ['0xb600 (unallocated misc)', 0xb600],
    ['0xb700 (unallocated misc)', 0xb700],
    ['0xb800 (unallocated misc)', 0xb800],
    ['hlt #0 (0xba80, ARMv8)', 0xba80],
    ['0xbabf (unallocated misc)', 0xbabf],
    // Reference deviations (DEVIATIONS.md): Unicorn's M0 model executes these.
    ['cbz r0 (ARMv7-M)', 0xb100],
    ['cbnz r1 (ARMv7-M)', 0xb909],
    ['it eq (ARMv7-M)', 0xbf08],
    ['setend le (ARMv6, not M)', 0xb650],
    ['setend be (ARMv6, not M)', 0xb658],
  ];
  for (const [name, w] of words16) add(UNDEFINED_GROUP, name, w);
}

/** Short programs, filed under the encoding of their last (or `under`) instruction. */
function sequences(): void {
  add('ADCS (register)', '64-bit add: adds r0, r0, r2; adcs r1, r3', seq(T.adds_reg(0, 0, 2), T.adcs(1, 3)), {
    r: { 0: 0xffffffff, 1: 0x7fffffff, 2: 1, 3: 0 },
  });
  add('SBCS (register)', '64-bit subtract: subs r0, r0, r2; sbcs r1, r3', seq(T.subs_reg(0, 0, 2), T.sbcs(1, 3)), {
    r: { 0: 0, 1: 0x80000000, 2: 1, 3: 0 },
  });
  add('B (T1)', 'cmp 0x80000000, 1; bgt not taken (signed)', seq(T.cmp_reg(0, 1), T.b_cond('gt', 8)), { r: { 0: 0x80000000, 1: 1 } });
  add('B (T1)', 'cmp 0x80000000, 1; bhi taken (unsigned)', seq(T.cmp_reg(0, 1), T.b_cond('hi', 8)), { r: { 0: 0x80000000, 1: 1 } });
  add('BL', 'bl then bx lr returns', seq(T.bl(4), T.nop(), T.nop(), T.bx(14)), {}, 0);
  add('POP', 'push {r4-r7, lr}; pop {r0-r3, pc}', seq(T.push([4, 5, 6, 7], true), T.pop([0, 1, 2, 3], true)));
  add('LDM (LDMIA, LDMFD)', 'stm r0!, {r1-r3}; ldm r4!, {r5-r7}', seq(T.stm(0, [1, 2, 3]), T.ldm(4, [5, 6, 7])), {
    r: { 0: DATA + 0x30, 4: DATA + 0x30 },
  });
  add(
    'MULS',
    'movs; muls; muls (cube of 0x801)',
    seq(T.movs_imm(0, 0x80), T.lsls_imm(0, 0, 4), T.adds_imm3(0, 0, 1), T.mov_hi(1, 0), T.muls(1, 0), T.muls(1, 0)),
  );
  add('CPS', 'cpsid i; mrs r0, primask; cpsie i', seq(T.cpsid(), T.mrs(0, 'primask'), T.cpsie()));
}

shiftImmediate();
addSubtract();
logical();
arithmetic();
shiftRegister();
highRegisters();
branchExchange();
literalAndAdr();
loadStoreRegister();
loadStoreImmediate();
stackArithmetic();
extendAndReverse();
pushPop();
systemSixteen();
loadStoreMultiple();
branches();
specialRegisters();
undefinedWords();
sequences();

export const SPECS: readonly Spec[] = specs;
