// The ARMv7-M and ARMv7E-M rows of the encoding table (ARMv7-M ARM, DDI 0403E, §A5.2–A5.3
// and the encoding diagrams of chapter A7), in the same form as encodings.ts. Ops are
// numbered from OpV7.FIRST so they never collide with the ARMv6-M ones.
//
// How the rows are laid out:
// - Where the ARM ARM says "if <field> == … then SEE <other instruction>", the other
//   instruction gets its own row with those bits fixed, so it has more fixed bits and wins
//   (TST over AND, MOV over ORR, literal loads over Rn forms, PLD over LDRB with Rt = 1111, …).
//   Two rows of equal fixed-bit count never match the same word (tests/cpu-v7m.test.ts checks).
// - A literal form (Rn = 1111) must beat every Rn form with more fixed bits than itself, so
//   LDR (literal) and friends have extra rows for the words where the unprivileged (…T) or
//   register-offset rows would otherwise win: same op, same name, more fixed bits.
// - "Should be" bits, (0) and (1) in the diagrams, are fixed: a word with another value there
//   is UNPREDICTABLE, which sramlab treats as UNDEFINED. V7M_SHOULD_BE lists those patterns
//   for the conformance harness (the reference may execute them).
// - ARMv6-M rows that ARMv7-M extends (MRS/MSR special registers) are overridden by rows with
//   more fixed bits, so on ARMv7-M the v7 handler runs. CPS is the exception: the ARMv6-M row
//   has more fixed bits than CPS (with F), so CPSIE/CPSID i alone still run the ARMv6-M handler,
//   which does the same to PRIMASK.
// - Field letters: n Rn, d Rd, m Rm, t Rt, v Rt2, a Ra, l RdLo (or a register list), h RdHi,
//   i immediate (bits of one letter concatenate, so i:imm3:imm8 is one 12-bit field i),
//   y shift type, S the S bit, P/U/W the addressing bits.

import type { Handler } from '../instructions/v6m.ts';
import * as br from '../instructions/v7m/branch.ts';
import * as dp from '../instructions/v7m/data-processing.ts';
import * as dsp from '../instructions/v7m/dsp.ts';
import * as ls from '../instructions/v7m/load-store.ts';
import * as mu from '../instructions/v7m/multiply.ts';
import * as sys from '../instructions/v7m/system.ts';
import type { Arch } from '../profiles.ts';
import type { CycleClass } from './cycle-class.ts';
import type { IsaFeature, Row } from './encodings.ts';

export enum OpV7 {
  FIRST = 128,
  // 16-bit
  CBZ = FIRST, IT, CPS_v7,
  // A5.3.1 data processing (modified immediate)
  AND_imm, TST_imm, BIC_imm, ORR_imm, MOV_imm, ORN_imm, MVN_imm, EOR_imm, TEQ_imm,
  ADD_imm, ADD_sp_imm, CMN_imm, ADC_imm, SBC_imm, SUB_imm, SUB_sp_imm, CMP_imm, RSB_imm,
  // A5.3.3 data processing (plain binary immediate)
  ADDW, ADDW_sp, ADR_add, SUBW, SUBW_sp, ADR_sub, MOVW, MOVT,
  SSAT, SSAT16, USAT, USAT16, SBFX, UBFX, BFI, BFC,
  // A5.3.11 data processing (shifted register)
  AND_reg, TST_reg, BIC_reg, ORR_reg, MOV_reg, ORN_reg, MVN_reg, EOR_reg, TEQ_reg, PKH,
  ADD_reg, ADD_sp_reg, CMN_reg, ADC_reg, SBC_reg, SUB_reg, SUB_sp_reg, CMP_reg, RSB_reg,
  // A5.3.12 data processing (register): shifts, extends
  SHIFT_reg,
  SXTAH, SXTH, UXTAH, UXTH, SXTAB16, SXTB16, UXTAB16, UXTB16, SXTAB, SXTB, UXTAB, UXTB,
  // A5.3.13–14 parallel add/subtract; A5.3.15 miscellaneous
  PAR_S, PAR_Q, PAR_SH, PAR_U, PAR_UQ, PAR_UH,
  QADD, QDADD, QSUB, QDSUB, REV, REV16, RBIT, REVSH, SEL, CLZ,
  // A5.3.16 multiply, multiply accumulate, absolute difference
  MUL, MLA, MLS, SMULxy, SMLAxy, SMUAD, SMLAD, SMULWy, SMLAWy, SMUSD, SMLSD,
  SMMUL, SMMLA, SMMLS, USAD8, USADA8,
  // A5.3.17 long multiply, divide
  SMULL, UMULL, SMLAL, UMLAL, UMAAL, SMLALxy, SMLALD, SMLSLD, SDIV, UDIV,
  // A5.3.5 load/store multiple
  STM_W, STMDB, LDM_W, LDMDB,
  // A5.3.6 load/store dual or exclusive, table branch
  LDREX, STREX, LDREXB, LDREXH, STREXB, STREXH, LDRD_imm, STRD_imm, LDRD_lit, TBB, TBH,
  // A5.3.7–A5.3.10 load/store single
  LDR_imm12, LDR_imm8, LDR_reg, LDR_lit,
  LDRB_imm12, LDRB_imm8, LDRB_reg, LDRB_lit,
  LDRSB_imm12, LDRSB_imm8, LDRSB_reg, LDRSB_lit,
  LDRH_imm12, LDRH_imm8, LDRH_reg, LDRH_lit,
  LDRSH_imm12, LDRSH_imm8, LDRSH_reg, LDRSH_lit,
  STR_imm12, STR_imm8, STR_reg, STRB_imm12, STRB_imm8, STRB_reg, STRH_imm12, STRH_imm8, STRH_reg,
  /** PLD, PLI and the unallocated memory hints: executed as NOP. */
  MEM_HINT,
  // A5.3.4 branches and miscellaneous control
  B_T3, B_T4, MSR_v7, MRS_v7, HINT_W, CLREX,
  // A5.3.18 coprocessor (and floating point): no coprocessor is present
  COPROC,
  COUNT,
}

const v7m: Arch = 'v7m';
const v7em: Arch = 'v7em';

type Fields = Record<string, number>;
type Pred = (f: Fields) => boolean;

/** r IN {13,15}: the ARM ARM's "BadReg". */
const bad = (r: number): boolean => r === 13 || r === 15;

/** ThumbExpandImm: imm12<11:10> = 00, imm12<9:8> != 00 and imm8 = 0 is UNPREDICTABLE. */
const badImm = (i: number): boolean => (i & 0xc00) === 0 && (i & 0x300) !== 0 && (i & 0xff) === 0;

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** Special registers of MRS/MSR on ARMv7-M (B5.1.1): xPSR views, MSP, PSP, PRIMASK, BASEPRI(_MAX), FAULTMASK, CONTROL. */
const V7_SYSM = new Set([0, 1, 2, 3, 5, 6, 7, 8, 9, 16, 17, 18, 19, 20]);

/** Should-be patterns of the rows, collected by row() (see V7M_SHOULD_BE). */
const shouldBe: { name: string; arch: Arch; pattern: string }[] = [];

/**
 * One row: its handler, then its cycle class (isa/cycle-class.ts; the helpers below whose rows
 * are all data processing pass 'alu'). In `pattern`, "(0)" and "(1)" are the ARM ARM's
 * should-be bits: the row fixes them, and V7M_SHOULD_BE gets the pattern with those bits free.
 */
function row(op: OpV7, exec: Handler, cycles: CycleClass, name: string, pattern: string, cls: string, asm: string, unpredictable?: Pred, arch: Arch = v7m): Row {
  if (pattern.includes('(')) {
    shouldBe.push({ name, arch, pattern: pattern.replace(/\(([01])\)/g, 'x') });
    pattern = pattern.replace(/\(([01])\)/g, '$1');
  }
  return unpredictable ? { op, exec, cycles, name, pattern, arch, cls, asm, unpredictable } : { op, exec, cycles, name, pattern, arch, cls, asm };
}

/** A row a core has by its own feature rather than by Thumb-2 (exclusives, divide: the Cortex-M23 has both). */
function needing(feature: IsaFeature, enc: Row): Row {
  return { ...enc, needs: [feature] };
}

// ---- A5.3.1 data processing (modified immediate) ----------------------------------------
// 11110 i 0 op S Rn | 0 imm3 Rd imm8

/** A logical op: "if Rd == 1111 && S == 1 then SEE <test>", Rd = 13 or Rn in {13,15} UNPREDICTABLE. */
function dpImm(op: OpV7, exec: Handler, name: string, opc: string, asm: string, pred: Pred, cls = 'dp-imm'): Row {
  return row(op, exec, 'alu', name, `11110 i 0 ${opc} S nnnn 0 iii dddd iiiiiiii`, cls, asm, (f) => badImm(f.i) || pred(f));
}
function dpImmFixed(op: OpV7, exec: Handler, name: string, pattern: string, asm: string, pred: Pred, cls = 'dp-imm'): Row {
  return row(op, exec, 'alu', name, pattern, cls, asm, (f) => badImm(f.i) || pred(f));
}

const DP_IMM: Row[] = [
  dpImm(OpV7.AND_imm, dp.AND_imm, 'AND (immediate)', '0000', 'and{sf}.w {rd}, {rn}, {mi}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || bad(f.n)),
  dpImmFixed(OpV7.TST_imm, dp.TST_imm, 'TST (immediate)', '11110 i 0 0000 1 nnnn 0 iii 1111 iiiiiiii', 'tst.w {rn}, {mi}', (f) => bad(f.n)),
  dpImm(OpV7.BIC_imm, dp.BIC_imm, 'BIC (immediate)', '0001', 'bic{sf}.w {rd}, {rn}, {mi}', (f) => bad(f.d) || bad(f.n)),
  dpImm(OpV7.ORR_imm, dp.ORR_imm, 'ORR (immediate)', '0010', 'orr{sf}.w {rd}, {rn}, {mi}', (f) => bad(f.d) || f.n === 13),
  dpImmFixed(OpV7.MOV_imm, dp.MOV_imm, 'MOV (immediate, T2)', '11110 i 0 0010 S 1111 0 iii dddd iiiiiiii', 'mov{sf}.w {rd}, {mi}', (f) => bad(f.d)),
  dpImm(OpV7.ORN_imm, dp.ORN_imm, 'ORN (immediate)', '0011', 'orn{sf} {rd}, {rn}, {mi}', (f) => bad(f.d) || f.n === 13),
  dpImmFixed(OpV7.MVN_imm, dp.MVN_imm, 'MVN (immediate)', '11110 i 0 0011 S 1111 0 iii dddd iiiiiiii', 'mvn{sf} {rd}, {mi}', (f) => bad(f.d)),
  dpImm(OpV7.EOR_imm, dp.EOR_imm, 'EOR (immediate)', '0100', 'eor{sf}.w {rd}, {rn}, {mi}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || bad(f.n)),
  dpImmFixed(OpV7.TEQ_imm, dp.TEQ_imm, 'TEQ (immediate)', '11110 i 0 0100 1 nnnn 0 iii 1111 iiiiiiii', 'teq {rn}, {mi}', (f) => bad(f.n)),
  dpImm(OpV7.ADD_imm, dp.ADD_imm, 'ADD (immediate, T3)', '1000', 'add{sf}.w {rd}, {rn}, {mi}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || f.n === 15, 'dp-imm-arith'),
  dpImmFixed(OpV7.ADD_sp_imm, dp.ADD_sp_imm, 'ADD (SP plus immediate, T3)', '11110 i 0 1000 S 1101 0 iii dddd iiiiiiii', 'add{sf}.w {rd}, sp, {mi}', (f) => f.d === 15 && f.S === 0, 'dp-imm-arith'),
  dpImmFixed(OpV7.CMN_imm, dp.CMN_imm, 'CMN (immediate)', '11110 i 0 1000 1 nnnn 0 iii 1111 iiiiiiii', 'cmn.w {rn}, {mi}', (f) => f.n === 15, 'dp-imm-arith'),
  dpImm(OpV7.ADC_imm, dp.ADC_imm, 'ADC (immediate)', '1010', 'adc{sf} {rd}, {rn}, {mi}', (f) => bad(f.d) || bad(f.n), 'dp-imm-arith'),
  dpImm(OpV7.SBC_imm, dp.SBC_imm, 'SBC (immediate)', '1011', 'sbc{sf} {rd}, {rn}, {mi}', (f) => bad(f.d) || bad(f.n), 'dp-imm-arith'),
  dpImm(OpV7.SUB_imm, dp.SUB_imm, 'SUB (immediate, T3)', '1101', 'sub{sf}.w {rd}, {rn}, {mi}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || f.n === 15, 'dp-imm-arith'),
  dpImmFixed(OpV7.SUB_sp_imm, dp.SUB_sp_imm, 'SUB (SP minus immediate, T2)', '11110 i 0 1101 S 1101 0 iii dddd iiiiiiii', 'sub{sf}.w {rd}, sp, {mi}', (f) => f.d === 15 && f.S === 0, 'dp-imm-arith'),
  dpImmFixed(OpV7.CMP_imm, dp.CMP_imm, 'CMP (immediate, T2)', '11110 i 0 1101 1 nnnn 0 iii 1111 iiiiiiii', 'cmp.w {rn}, {mi}', (f) => f.n === 15, 'dp-imm-arith'),
  dpImm(OpV7.RSB_imm, dp.RSB_imm, 'RSB (immediate, T2)', '1110', 'rsb{sf}.w {rd}, {rn}, {mi}', (f) => bad(f.d) || bad(f.n), 'dp-imm-arith'),
];

// ---- A5.3.3 data processing (plain binary immediate) ------------------------------------
// 11110 i 1 op Rn | 0 imm3 Rd imm8 ; the saturate/bitfield forms have i = (0)

const DP_PLAIN: Row[] = [
  row(OpV7.ADDW, dp.ADDW, 'alu', 'ADD (immediate, T4)', '11110 i 1 00000 nnnn 0 iii dddd iiiiiiii', 'dp-plain', 'addw {rd}, {rn}, #{i}', (f) => bad(f.d)),
  row(OpV7.ADDW_sp, dp.ADDW_sp, 'alu', 'ADD (SP plus immediate, T4)', '11110 i 1 00000 1101 0 iii dddd iiiiiiii', 'dp-plain', 'addw {rd}, sp, #{i}', (f) => f.d === 15),
  row(OpV7.ADR_add, dp.ADR_add, 'alu', 'ADR (T3)', '11110 i 1 00000 1111 0 iii dddd iiiiiiii', 'dp-plain', 'adr.w {rd}, {adrAdd}', (f) => bad(f.d)),
  row(OpV7.SUBW, dp.SUBW, 'alu', 'SUB (immediate, T4)', '11110 i 1 01010 nnnn 0 iii dddd iiiiiiii', 'dp-plain', 'subw {rd}, {rn}, #{i}', (f) => bad(f.d)),
  row(OpV7.SUBW_sp, dp.SUBW_sp, 'alu', 'SUB (SP minus immediate, T3)', '11110 i 1 01010 1101 0 iii dddd iiiiiiii', 'dp-plain', 'subw {rd}, sp, #{i}', (f) => f.d === 15),
  row(OpV7.ADR_sub, dp.ADR_sub, 'alu', 'ADR (T2)', '11110 i 1 01010 1111 0 iii dddd iiiiiiii', 'dp-plain', 'adr.w {rd}, {adrSub}', (f) => bad(f.d)),
  row(OpV7.MOVW, dp.MOVW, 'alu', 'MOV (immediate, T3)', '11110 i 1 00100 jjjj 0 iii dddd iiiiiiii', 'dp-plain', 'movw {rd}, #{ji}', (f) => bad(f.d)),
  row(OpV7.MOVT, dp.MOVT, 'alu', 'MOVT', '11110 i 1 01100 jjjj 0 iii dddd iiiiiiii', 'dp-plain', 'movt {rd}, #{ji}', (f) => bad(f.d)),
  // SSAT/USAT with sh = 1 and a zero shift are SSAT16/USAT16 (ARMv7E-M only).
  row(OpV7.SSAT, dp.SSAT, 'alu', 'SSAT', '11110 (0) 1 100 h 0 nnnn 0 iii dddd ii (0) kkkkk', 'saturate', 'ssat {rd}, #{sat1}, {rn}{ssh}',
    (f) => bad(f.d) || bad(f.n) || (f.h === 1 && f.i === 0)),
  row(OpV7.SSAT16, dp.SSAT16, 'alu', 'SSAT16', '11110 (0) 1 10010 nnnn 0 000 dddd 00 (0)(0) kkkk', 'saturate', 'ssat16 {rd}, #{sat1}, {rn}',
    (f) => bad(f.d) || bad(f.n), v7em),
  row(OpV7.USAT, dp.USAT, 'alu', 'USAT', '11110 (0) 1 110 h 0 nnnn 0 iii dddd ii (0) kkkkk', 'saturate', 'usat {rd}, #{k}, {rn}{ssh}',
    (f) => bad(f.d) || bad(f.n) || (f.h === 1 && f.i === 0)),
  row(OpV7.USAT16, dp.USAT16, 'alu', 'USAT16', '11110 (0) 1 11010 nnnn 0 000 dddd 00 (0)(0) kkkk', 'saturate', 'usat16 {rd}, #{k}, {rn}',
    (f) => bad(f.d) || bad(f.n), v7em),
  row(OpV7.SBFX, dp.SBFX, 'alu', 'SBFX', '11110 (0) 1 10100 nnnn 0 iii dddd ii (0) wwwww', 'bitfield', 'sbfx {rd}, {rn}, #{i}, #{w1}',
    (f) => bad(f.d) || bad(f.n) || f.i + f.w > 31),
  row(OpV7.UBFX, dp.UBFX, 'alu', 'UBFX', '11110 (0) 1 11100 nnnn 0 iii dddd ii (0) wwwww', 'bitfield', 'ubfx {rd}, {rn}, #{i}, #{w1}',
    (f) => bad(f.d) || bad(f.n) || f.i + f.w > 31),
  row(OpV7.BFI, dp.BFI, 'alu', 'BFI', '11110 (0) 1 10110 nnnn 0 iii dddd ii (0) kkkkk', 'bitfield', 'bfi {rd}, {rn}, #{i}, #{bfw}',
    (f) => bad(f.d) || f.n === 13 || f.k < f.i),
  row(OpV7.BFC, dp.BFC, 'alu', 'BFC', '11110 (0) 1 10110 1111 0 iii dddd ii (0) kkkkk', 'bitfield', 'bfc {rd}, #{i}, #{bfw}',
    (f) => bad(f.d) || f.k < f.i),
];

// ---- A5.3.11 data processing (shifted register) ------------------------------------------
// 1110101 op S Rn | (0) imm3 Rd imm2 type Rm

function dpReg(op: OpV7, exec: Handler, name: string, opc: string, asm: string, pred: Pred, cls = 'dp-reg'): Row {
  return row(op, exec, 'alu', name, `1110101 ${opc} S nnnn (0) iii dddd ii yy mmmm`, cls, asm, pred);
}

/** ADD/SUB (SP plus/minus register): d = 13 only with LSL #0–3. */
const spRegPred: Pred = (f) => (f.d === 13 && (f.y !== 0 || f.i > 3)) || (f.d === 15 && f.S === 0) || bad(f.m);

const DP_REG: Row[] = [
  dpReg(OpV7.AND_reg, dp.AND_reg, 'AND (register)', '0000', 'and{sf}.w {rd}, {rn}, {rm}{sh}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || bad(f.n) || bad(f.m)),
  row(OpV7.TST_reg, dp.TST_reg, 'alu', 'TST (register)', '1110101 0000 1 nnnn (0) iii 1111 ii yy mmmm', 'dp-reg', 'tst.w {rn}, {rm}{sh}', (f) => bad(f.n) || bad(f.m)),
  dpReg(OpV7.BIC_reg, dp.BIC_reg, 'BIC (register)', '0001', 'bic{sf}.w {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || bad(f.n) || bad(f.m)),
  dpReg(OpV7.ORR_reg, dp.ORR_reg, 'ORR (register)', '0010', 'orr{sf}.w {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || f.n === 13 || bad(f.m)),
  // MOV (register, T3) and the immediate shifts LSL/LSR/ASR/ROR/RRX share this row.
  row(OpV7.MOV_reg, dp.MOV_reg, 'alu', 'MOV (register, T3) and shifts (immediate)', '1110101 0010 S 1111 (0) iii dddd ii yy mmmm', 'mov-shift', '{movsh}',
    (f) => (f.y === 0 && f.i === 0)
      ? (f.S === 1 ? bad(f.d) || bad(f.m) : f.d === 15 || f.m === 15 || (f.d === 13 && f.m === 13))
      : bad(f.d) || bad(f.m)),
  dpReg(OpV7.ORN_reg, dp.ORN_reg, 'ORN (register)', '0011', 'orn{sf} {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || f.n === 13 || bad(f.m)),
  row(OpV7.MVN_reg, dp.MVN_reg, 'alu', 'MVN (register)', '1110101 0011 S 1111 (0) iii dddd ii yy mmmm', 'dp-reg', 'mvn{sf}.w {rd}, {rm}{sh}', (f) => bad(f.d) || bad(f.m)),
  dpReg(OpV7.EOR_reg, dp.EOR_reg, 'EOR (register)', '0100', 'eor{sf}.w {rd}, {rn}, {rm}{sh}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || bad(f.n) || bad(f.m)),
  row(OpV7.TEQ_reg, dp.TEQ_reg, 'alu', 'TEQ (register)', '1110101 0100 1 nnnn (0) iii 1111 ii yy mmmm', 'dp-reg', 'teq {rn}, {rm}{sh}', (f) => bad(f.n) || bad(f.m)),
  row(OpV7.PKH, dp.PKH, 'alu', 'PKHBT, PKHTB', '1110101 0110 0 nnnn (0) iii dddd ii b 0 mmmm', 'pack', 'pkh{pkh} {rd}, {rn}, {rm}{pks}',
    (f) => bad(f.d) || bad(f.n) || bad(f.m), v7em),
  dpReg(OpV7.ADD_reg, dp.ADD_reg, 'ADD (register, T3)', '1000', 'add{sf}.w {rd}, {rn}, {rm}{sh}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || f.n === 15 || bad(f.m), 'dp-reg-arith'),
  row(OpV7.ADD_sp_reg, dp.ADD_sp_reg, 'alu', 'ADD (SP plus register, T3)', '1110101 1000 S 1101 (0) iii dddd ii yy mmmm', 'dp-reg-arith', 'add{sf}.w {rd}, sp, {rm}{sh}', spRegPred),
  row(OpV7.CMN_reg, dp.CMN_reg, 'alu', 'CMN (register, T2)', '1110101 1000 1 nnnn (0) iii 1111 ii yy mmmm', 'dp-reg-arith', 'cmn.w {rn}, {rm}{sh}', (f) => f.n === 15 || bad(f.m)),
  dpReg(OpV7.ADC_reg, dp.ADC_reg, 'ADC (register, T2)', '1010', 'adc{sf}.w {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || bad(f.n) || bad(f.m), 'dp-reg-arith'),
  dpReg(OpV7.SBC_reg, dp.SBC_reg, 'SBC (register, T2)', '1011', 'sbc{sf}.w {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || bad(f.n) || bad(f.m), 'dp-reg-arith'),
  dpReg(OpV7.SUB_reg, dp.SUB_reg, 'SUB (register, T2)', '1101', 'sub{sf}.w {rd}, {rn}, {rm}{sh}', (f) => f.d === 13 || (f.d === 15 && f.S === 0) || f.n === 15 || bad(f.m), 'dp-reg-arith'),
  row(OpV7.SUB_sp_reg, dp.SUB_sp_reg, 'alu', 'SUB (SP minus register)', '1110101 1101 S 1101 (0) iii dddd ii yy mmmm', 'dp-reg-arith', 'sub{sf}.w {rd}, sp, {rm}{sh}', spRegPred),
  row(OpV7.CMP_reg, dp.CMP_reg, 'alu', 'CMP (register, T3)', '1110101 1101 1 nnnn (0) iii 1111 ii yy mmmm', 'dp-reg-arith', 'cmp.w {rn}, {rm}{sh}', (f) => f.n === 15 || bad(f.m)),
  dpReg(OpV7.RSB_reg, dp.RSB_reg, 'RSB (register)', '1110', 'rsb{sf} {rd}, {rn}, {rm}{sh}', (f) => bad(f.d) || bad(f.n) || bad(f.m), 'dp-reg-arith'),
];

// ---- A5.3.12 data processing (register) -------------------------------------------------
// 11111010 op1 Rn | 1111 Rd op2 Rm

const bad3: Pred = (f) => bad(f.d) || bad(f.n) || bad(f.m);

/** SXTAx/UXTAx (Rn != 1111) are ARMv7E-M (DSP) instructions; the plain SXTx/UXTx .W forms are ARMv7-M, except the 16-bit-pair ones. */
function extend(op: OpV7, exec: Handler, opN: OpV7, execN: Handler, name: string, o: string, mn: string, arch: Arch = v7m): Row[] {
  return [
    row(op, exec, 'alu', name.replace('XT', 'XTA'), `11111010 0 ${o} nnnn 1111 dddd 1 (0) rr mmmm`, 'extend-w', `${mn.replace('xt', 'xta')} {rd}, {rn}, {rm}{ror}`,
      (f) => bad(f.d) || f.n === 13 || bad(f.m), v7em),
    row(opN, execN, 'alu', name, `11111010 0 ${o} 1111 1111 dddd 1 (0) rr mmmm`, 'extend-w', `${mn}${arch === v7m ? '.w' : ''} {rd}, {rm}{ror}`,
      (f) => bad(f.d) || bad(f.m), arch),
  ];
}

function parallel(op: OpV7, exec: Handler, prefix: string, u: string, pp: string): Row {
  return row(op, exec, 'alu', `${prefix.toUpperCase()}ADD16 and the other ${prefix.toUpperCase()} parallel add/subtract`,
    `11111010 1 ooo nnnn 1111 dddd 0 ${u} ${pp} mmmm`, 'parallel', `${prefix}{par} {rd}, {rn}, {rm}`,
    (f) => (f.o & 3) === 3 || bad3(f), v7em);
}

function misc(op: OpV7, exec: Handler, name: string, op1: string, op2: string, asm: string, pred: Pred, arch: Arch = v7m, cls = 'misc-w'): Row {
  return row(op, exec, 'alu', name, `11111010 10 ${op1} nnnn 1111 dddd 10 ${op2} mmmm`, cls, asm, pred, arch);
}

/** REV, REV16, RBIT, REVSH, CLZ: Rm is encoded twice and both copies must agree. */
const rmTwice: Pred = (f) => bad(f.d) || bad(f.m) || f.n !== f.m;

const DP_REGISTER: Row[] = [
  row(OpV7.SHIFT_reg, dp.SHIFT_reg, 'alu', 'LSL, LSR, ASR, ROR (register)', '11111010 0 yy S nnnn 1111 dddd 0000 mmmm', 'shift-reg-w', '{shreg}{sf}.w {rd}, {rn}, {rm}', bad3),
  ...extend(OpV7.SXTAH, dp.SXTAH, OpV7.SXTH, dp.SXTH, 'SXTH', '000', 'sxth'),
  ...extend(OpV7.UXTAH, dp.UXTAH, OpV7.UXTH, dp.UXTH, 'UXTH', '001', 'uxth'),
  ...extend(OpV7.SXTAB16, dp.SXTAB16, OpV7.SXTB16, dp.SXTB16, 'SXTB16', '010', 'sxtb16', v7em),
  ...extend(OpV7.UXTAB16, dp.UXTAB16, OpV7.UXTB16, dp.UXTB16, 'UXTB16', '011', 'uxtb16', v7em),
  ...extend(OpV7.SXTAB, dp.SXTAB, OpV7.SXTB, dp.SXTB, 'SXTB', '100', 'sxtb'),
  ...extend(OpV7.UXTAB, dp.UXTAB, OpV7.UXTB, dp.UXTB, 'UXTB', '101', 'uxtb'),
  parallel(OpV7.PAR_S, dsp.PAR_S, 's', '0', '00'),
  parallel(OpV7.PAR_Q, dsp.PAR_Q, 'q', '0', '01'),
  parallel(OpV7.PAR_SH, dsp.PAR_SH, 'sh', '0', '10'),
  parallel(OpV7.PAR_U, dsp.PAR_U, 'u', '1', '00'),
  parallel(OpV7.PAR_UQ, dsp.PAR_UQ, 'uq', '1', '01'),
  parallel(OpV7.PAR_UH, dsp.PAR_UH, 'uh', '1', '10'),
  misc(OpV7.QADD, dsp.QADD, 'QADD', '00', '00', 'qadd {rd}, {rm}, {rn}', bad3, v7em, 'saturate'),
  misc(OpV7.QDADD, dsp.QDADD, 'QDADD', '00', '01', 'qdadd {rd}, {rm}, {rn}', bad3, v7em, 'saturate'),
  misc(OpV7.QSUB, dsp.QSUB, 'QSUB', '00', '10', 'qsub {rd}, {rm}, {rn}', bad3, v7em, 'saturate'),
  misc(OpV7.QDSUB, dsp.QDSUB, 'QDSUB', '00', '11', 'qdsub {rd}, {rm}, {rn}', bad3, v7em, 'saturate'),
  misc(OpV7.REV, dp.REV_W, 'REV (T2)', '01', '00', 'rev.w {rd}, {rm}', rmTwice),
  misc(OpV7.REV16, dp.REV16_W, 'REV16 (T2)', '01', '01', 'rev16.w {rd}, {rm}', rmTwice),
  misc(OpV7.RBIT, dp.RBIT, 'RBIT', '01', '10', 'rbit {rd}, {rm}', rmTwice),
  misc(OpV7.REVSH, dp.REVSH_W, 'REVSH (T2)', '01', '11', 'revsh.w {rd}, {rm}', rmTwice),
  misc(OpV7.SEL, dsp.SEL, 'SEL', '10', '00', 'sel {rd}, {rn}, {rm}', bad3, v7em, 'pack'),
  misc(OpV7.CLZ, dp.CLZ, 'CLZ', '11', '00', 'clz {rd}, {rm}', rmTwice),
];

// ---- A5.3.16 multiply, multiply accumulate, absolute difference -------------------------
// 111110110 op1 Rn | Ra Rd 00 op2 Rm ; Ra = 1111 selects the non-accumulating form

function mul(op: OpV7, exec: Handler, cycles: CycleClass, name: string, op1: string, ra: string, op2: string, asm: string, pred: Pred, arch: Arch, cls: string): Row {
  return row(op, exec, cycles, name, `111110110 ${op1} nnnn ${ra} dddd 00 ${op2} mmmm`, cls, asm, pred, arch);
}
const mulPred: Pred = bad3;
const mlaPred: Pred = (f) => bad3(f) || f.a === 13;
const mlsPred: Pred = (f) => bad3(f) || bad(f.a);

const MULTIPLY: Row[] = [
  mul(OpV7.MUL, mu.MUL, 'mul', 'MUL (T2)', '000', '1111', '00', 'mul.w {rd}, {rn}, {rm}', mulPred, v7m, 'mul'),
  mul(OpV7.MLA, mu.MLA, 'mla', 'MLA', '000', 'aaaa', '00', 'mla {rd}, {rn}, {rm}, {ra}', mlaPred, v7m, 'mul'),
  mul(OpV7.MLS, mu.MLS, 'mla', 'MLS', '000', 'aaaa', '01', 'mls {rd}, {rn}, {rm}, {ra}', mlsPred, v7m, 'mul'),
  mul(OpV7.SMULxy, mu.SMULxy, 'mul', 'SMULBB, SMULBT, SMULTB, SMULTT', '001', '1111', 'NM', 'smul{xy} {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.SMLAxy, mu.SMLAxy, 'mul', 'SMLABB, SMLABT, SMLATB, SMLATT', '001', 'aaaa', 'NM', 'smla{xy} {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
  mul(OpV7.SMUAD, mu.SMUAD, 'mul', 'SMUAD', '010', '1111', '0X', 'smuad{x} {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.SMLAD, mu.SMLAD, 'mul', 'SMLAD', '010', 'aaaa', '0X', 'smlad{x} {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
  mul(OpV7.SMULWy, mu.SMULWy, 'mul', 'SMULWB, SMULWT', '011', '1111', '0M', 'smulw{y} {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.SMLAWy, mu.SMLAWy, 'mul', 'SMLAWB, SMLAWT', '011', 'aaaa', '0M', 'smlaw{y} {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
  mul(OpV7.SMUSD, mu.SMUSD, 'mul', 'SMUSD', '100', '1111', '0X', 'smusd{x} {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.SMLSD, mu.SMLSD, 'mul', 'SMLSD', '100', 'aaaa', '0X', 'smlsd{x} {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
  mul(OpV7.SMMUL, mu.SMMUL, 'mul', 'SMMUL', '101', '1111', '0R', 'smmul{R} {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.SMMLA, mu.SMMLA, 'mul', 'SMMLA', '101', 'aaaa', '0R', 'smmla{R} {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
  mul(OpV7.SMMLS, mu.SMMLS, 'mul', 'SMMLS', '110', 'aaaa', '0R', 'smmls{R} {rd}, {rn}, {rm}, {ra}', mlsPred, v7em, 'dsp-mul'),
  mul(OpV7.USAD8, mu.USAD8, 'mul', 'USAD8', '111', '1111', '00', 'usad8 {rd}, {rn}, {rm}', mulPred, v7em, 'dsp-mul'),
  mul(OpV7.USADA8, mu.USADA8, 'mul', 'USADA8', '111', 'aaaa', '00', 'usada8 {rd}, {rn}, {rm}, {ra}', mlaPred, v7em, 'dsp-mul'),
];

// ---- A5.3.17 long multiply, long multiply accumulate, divide -----------------------------
// 111110111 op1 Rn | RdLo RdHi op2 Rm

const longPred: Pred = (f) => bad(f.l) || bad(f.h) || bad(f.n) || bad(f.m) || f.h === f.l;
function long(op: OpV7, exec: Handler, cycles: CycleClass, name: string, op1: string, op2: string, asm: string, arch: Arch = v7m, cls = 'mul-long'): Row {
  return row(op, exec, cycles, name, `111110111 ${op1} nnnn llll hhhh ${op2} mmmm`, cls, asm, longPred, arch);
}

const LONG_MULTIPLY: Row[] = [
  long(OpV7.SMULL, mu.SMULL, 'long-mul', 'SMULL', '000', '0000', 'smull {rl}, {rh}, {rn}, {rm}'),
  long(OpV7.UMULL, mu.UMULL, 'long-mul', 'UMULL', '010', '0000', 'umull {rl}, {rh}, {rn}, {rm}'),
  long(OpV7.SMLAL, mu.SMLAL, 'long-mul-acc', 'SMLAL', '100', '0000', 'smlal {rl}, {rh}, {rn}, {rm}'),
  long(OpV7.UMLAL, mu.UMLAL, 'long-mul-acc', 'UMLAL', '110', '0000', 'umlal {rl}, {rh}, {rn}, {rm}'),
  long(OpV7.UMAAL, mu.UMAAL, 'mul', 'UMAAL', '110', '0110', 'umaal {rl}, {rh}, {rn}, {rm}', v7em, 'dsp-mul-long'),
  long(OpV7.SMLALxy, mu.SMLALxy, 'mul', 'SMLALBB, SMLALBT, SMLALTB, SMLALTT', '100', '10NM', 'smlal{xy} {rl}, {rh}, {rn}, {rm}', v7em, 'dsp-mul-long'),
  long(OpV7.SMLALD, mu.SMLALD, 'mul', 'SMLALD', '100', '110X', 'smlald{x} {rl}, {rh}, {rn}, {rm}', v7em, 'dsp-mul-long'),
  long(OpV7.SMLSLD, mu.SMLSLD, 'mul', 'SMLSLD', '101', '110X', 'smlsld{x} {rl}, {rh}, {rn}, {rm}', v7em, 'dsp-mul-long'),
  needing('hasDivide', row(OpV7.SDIV, mu.SDIV, 'div', 'SDIV', '111110111 001 nnnn (1)(1)(1)(1) dddd 1111 mmmm', 'div', 'sdiv {rd}, {rn}, {rm}', bad3)),
  needing('hasDivide', row(OpV7.UDIV, mu.UDIV, 'div', 'UDIV', '111110111 011 nnnn (1)(1)(1)(1) dddd 1111 mmmm', 'div', 'udiv {rd}, {rn}, {rm}', bad3)),
];

// ---- A5.3.5 load/store multiple ---------------------------------------------------------
// 1110100 op 0 W L Rn | P M (0) register_list ; STM has (0) for P as well

/** The 16-bit register list: P (PC), M (LR) and l (r0–r12). */
const list16 = (f: Fields): number => ((f.P ?? 0) << 15) | ((f.M ?? 0) << 14) | f.l;
const stmPred: Pred = (f) => f.n === 15 || popcount(list16(f)) < 2 || (f.W === 1 && ((list16(f) >>> f.n) & 1) === 1);
const ldmPred: Pred = (f) => stmPred(f) || (f.P === 1 && f.M === 1);

const LOAD_STORE_MULTIPLE: Row[] = [
  row(OpV7.STM_W, ls.STM_W, 'multiple', 'STM (STMIA, STMEA, T2)', '1110100 01 0 W 0 nnnn (0) M (0) lllllllllllll', 'ldm-stm', 'stm.w {rn}{wb1}, {L}', stmPred),
  row(OpV7.LDM_W, ls.LDM_W, 'multiple', 'LDM (LDMIA, LDMFD, T2)', '1110100 01 0 W 1 nnnn P M (0) lllllllllllll', 'ldm-stm', 'ldm.w {rn}{wb1}, {L}', ldmPred),
  row(OpV7.LDM_W, ls.LDM_W, 'multiple', 'POP (T2)', '1110100 01 0 1 1 1101 P M (0) lllllllllllll', 'ldm-stm', 'pop.w {L}', (f) => popcount(list16(f)) < 2 || (f.P === 1 && f.M === 1)),
  row(OpV7.STMDB, ls.STMDB, 'multiple', 'STMDB (STMFD)', '1110100 10 0 W 0 nnnn (0) M (0) lllllllllllll', 'ldm-stm', 'stmdb {rn}{wb1}, {L}', stmPred),
  row(OpV7.STMDB, ls.STMDB, 'multiple', 'PUSH (T2)', '1110100 10 0 1 0 1101 (0) M (0) lllllllllllll', 'ldm-stm', 'push.w {L}', (f) => popcount(list16(f)) < 2),
  row(OpV7.LDMDB, ls.LDMDB, 'multiple', 'LDMDB (LDMEA)', '1110100 10 0 W 1 nnnn P M (0) lllllllllllll', 'ldm-stm', 'ldmdb {rn}{wb1}, {L}', ldmPred),
];

// ---- A5.3.6 load/store dual or exclusive, table branch -----------------------------------
// 1110100 P U 1 W L Rn | …

const dualPred = (load: boolean): Pred => (f) =>
  ((f.W ?? 1) === 1 && (f.n === f.t || f.n === f.v)) || bad(f.t) || bad(f.v) || (load ? f.t === f.v || f.n === 15 : f.n === 15);

const DUAL_EXCLUSIVE: Row[] = [
  needing('hasExclusives', row(OpV7.STREX, ls.STREX, 'store', 'STREX', '111010000100 nnnn tttt dddd iiiiiiii', 'exclusive', 'strex {rd}, {rt}, [{rn}, #{i4}]',
    (f) => bad(f.d) || bad(f.t) || f.n === 15 || f.d === f.n || f.d === f.t)),
  needing('hasExclusives', row(OpV7.LDREX, ls.LDREX, 'load', 'LDREX', '111010000101 nnnn tttt (1)(1)(1)(1) iiiiiiii', 'exclusive', 'ldrex {rt}, [{rn}, #{i4}]', (f) => bad(f.t) || f.n === 15)),
  needing('hasExclusives', row(OpV7.STREXB, ls.STREXB, 'store', 'STREXB', '111010001100 nnnn tttt (1)(1)(1)(1) 0100 dddd', 'exclusive', 'strexb {rd}, {rt}, [{rn}]',
    (f) => bad(f.d) || bad(f.t) || f.n === 15 || f.d === f.n || f.d === f.t)),
  needing('hasExclusives', row(OpV7.STREXH, ls.STREXH, 'store', 'STREXH', '111010001100 nnnn tttt (1)(1)(1)(1) 0101 dddd', 'exclusive', 'strexh {rd}, {rt}, [{rn}]',
    (f) => bad(f.d) || bad(f.t) || f.n === 15 || f.d === f.n || f.d === f.t)),
  needing('hasExclusives', row(OpV7.LDREXB, ls.LDREXB, 'load', 'LDREXB', '111010001101 nnnn tttt (1)(1)(1)(1) 0100 (1)(1)(1)(1)', 'exclusive', 'ldrexb {rt}, [{rn}]', (f) => bad(f.t) || f.n === 15)),
  needing('hasExclusives', row(OpV7.LDREXH, ls.LDREXH, 'load', 'LDREXH', '111010001101 nnnn tttt (1)(1)(1)(1) 0101 (1)(1)(1)(1)', 'exclusive', 'ldrexh {rt}, [{rn}]', (f) => bad(f.t) || f.n === 15)),
  row(OpV7.TBB, ls.TBB, 'table-branch', 'TBB', '111010001101 nnnn (1)(1)(1)(1) (0)(0)(0)(0) 0000 mmmm', 'table-branch', 'tbb [{rn}, {rm}]', (f) => f.n === 13 || bad(f.m)),
  row(OpV7.TBH, ls.TBH, 'table-branch', 'TBH', '111010001101 nnnn (1)(1)(1)(1) (0)(0)(0)(0) 0001 mmmm', 'table-branch', 'tbh [{rn}, {rm}, lsl #1]', (f) => f.n === 13 || bad(f.m)),
  // P = 0 with W = 0 is the exclusive/table-branch space above: post-indexed forms need W = 1.
  row(OpV7.STRD_imm, ls.STRD_imm, 'multiple', 'STRD (immediate)', '1110100 1 U 1 W 0 nnnn tttt vvvv iiiiiiii', 'ldst-imm', 'strd {rt}, {rv}, {am8x4}', dualPred(false)),
  row(OpV7.STRD_imm, ls.STRD_imm, 'multiple', 'STRD (immediate)', '1110100 0 U 1 1 0 nnnn tttt vvvv iiiiiiii', 'ldst-imm', 'strd {rt}, {rv}, {am8x4}', dualPred(false)),
  row(OpV7.LDRD_imm, ls.LDRD_imm, 'multiple', 'LDRD (immediate)', '1110100 1 U 1 W 1 nnnn tttt vvvv iiiiiiii', 'ldst-imm', 'ldrd {rt}, {rv}, {am8x4}', dualPred(true)),
  row(OpV7.LDRD_imm, ls.LDRD_imm, 'multiple', 'LDRD (immediate)', '1110100 0 U 1 1 1 nnnn tttt vvvv iiiiiiii', 'ldst-imm', 'ldrd {rt}, {rv}, {am8x4}', dualPred(true)),
  row(OpV7.LDRD_lit, ls.LDRD_lit, 'multiple', 'LDRD (literal)', '1110100 1 U 1 W 1 1111 tttt vvvv iiiiiiii', 'load-lit', 'ldrd {rt}, {rv}, {lit8x4}',
    (f) => bad(f.t) || bad(f.v) || f.t === f.v || f.W === 1),
];

// ---- A5.3.7–A5.3.10 load/store single ----------------------------------------------------
// Loads: 1111100 S U sz 1 Rn | Rt …, stores: 11111000 U sz 0 Rn | Rt …
// imm12: U = 1; imm8: Rt 1 P U W imm8 (PUW = 110 is the unprivileged …T form); register:
// Rt 000000 imm2 Rm; literal: Rn = 1111 with U from hw1 bit 7.

/** A row id with its handler. */
type Op7 = readonly [OpV7, Handler];

interface SingleSpec {
  name: string;       // 'LDR', 'LDRB', …
  mn: string;         // mnemonic
  /** hw1 bits 8:4 with 'U' at bit 7: e.g. '0U101' for LDR. */
  hw1: string;
  ops: [Op7, Op7, Op7, Op7 | null]; // imm12, imm8 (and …T), register, literal
  /** UNPREDICTABLE values of Rt (Rt = 1111 of a byte or halfword load is a hint row, not here). */
  tBad: (t: number) => boolean;
  store: boolean;
  /** Rt = 1111 makes these loads memory hints: PLD, PLI, or an unallocated hint (NOP). */
  hint?: 'pld' | 'pli' | 'nop';
}

function singles(s: SingleSpec): Row[] {
  const [opImm12, opImm8, opReg, opLit] = s.ops;
  const h = (u: string): string => `1111100 ${s.hw1.replace('U', u)}`;
  // Stores: Rn = 1111 is UNDEFINED. Byte/halfword loads: Rt = 1111 is valid only as a hint.
  const nBad: Pred = (f) => s.store && f.n === 15;
  const tBad: Pred = (f) => s.tBad(f.t) || (s.hint !== undefined && f.t === 15);
  const access: CycleClass = s.store ? 'store' : 'load';
  const out: Row[] = [
    row(...opImm12, access, `${s.name} (immediate, 12-bit offset)`, `${h('1')} nnnn tttt iiiiiiiiiiii`, 'ldst-imm', `${s.mn}.w {rt}, [{rn}, #{i}]`,
      (f) => nBad(f) || tBad(f)),
    row(...opImm8, access, `${s.name} (immediate, 8-bit offset)`, `${h('0')} nnnn tttt 1 P U W iiiiiiii`, 'ldst-imm', `${s.mn} {rt}, {am8}`,
      (f) => nBad(f) || (f.P === 0 && f.W === 0) || (f.W === 1 && f.n === f.t) || tBad(f)),
    row(...opImm8, access, `${s.name}T`, `${h('0')} nnnn tttt 1110 iiiiiiii`, 'ldst-imm', `${s.mn}t {rt}, [{rn}, #{i}]`,
      (f) => nBad(f) || bad(f.t)),
    row(...opReg, access, `${s.name} (register)`, `${h('0')} nnnn tttt 000000 ii mmmm`, 'ldst-reg', `${s.mn}.w {rt}, [{rn}, {rm}{lsl2}]`,
      (f) => nBad(f) || tBad(f) || bad(f.m)),
  ];
  if (opLit !== null) {
    const lit = (pattern: string): Row =>
      row(...opLit, 'load', `${s.name} (literal)`, pattern, 'load-lit', `${s.mn}.w {rt}, {lit12}`, tBad);
    out.push(
      lit(`1111100 ${s.hw1} 1111 tttt iiiiiiiiiiii`),
      // Rn = 1111 also beats the …T and register rows, which have more fixed bits than the row above.
      lit(`${h('0')} 1111 tttt 1110 iiiiiiii`),
      lit(`${h('0')} 1111 tttt 000000 iiiiii`),
    );
  }
  if (s.hint) {
    const [nm, mn] = s.hint === 'pld' ? ['PLD', 'pld'] : s.hint === 'pli' ? ['PLI', 'pli'] : ['unallocated memory hint', 'nop.w (memory hint)'];
    const hint = (name: string, pattern: string, asm: string, pred?: Pred): Row =>
      row(OpV7.MEM_HINT, ls.MEM_HINT, 'hint', name, pattern, 'hint-mem', asm, pred);
    out.push(
      hint(`${nm} (immediate)`, `${h('1')} nnnn 1111 iiiiiiiiiiii`, `${mn} [{rn}, #{i}]`),
      hint(`${nm} (immediate, negative)`, `${h('0')} nnnn 1111 1100 iiiiiiii`, `${mn} [{rn}, #-{i}]`),
      hint(`${nm} (register)`, `${h('0')} nnnn 1111 000000 ii mmmm`, `${mn} [{rn}, {rm}{lsl2}]`, s.hint === 'nop' ? undefined : (f) => bad(f.m)),
      hint(`${nm} (literal)`, `1111100 ${s.hw1} 1111 1111 iiiiiiiiiiii`, `${mn} {lit12}`),
      hint(`${nm} (literal)`, `${h('0')} 1111 1111 1110 iiiiiiii`, `${mn} {lit12}`),
      hint(`${nm} (literal)`, `${h('0')} 1111 1111 000000 iiiiii`, `${mn} {lit12}`),
    );
  }
  return out;
}

const LOAD_STORE_SINGLE: Row[] = [
  ...singles({ name: 'LDR', mn: 'ldr', hw1: '0U101', ops: [[OpV7.LDR_imm12, ls.LDR_imm12], [OpV7.LDR_imm8, ls.LDR_imm8], [OpV7.LDR_reg, ls.LDR_reg], [OpV7.LDR_lit, ls.LDR_lit]], tBad: () => false, store: false }),
  ...singles({ name: 'LDRB', mn: 'ldrb', hw1: '0U001', ops: [[OpV7.LDRB_imm12, ls.LDRB_imm12], [OpV7.LDRB_imm8, ls.LDRB_imm8], [OpV7.LDRB_reg, ls.LDRB_reg], [OpV7.LDRB_lit, ls.LDRB_lit]], tBad: (t) => t === 13, store: false, hint: 'pld' }),
  ...singles({ name: 'LDRSB', mn: 'ldrsb', hw1: '1U001', ops: [[OpV7.LDRSB_imm12, ls.LDRSB_imm12], [OpV7.LDRSB_imm8, ls.LDRSB_imm8], [OpV7.LDRSB_reg, ls.LDRSB_reg], [OpV7.LDRSB_lit, ls.LDRSB_lit]], tBad: (t) => t === 13, store: false, hint: 'pli' }),
  ...singles({ name: 'LDRH', mn: 'ldrh', hw1: '0U011', ops: [[OpV7.LDRH_imm12, ls.LDRH_imm12], [OpV7.LDRH_imm8, ls.LDRH_imm8], [OpV7.LDRH_reg, ls.LDRH_reg], [OpV7.LDRH_lit, ls.LDRH_lit]], tBad: (t) => t === 13, store: false, hint: 'nop' }),
  ...singles({ name: 'LDRSH', mn: 'ldrsh', hw1: '1U011', ops: [[OpV7.LDRSH_imm12, ls.LDRSH_imm12], [OpV7.LDRSH_imm8, ls.LDRSH_imm8], [OpV7.LDRSH_reg, ls.LDRSH_reg], [OpV7.LDRSH_lit, ls.LDRSH_lit]], tBad: (t) => t === 13, store: false, hint: 'nop' }),
  ...singles({ name: 'STR', mn: 'str', hw1: '0U100', ops: [[OpV7.STR_imm12, ls.STR_imm12], [OpV7.STR_imm8, ls.STR_imm8], [OpV7.STR_reg, ls.STR_reg], null], tBad: (t) => t === 15, store: true }),
  ...singles({ name: 'STRB', mn: 'strb', hw1: '0U000', ops: [[OpV7.STRB_imm12, ls.STRB_imm12], [OpV7.STRB_imm8, ls.STRB_imm8], [OpV7.STRB_reg, ls.STRB_reg], null], tBad: bad, store: true }),
  ...singles({ name: 'STRH', mn: 'strh', hw1: '0U010', ops: [[OpV7.STRH_imm12, ls.STRH_imm12], [OpV7.STRH_imm8, ls.STRH_imm8], [OpV7.STRH_reg, ls.STRH_reg], null], tBad: bad, store: true }),
];

// ---- A5.3.4 branches and miscellaneous control; 16-bit additions ---------------------------

const BRANCH_MISC: Row[] = [
  // cond = 111x is the MSR/MRS/hint/barrier space; words there that match no row of it are UNDEFINED.
  row(OpV7.B_T3, br.B_T3, 'branch-cond', 'B (T3)', '11110 S cccc jjjjjj 10 A 0 B kkkkkkkkkkk', 'branch-w', 'b{cond}.w {tT3}', (f) => f.c >= 14),
  row(OpV7.B_T4, br.B_T4, 'branch', 'B (T4)', '11110 S jjjjjjjjjj 10 A 1 B kkkkkkkkkkk', 'branch-w', 'b.w {tT4}'),
  // MSR/MRS: more fixed bits than the ARMv6-M rows, so these win on ARMv7-M.
  row(OpV7.MSR_v7, sys.MSR_v7, 'msr-mrs', 'MSR', '11110011100 (0) nnnn 10 (0) 0 10 (0)(0) 000 sssss', 'system', 'msr {sysm7}, {rn}',
    (f) => !V7_SYSM.has(f.s) || bad(f.n)),
  // MSR APSR_g / APSR_nzcvqg (mask<0> = 1: the GE bits, ARMv7E-M only).
  row(OpV7.MSR_v7, sys.MSR_v7, 'msr-mrs', 'MSR (APSR_g, APSR_nzcvqg)', '11110011100 (0) nnnn 10 (0) 0 m 1 (0)(0) 00000 sss', 'system', 'msr {msrg}, {rn}',
    (f) => f.s === 4 || bad(f.n), v7em),
  row(OpV7.MRS_v7, sys.MRS_v7, 'msr-mrs', 'MRS', '11110011111 (0) (1)(1)(1)(1) 10 (0) 0 dddd 000 sssss', 'system', 'mrs {rd}, {sysm7}',
    (f) => !V7_SYSM.has(f.s) || bad(f.d)),
  row(OpV7.CPS_v7, sys.CPS_v7, 'alu', 'CPS (with F)', '10110110011 m (0)(0) I F', 'system', 'cps{ie} {cpsif}', (f) => f.I === 0 && f.F === 0),
  row(OpV7.HINT_W, sys.HINT_W, 'hint', 'NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W, DBG (hints)', '11110011101 0 (1)(1)(1)(1) 10 (0) 0 (0) 000 hhhhhhhh', 'hint-w', '{hintw}'),
  needing('hasExclusives', row(OpV7.CLREX, sys.CLREX, 'alu', 'CLREX', '11110011101 1 (1)(1)(1)(1) 10 (0) 0 (1)(1)(1)(1) 0010 (1)(1)(1)(1)', 'exclusive', 'clrex')),
  row(OpV7.CBZ, br.CBZ, 'branch-cond', 'CBZ, CBNZ', '1011 o 0 i 1 iiiii nnn', 'cbz', 'cb{cbnz}z {rn}, {tCB}'),
  // IT with mask 0000 is the hint space (the ARMv6-M HINT row has more fixed bits).
  row(OpV7.IT, br.IT, 'alu', 'IT', '10111111 cccc kkkk', 'it', 'it{itm} {itc}',
    (f) => f.c === 15 || (f.c === 14 && popcount(f.k) !== 1)),
  // LDC, STC, MCR, MRC, MCRR, MRRC, CDP and the FP/SIMD encodings: no coprocessor here (NOCP).
  row(OpV7.COPROC, sys.COPROC, 'undefined', 'coprocessor (LDC, STC, MCR, MRC, MCRR, MRRC, CDP, VFP)', '111 c 11 oooooooooo pppppppppppppppp', 'coproc', 'coprocessor instruction'),
];

export const V7M_ENCODINGS: readonly Row[] = [
  ...DP_IMM, ...DP_PLAIN, ...DP_REG, ...DP_REGISTER, ...MULTIPLY, ...LONG_MULTIPLY,
  ...LOAD_STORE_MULTIPLE, ...DUAL_EXCLUSIVE, ...LOAD_STORE_SINGLE, ...BRANCH_MISC,
];

/**
 * The ARMv7-M rows with their (0)/(1) "should be" bits free ('x'): a word that matches one of
 * these but no row is UNPREDICTABLE, not UNDEFINED, so the reference may execute it. For the
 * conformance harness (sramlab reports such words as UNDEFINED).
 */
export const V7M_SHOULD_BE: readonly { name: string; arch: Arch; pattern: string }[] = shouldBe;
