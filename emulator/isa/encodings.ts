// Every Thumb encoding sramlab decodes, declared as data (after QEMU's decodetree).
// One row per encoding: the bit pattern, the lowest architecture that has it, its handler,
// its cycle class (isa/cycle-class.ts) and how to print it. The decoder, the disassembler and
// the conformance generator are all built from this table; anything that matches no row for
// the selected architecture is UNDEFINED.
//
// Pattern syntax: one character per bit, most significant first; spaces are ignored.
// '0'/'1' are fixed bits; a letter is a bit of the field of that name (a field's bits
// concatenate in order, so "iiiii" is a 5-bit field i). Fields are read by the executor
// with plain shifts; the names here are for the disassembler and the test generator.
// References: ARMv6-M ARM (DDI 0419E) §A5, ARMv7-M ARM (DDI 0403E) §A5.

import type { Handler } from '../instructions/v6m.ts';
import * as v6m from '../instructions/v6m.ts';

export type { Handler };

import type { Arch, Features } from '../profiles.ts';
import type { CycleClass } from './cycle-class.ts';
import { V7M_ENCODINGS } from './encodings-v7m.ts';

/** Row ids, shared by the rows of one instruction: the conformance generator and the 32-bit decode cache key on these. */
export enum Op {
  UNDEFINED = 0,
  // shift, add, subtract, move, compare
  LSLS_imm, LSRS_imm, ASRS_imm, ADDS_reg, SUBS_reg, ADDS_imm3, SUBS_imm3,
  MOVS_imm, CMP_imm, ADDS_imm8, SUBS_imm8,
  // data processing (register)
  ANDS, EORS, LSLS_reg, LSRS_reg, ASRS_reg, ADCS, SBCS, RORS, TST, RSBS, CMP_reg, CMN,
  ORRS, MULS, BICS, MVNS,
  // special data and branch
  ADD_hi, CMP_hi, MOV_hi, BX, BLX,
  // loads and stores
  LDR_lit, STR_reg, STRH_reg, STRB_reg, LDRSB_reg, LDR_reg, LDRH_reg, LDRB_reg, LDRSH_reg,
  STR_imm, LDR_imm, STRB_imm, LDRB_imm, STRH_imm, LDRH_imm, STR_sp, LDR_sp,
  ADR, ADD_sp_imm8, ADD_sp_imm7, SUB_sp_imm7,
  SXTH, SXTB, UXTH, UXTB, PUSH, POP, CPS, REV, REV16, REVSH, BKPT, HINT,
  STM, LDM, B_cond, UDF, SVC, B,
  // 32-bit (ARMv6-M subset)
  BL, MSR, MRS, DSB, DMB, ISB, UDF_W,
  COUNT,
}

/** The features of a core that decide which rows it decodes. */
export type IsaFeature = keyof Pick<Features, 'hasThumb2' | 'hasExclusives' | 'hasDivide' | 'hasDsp'>;

export interface Encoding {
  /** An Op (ARMv6-M) or an OpV7 (ARMv7-M and later, numbered from Op.COUNT up). */
  op: number;
  /**
   * What the instruction does: called with the CPU and the instruction (a halfword, or
   * hw1 << 16 | hw2); it charges its own cycles. Every row of the table has one (the
   * decoder checks); rows built elsewhere only to match words (conformance) may leave it out.
   */
  exec?: Handler;
  /**
   * What the instruction costs, as a line of the TRM timing tables (isa/cycle-class.ts): the
   * figures `exec` charges. Every row of the table has one (the Row type); tests/cycle-class.test.ts
   * checks each row's handler against it.
   */
  cycles?: CycleClass;
  /** Mnemonic and form, as in the ARM ARM index; used in reports. */
  name: string;
  pattern: string;
  arch: Arch;
  /**
   * The features a core needs to decode the row; by default what its arch adds to ARMv6-M
   * (ARMv7-M: Thumb-2; ARMv7E-M: Thumb-2 and DSP). Exclusives and divide name their own, so
   * a core with them but no Thumb-2 (Cortex-M23) decodes just those.
   */
  needs?: readonly IsaFeature[];
  /** A 16-bit row that sets the flags outside an IT block and leaves them alone inside one (ARMv7-M A7.3). */
  flagsOutsideIT?: true;
  /** Conformance class: random tests are spread evenly over these. */
  cls: string;
  /** Disassembly template: {x} is field x as a number, {rx} as a register, {lx} a register list. */
  asm: string;
  /** UNPREDICTABLE field combinations: sramlab treats them as UNDEFINED; conformance skips them. */
  unpredictable?: (f: Record<string, number>) => boolean;
}

const V6M: Arch = 'v6m';

/** A row of the table: it has its handler and its cycle class. */
export type Row = Encoding & Required<Pick<Encoding, 'exec' | 'cycles'>>;

const V6M_ENCODINGS: readonly Row[] = [
  // A5.2.1 shift (immediate), add, subtract, move, and compare
  { op: Op.LSLS_imm, exec: v6m.LSLS_imm, cycles: 'alu', name: 'LSLS (immediate)', pattern: '00000 iiiii mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-imm', asm: 'lsls {rd}, {rm}, #{i}' },
  { op: Op.LSRS_imm, exec: v6m.LSRS_imm, cycles: 'alu', name: 'LSRS (immediate)', pattern: '00001 iiiii mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-imm', asm: 'lsrs {rd}, {rm}, #{i32}' },
  { op: Op.ASRS_imm, exec: v6m.ASRS_imm, cycles: 'alu', name: 'ASRS (immediate)', pattern: '00010 iiiii mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-imm', asm: 'asrs {rd}, {rm}, #{i32}' },
  { op: Op.ADDS_reg, exec: v6m.ADDS_reg, cycles: 'alu', name: 'ADDS (register)', pattern: '0001100 mmm nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'add-sub', asm: 'adds {rd}, {rn}, {rm}' },
  { op: Op.SUBS_reg, exec: v6m.SUBS_reg, cycles: 'alu', name: 'SUBS (register)', pattern: '0001101 mmm nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'add-sub', asm: 'subs {rd}, {rn}, {rm}' },
  { op: Op.ADDS_imm3, exec: v6m.ADDS_imm3, cycles: 'alu', name: 'ADDS (immediate, T1)', pattern: '0001110 iii nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'add-sub', asm: 'adds {rd}, {rn}, #{i}' },
  { op: Op.SUBS_imm3, exec: v6m.SUBS_imm3, cycles: 'alu', name: 'SUBS (immediate, T1)', pattern: '0001111 iii nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'add-sub', asm: 'subs {rd}, {rn}, #{i}' },
  { op: Op.MOVS_imm, exec: v6m.MOVS_imm, cycles: 'alu', name: 'MOVS (immediate)', pattern: '00100 ddd iiiiiiii', arch: V6M, flagsOutsideIT: true, cls: 'imm8', asm: 'movs {rd}, #{i}' },
  { op: Op.CMP_imm, exec: v6m.CMP_imm, cycles: 'alu', name: 'CMP (immediate)', pattern: '00101 nnn iiiiiiii', arch: V6M, cls: 'imm8', asm: 'cmp {rn}, #{i}' },
  { op: Op.ADDS_imm8, exec: v6m.ADDS_imm8, cycles: 'alu', name: 'ADDS (immediate, T2)', pattern: '00110 ddd iiiiiiii', arch: V6M, flagsOutsideIT: true, cls: 'imm8', asm: 'adds {rd}, #{i}' },
  { op: Op.SUBS_imm8, exec: v6m.SUBS_imm8, cycles: 'alu', name: 'SUBS (immediate, T2)', pattern: '00111 ddd iiiiiiii', arch: V6M, flagsOutsideIT: true, cls: 'imm8', asm: 'subs {rd}, #{i}' },

  // A5.2.2 data processing
  { op: Op.ANDS, exec: v6m.ANDS, cycles: 'alu', name: 'ANDS (register)', pattern: '0100000000 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'ands {rd}, {rm}' },
  { op: Op.EORS, exec: v6m.EORS, cycles: 'alu', name: 'EORS (register)', pattern: '0100000001 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'eors {rd}, {rm}' },
  { op: Op.LSLS_reg, exec: v6m.LSLS_reg, cycles: 'alu', name: 'LSLS (register)', pattern: '0100000010 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-reg', asm: 'lsls {rd}, {rm}' },
  { op: Op.LSRS_reg, exec: v6m.LSRS_reg, cycles: 'alu', name: 'LSRS (register)', pattern: '0100000011 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-reg', asm: 'lsrs {rd}, {rm}' },
  { op: Op.ASRS_reg, exec: v6m.ASRS_reg, cycles: 'alu', name: 'ASRS (register)', pattern: '0100000100 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-reg', asm: 'asrs {rd}, {rm}' },
  { op: Op.ADCS, exec: v6m.ADCS, cycles: 'alu', name: 'ADCS (register)', pattern: '0100000101 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'adcs {rd}, {rm}' },
  { op: Op.SBCS, exec: v6m.SBCS, cycles: 'alu', name: 'SBCS (register)', pattern: '0100000110 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'sbcs {rd}, {rm}' },
  { op: Op.RORS, exec: v6m.RORS, cycles: 'alu', name: 'RORS (register)', pattern: '0100000111 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'shift-reg', asm: 'rors {rd}, {rm}' },
  { op: Op.TST, exec: v6m.TST, cycles: 'alu', name: 'TST (register)', pattern: '0100001000 mmm nnn', arch: V6M, cls: 'alu', asm: 'tst {rn}, {rm}' },
  { op: Op.RSBS, exec: v6m.RSBS, cycles: 'alu', name: 'RSBS (immediate)', pattern: '0100001001 nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'rsbs {rd}, {rn}, #0' },
  { op: Op.CMP_reg, exec: v6m.CMP_reg, cycles: 'alu', name: 'CMP (register, T1)', pattern: '0100001010 mmm nnn', arch: V6M, cls: 'alu', asm: 'cmp {rn}, {rm}' },
  { op: Op.CMN, exec: v6m.CMN, cycles: 'alu', name: 'CMN (register)', pattern: '0100001011 mmm nnn', arch: V6M, cls: 'alu', asm: 'cmn {rn}, {rm}' },
  { op: Op.ORRS, exec: v6m.ORRS, cycles: 'alu', name: 'ORRS (register)', pattern: '0100001100 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'orrs {rd}, {rm}' },
  { op: Op.MULS, exec: v6m.MULS, cycles: 'mul', name: 'MULS', pattern: '0100001101 nnn ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'muls {rd}, {rn}, {rd}' },
  { op: Op.BICS, exec: v6m.BICS, cycles: 'alu', name: 'BICS (register)', pattern: '0100001110 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'bics {rd}, {rm}' },
  { op: Op.MVNS, exec: v6m.MVNS, cycles: 'alu', name: 'MVNS (register)', pattern: '0100001111 mmm ddd', arch: V6M, flagsOutsideIT: true, cls: 'alu', asm: 'mvns {rd}, {rm}' },

  // A5.2.3 special data instructions and branch and exchange
  { op: Op.ADD_hi, exec: v6m.ADD_hi, cycles: 'alu', name: 'ADD (register, T2)', pattern: '01000100 D mmmm ddd', arch: V6M, cls: 'hi-reg', asm: 'add {rdD}, {rm}',
    unpredictable: (f) => ((f.D << 3) | f.d) === 15 && f.m === 15 },
  { op: Op.CMP_hi, exec: v6m.CMP_hi, cycles: 'alu', name: 'CMP (register, T2)', pattern: '01000101 N mmmm nnn', arch: V6M, cls: 'hi-reg', asm: 'cmp {rnN}, {rm}',
    unpredictable: (f) => (((f.N << 3) | f.n) < 8 && f.m < 8) || ((f.N << 3) | f.n) === 15 || f.m === 15 },
  { op: Op.MOV_hi, exec: v6m.MOV_hi, cycles: 'alu', name: 'MOV (register, T1)', pattern: '01000110 D mmmm ddd', arch: V6M, cls: 'hi-reg', asm: 'mov {rdD}, {rm}' },
  { op: Op.BX, exec: v6m.BX, cycles: 'branch', name: 'BX', pattern: '010001110 mmmm zzz', arch: V6M, cls: 'branch', asm: 'bx {rm}',
    unpredictable: (f) => f.z !== 0 || f.m === 15 },
  { op: Op.BLX, exec: v6m.BLX, cycles: 'branch', name: 'BLX (register)', pattern: '010001111 mmmm zzz', arch: V6M, cls: 'branch', asm: 'blx {rm}',
    unpredictable: (f) => f.z !== 0 || f.m === 15 },

  // A5.2.4 load/store single data item
  { op: Op.LDR_lit, exec: v6m.LDR_lit, cycles: 'load', name: 'LDR (literal)', pattern: '01001 ttt iiiiiiii', arch: V6M, cls: 'load-lit', asm: 'ldr {rt}, [pc, #{i4}]' },
  { op: Op.STR_reg, exec: v6m.STR_reg, cycles: 'store', name: 'STR (register)', pattern: '0101000 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'str {rt}, [{rn}, {rm}]' },
  { op: Op.STRH_reg, exec: v6m.STRH_reg, cycles: 'store', name: 'STRH (register)', pattern: '0101001 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'strh {rt}, [{rn}, {rm}]' },
  { op: Op.STRB_reg, exec: v6m.STRB_reg, cycles: 'store', name: 'STRB (register)', pattern: '0101010 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'strb {rt}, [{rn}, {rm}]' },
  { op: Op.LDRSB_reg, exec: v6m.LDRSB_reg, cycles: 'load', name: 'LDRSB (register)', pattern: '0101011 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'ldrsb {rt}, [{rn}, {rm}]' },
  { op: Op.LDR_reg, exec: v6m.LDR_reg, cycles: 'load', name: 'LDR (register)', pattern: '0101100 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'ldr {rt}, [{rn}, {rm}]' },
  { op: Op.LDRH_reg, exec: v6m.LDRH_reg, cycles: 'load', name: 'LDRH (register)', pattern: '0101101 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'ldrh {rt}, [{rn}, {rm}]' },
  { op: Op.LDRB_reg, exec: v6m.LDRB_reg, cycles: 'load', name: 'LDRB (register)', pattern: '0101110 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'ldrb {rt}, [{rn}, {rm}]' },
  { op: Op.LDRSH_reg, exec: v6m.LDRSH_reg, cycles: 'load', name: 'LDRSH (register)', pattern: '0101111 mmm nnn ttt', arch: V6M, cls: 'ldst-reg', asm: 'ldrsh {rt}, [{rn}, {rm}]' },
  { op: Op.STR_imm, exec: v6m.STR_imm, cycles: 'store', name: 'STR (immediate, T1)', pattern: '01100 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'str {rt}, [{rn}, #{i4}]' },
  { op: Op.LDR_imm, exec: v6m.LDR_imm, cycles: 'load', name: 'LDR (immediate, T1)', pattern: '01101 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'ldr {rt}, [{rn}, #{i4}]' },
  { op: Op.STRB_imm, exec: v6m.STRB_imm, cycles: 'store', name: 'STRB (immediate)', pattern: '01110 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'strb {rt}, [{rn}, #{i}]' },
  { op: Op.LDRB_imm, exec: v6m.LDRB_imm, cycles: 'load', name: 'LDRB (immediate)', pattern: '01111 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'ldrb {rt}, [{rn}, #{i}]' },
  { op: Op.STRH_imm, exec: v6m.STRH_imm, cycles: 'store', name: 'STRH (immediate)', pattern: '10000 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'strh {rt}, [{rn}, #{i2}]' },
  { op: Op.LDRH_imm, exec: v6m.LDRH_imm, cycles: 'load', name: 'LDRH (immediate)', pattern: '10001 iiiii nnn ttt', arch: V6M, cls: 'ldst-imm', asm: 'ldrh {rt}, [{rn}, #{i2}]' },
  { op: Op.STR_sp, exec: v6m.STR_sp, cycles: 'store', name: 'STR (immediate, T2)', pattern: '10010 ttt iiiiiiii', arch: V6M, cls: 'ldst-sp', asm: 'str {rt}, [sp, #{i4}]' },
  { op: Op.LDR_sp, exec: v6m.LDR_sp, cycles: 'load', name: 'LDR (immediate, T2)', pattern: '10011 ttt iiiiiiii', arch: V6M, cls: 'ldst-sp', asm: 'ldr {rt}, [sp, #{i4}]' },

  // A5.2 PC- and SP-relative address generation
  { op: Op.ADR, exec: v6m.ADR, cycles: 'alu', name: 'ADR', pattern: '10100 ddd iiiiiiii', arch: V6M, cls: 'addr-gen', asm: 'adr {rd}, pc, #{i4}' },
  { op: Op.ADD_sp_imm8, exec: v6m.ADD_sp_imm8, cycles: 'alu', name: 'ADD (SP plus immediate, T1)', pattern: '10101 ddd iiiiiiii', arch: V6M, cls: 'addr-gen', asm: 'add {rd}, sp, #{i4}' },

  // A5.2.5 miscellaneous 16-bit instructions
  { op: Op.ADD_sp_imm7, exec: v6m.ADD_sp_imm7, cycles: 'alu', name: 'ADD (SP plus immediate, T2)', pattern: '101100000 iiiiiii', arch: V6M, cls: 'sp-adjust', asm: 'add sp, #{i4}' },
  { op: Op.SUB_sp_imm7, exec: v6m.SUB_sp_imm7, cycles: 'alu', name: 'SUB (SP minus immediate)', pattern: '101100001 iiiiiii', arch: V6M, cls: 'sp-adjust', asm: 'sub sp, #{i4}' },
  { op: Op.SXTH, exec: v6m.SXTH, cycles: 'alu', name: 'SXTH', pattern: '1011001000 mmm ddd', arch: V6M, cls: 'extend', asm: 'sxth {rd}, {rm}' },
  { op: Op.SXTB, exec: v6m.SXTB, cycles: 'alu', name: 'SXTB', pattern: '1011001001 mmm ddd', arch: V6M, cls: 'extend', asm: 'sxtb {rd}, {rm}' },
  { op: Op.UXTH, exec: v6m.UXTH, cycles: 'alu', name: 'UXTH', pattern: '1011001010 mmm ddd', arch: V6M, cls: 'extend', asm: 'uxth {rd}, {rm}' },
  { op: Op.UXTB, exec: v6m.UXTB, cycles: 'alu', name: 'UXTB', pattern: '1011001011 mmm ddd', arch: V6M, cls: 'extend', asm: 'uxtb {rd}, {rm}' },
  { op: Op.PUSH, exec: v6m.PUSH, cycles: 'multiple', name: 'PUSH', pattern: '1011010 M llllllll', arch: V6M, cls: 'push-pop', asm: 'push {lM}',
    unpredictable: (f) => f.l === 0 && f.M === 0 },
  { op: Op.POP, exec: v6m.POP, cycles: 'multiple', name: 'POP', pattern: '1011110 P llllllll', arch: V6M, cls: 'push-pop', asm: 'pop {lP}',
    unpredictable: (f) => f.l === 0 && f.P === 0 },
  { op: Op.CPS, exec: v6m.CPS, cycles: 'alu', name: 'CPS', pattern: '10110110011 m 0010', arch: V6M, cls: 'system', asm: 'cps{ie} i' },
  { op: Op.REV, exec: v6m.REV, cycles: 'alu', name: 'REV', pattern: '1011101000 mmm ddd', arch: V6M, cls: 'extend', asm: 'rev {rd}, {rm}' },
  { op: Op.REV16, exec: v6m.REV16, cycles: 'alu', name: 'REV16', pattern: '1011101001 mmm ddd', arch: V6M, cls: 'extend', asm: 'rev16 {rd}, {rm}' },
  { op: Op.REVSH, exec: v6m.REVSH, cycles: 'alu', name: 'REVSH', pattern: '1011101011 mmm ddd', arch: V6M, cls: 'extend', asm: 'revsh {rd}, {rm}' },
  { op: Op.BKPT, exec: v6m.BKPT, cycles: 'exception', name: 'BKPT', pattern: '10111110 iiiiiiii', arch: V6M, cls: 'trap', asm: 'bkpt #{i}' },
  // NOP, YIELD, WFE, WFI, SEV; the rest of the hint space executes as NOP.
  { op: Op.HINT, exec: v6m.HINT, cycles: 'hint', name: 'hint', pattern: '10111111 hhhh 0000', arch: V6M, cls: 'hint', asm: '{hint}' },

  // A5.2 multiple loads and stores, branches, supervisor call
  // With the base in the list but not lowest, the word stored for it is UNKNOWN (the STM
  // pseudocode of both ARMs: "MemA[address,4] = bits(32) UNKNOWN"), which is not UNPREDICTABLE:
  // the store happens. sramlab stores the base as it was before the instruction (instructions/v6m.ts).
  { op: Op.STM, exec: v6m.STM, cycles: 'multiple', name: 'STM (STMIA, STMEA)', pattern: '11000 nnn llllllll', arch: V6M, cls: 'ldm-stm', asm: 'stm {rn}!, {l}',
    unpredictable: (f) => f.l === 0 },
  { op: Op.LDM, exec: v6m.LDM, cycles: 'multiple', name: 'LDM (LDMIA, LDMFD)', pattern: '11001 nnn llllllll', arch: V6M, cls: 'ldm-stm', asm: 'ldm {rn}{wb}, {l}',
    unpredictable: (f) => f.l === 0 },
  { op: Op.B_cond, exec: v6m.B_cond, cycles: 'branch-cond', name: 'B (T1)', pattern: '1101 cccc iiiiiiii', arch: V6M, cls: 'branch', asm: 'b{cond} {target8}',
    unpredictable: (f) => f.c >= 14 },
  { op: Op.UDF, exec: v6m.UDF, cycles: 'undefined', name: 'UDF (T1)', pattern: '11011110 iiiiiiii', arch: V6M, cls: 'trap', asm: 'udf #{i}' },
  { op: Op.SVC, exec: v6m.SVC, cycles: 'exception', name: 'SVC', pattern: '11011111 iiiiiiii', arch: V6M, cls: 'trap', asm: 'svc #{i}' },
  { op: Op.B, exec: v6m.B, cycles: 'branch', name: 'B (T2)', pattern: '11100 iiiiiiiiiii', arch: V6M, cls: 'branch', asm: 'b {target11}' },

  // A5.3 32-bit Thumb instructions in ARMv6-M
  { op: Op.BL, exec: v6m.BL, cycles: 'bl', name: 'BL', pattern: '11110 S jjjjjjjjjj 11 A 1 B kkkkkkkkkkk', arch: V6M, cls: 'bl', asm: 'bl {targetBL}' },
  { op: Op.MSR, exec: v6m.MSR, cycles: 'msr-mrs', name: 'MSR', pattern: '11110011100 0 nnnn 10 0 0 1000 ssssssss', arch: V6M, cls: 'system', asm: 'msr {sysm}, {rn}',
    unpredictable: (f) => !isSysm(f.s) || f.n >= 13 },
  { op: Op.MRS, exec: v6m.MRS, cycles: 'msr-mrs', name: 'MRS', pattern: '11110011111 0 1111 10 0 0 dddd ssssssss', arch: V6M, cls: 'system', asm: 'mrs {rd}, {sysm}',
    unpredictable: (f) => !isSysm(f.s) || f.d >= 13 },
  { op: Op.DSB, exec: v6m.BARRIER, cycles: 'barrier', name: 'DSB', pattern: '11110011101 1 1111 10 0 0 1111 0100 oooo', arch: V6M, cls: 'barrier', asm: 'dsb #{o}' },
  { op: Op.DMB, exec: v6m.BARRIER, cycles: 'barrier', name: 'DMB', pattern: '11110011101 1 1111 10 0 0 1111 0101 oooo', arch: V6M, cls: 'barrier', asm: 'dmb #{o}' },
  { op: Op.ISB, exec: v6m.BARRIER, cycles: 'barrier', name: 'ISB', pattern: '11110011101 1 1111 10 0 0 1111 0110 oooo', arch: V6M, cls: 'barrier', asm: 'isb #{o}' },
  { op: Op.UDF_W, exec: v6m.UDF_W, cycles: 'undefined', name: 'UDF (T2)', pattern: '111101111111 iiii 1010 jjjjjjjjjjjj', arch: V6M, cls: 'trap', asm: 'udf.w #{ij}' },
];

export const ENCODINGS: readonly Row[] = [...V6M_ENCODINGS, ...V7M_ENCODINGS];

/** Special-register numbers (SYSm) of MRS/MSR in ARMv6-M. */
export const SYSM_NAMES: Readonly<Record<number, string>> = {
  0: 'apsr', 1: 'iapsr', 2: 'eapsr', 3: 'xpsr', 5: 'ipsr', 6: 'epsr', 7: 'iepsr',
  8: 'msp', 9: 'psp', 16: 'primask', 20: 'control',
};
const isSysm = (s: number): boolean => s in SYSM_NAMES;

/** True when the first halfword starts a 32-bit instruction (0b11101, 0b11110, 0b11111). */
export const is32bit = (hw1: number): boolean => (hw1 >>> 11) >= 0b11101;
