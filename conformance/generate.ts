// Seeded test cases for the differential CPU test: one instruction each, with the machine
// state around it. Cases are spread evenly over the conformance classes (`cls`) of the
// encoding table for the profile's architecture, with random fields; about 5% are random
// 16- and 32-bit words instead, to compare which words are UNDEFINED at all.
//
// Two kinds of case on ARMv7-M are short programs (a Block) that both engines run to an end
// address, because one instruction alone says too little or cannot be stepped on the reference:
// - an IT instruction with its block of 1–4 instructions (Unicorn's single step of an IT runs
//   on into the block), in the 'it' class;
// - an LDREX/STREX sequence (LDREX, optionally CLREX, a far store or a second LDREX, then
//   two STREX, the second of which must fail), in a class of its own, 'exclusive-seq'.
//
// Memory plan (both engines get the same bytes): flash and SRAM start out random; the
// instruction under test is written at a random halfword in flash, so LDR (literal) and ADR
// read known random data around it; loads, stores and the stack aim mostly at a 4 KiB SRAM
// window, which gets fresh bytes before each case, and sometimes at flash, at unmapped
// addresses or off alignment.

import type { CpuState, StepStop } from '../emulator/engine.ts';
import type { FaultReport } from '../emulator/fault.ts';
import { type CompiledEncoding, compile, extractFields, rowsFor } from '../emulator/isa/decoder.ts';
import { is32bit, Op } from '../emulator/isa/encodings.ts';
import { OpV7, V7M_SHOULD_BE } from '../emulator/isa/encodings-v7m.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import type { Arch, Profile } from '../emulator/profiles.ts';
import { Prng } from '../runners/prng.ts';

export interface Layout {
  flashSize: number;
  sramSize: number;
  /** The SRAM window that base registers and the stack point into. */
  window: number;
  windowSize: number;
  /** Instructions under test go in [codeLow, codeHigh). */
  codeLow: number;
  codeHigh: number;
  /** Flash address of the prelude (PRELUDE_CODE, or PRELUDE_CODE_V7 on ARMv7-M). */
  scratch: number;
  /** Flash address of the postlude (POSTLUDE_CODE, ARMv7-M only; -1 on ARMv6-M). */
  postlude: number;
}

export function layoutFor(p: Profile): Layout {
  if (p.flashSize < 0x4000 || p.sramSize < 0x4000) throw new Error(`${p.name}: conformance needs at least 16 KiB of flash and SRAM`);
  return {
    flashSize: p.flashSize,
    sramSize: p.sramSize,
    window: SRAM_BASE + 0x1000,
    windowSize: 0x1000,
    // Room below for backward branches, above for the literal pool (PC + 1020) and the prelude.
    codeLow: 0x800,
    codeHigh: p.flashSize - 0x1000,
    scratch: p.arch === 'v6m' ? p.flashSize - 0x10 : p.flashSize - 0x20,
    postlude: p.arch === 'v6m' ? -1 : p.flashSize - 0x10,
  };
}

/** The prelude's two instructions, as halfwords in memory order. */
export const PRELUDE_CODE = [0xf380, 0x8809, 0xf381, 0x8814]; // msr psp, r0; msr control, r1
/**
 * The ARMv7-M prelude: also BASEPRI from r2, and FAULTMASK cleared (CPSIE f), then set when
 * the prelude asks for it (CPSID f, a fifth step).
 */
export const PRELUDE_CODE_V7 = [
  0xf380,
  0x8809,
  0xf381,
  0x8814, // msr psp, r0; msr control, r1
  0xf382,
  0x8811,
  0xb661,
  0xb671, // msr basepri, r2; cpsie f; cpsid f
];
/** Reads BASEPRI and FAULTMASK after an ARMv7-M system case: `mrs r0, basepri; mrs r1, faultmask`. */
export const POSTLUDE_CODE = [0xf3ef, 0x8011, 0xf3ef, 0x8113];

/**
 * Sets the banked stack pointers before an MSR/MRS/CPS case, through the instructions
 * firmware would use, since CpuState holds only the current SP: run with SP = msp,
 * r0 = psp, r1 = spsel << 1; the case's own SP then replaces the selected one. On ARMv7-M it
 * also sets BASEPRI (r2) and FAULTMASK, which CpuState does not hold either; after the case
 * the postlude reads them back on both engines, so that MSR BASEPRI/FAULTMASK and CPS are
 * compared too.
 */
export interface Prelude {
  msp: number;
  psp: number;
  spsel: number;
  basepri?: number;
  faultmask?: number;
}

/** One instruction: a case's own, or one of a block's. */
export interface Insn {
  /** A halfword, or hw1 << 16 | hw2. */
  word: number;
  width: 16 | 32;
  /** The most specific row the word matches, UNPREDICTABLE rules aside; undefined if none. */
  row: CompiledEncoding | undefined;
  fields: Record<string, number>;
}

export interface BlockInsn extends Insn {
  row: CompiledEncoding;
  address: number;
  /**
   * UNPREDICTABLE where it stands in its IT block (CBZ, IT, B<cond>, or a write to the PC
   * before the block's last instruction): sramlab must stop there with UNDEFINED if its
   * condition passes, and the reference is not compared then.
   */
  special: boolean;
}

/** A short program that both engines run from the case's PC to `end`. */
export interface Block {
  kind: 'it-block' | 'exclusive-seq';
  insns: BlockInsn[];
  /** Address just past the last instruction. */
  end: number;
  /** The program's bytes, written at the case's PC. */
  code: Uint8Array;
}

export interface TestCase extends Insn {
  index: number;
  /** 'encoding': a row of the table with random fields; 'random': a random word. */
  source: 'encoding' | 'random';
  /** The class it was drawn from: a row's `cls`, 'exclusive-seq', or 'random'. */
  cls: string;
  /**
   * IT blocks and exclusive sequences: the program run to its end (the case's own word is
   * its first instruction). Null for a single instruction.
   */
  block: Block | null;
  /**
   * UNPREDICTABLE in the ARM ARM (a row's rule, or a "should be" bit off): sramlab must
   * report UNDEFINED; the reference is not asked, since any behaviour is allowed there.
   */
  unpredictable: boolean;
  state: CpuState;
  /** Fresh bytes for the SRAM window, written to both engines before the case. */
  fill: { address: number; bytes: Uint8Array };
  prelude: Prelude | null;
}

// ---- UNPREDICTABLE forms that the table does not spell as rules --------------------------

/**
 * Encodings whose ARM ARM diagram has "should be" bits, (0) or (1): a word with another
 * value there is UNPREDICTABLE. The table fixes those bits, so in sramlab such a word matches
 * no row and is UNDEFINED, while the reference may execute it. Here 'x' marks the
 * should-be bits (ARMv6-M ARM, DDI 0419E, §A6.7 encoding diagrams).
 */
const SHOULD_BE: readonly { name: string; arch: Arch; pattern: string }[] = [
  { name: 'CPS', arch: 'v6m', pattern: '10110110011 m xxxx' },
  { name: 'MSR', arch: 'v6m', pattern: '11110011100 x nnnn 10 x 0 xxxx ssssssss' },
  { name: 'MRS', arch: 'v6m', pattern: '11110011111 x xxxx 10 x 0 dddd ssssssss' },
  { name: 'DSB', arch: 'v6m', pattern: '11110011101 1 xxxx 10 x 0 xxxx 0100 oooo' },
  { name: 'DMB', arch: 'v6m', pattern: '11110011101 1 xxxx 10 x 0 xxxx 0101 oooo' },
  { name: 'ISB', arch: 'v6m', pattern: '11110011101 1 xxxx 10 x 0 xxxx 0110 oooo' },
];
/** The ARMv7-M and ARMv7E-M rows' should-be bits (ARMv7-M ARM, DDI 0403E, chapter A7 diagrams). */
const SHOULD_BE_ROWS = [...SHOULD_BE, ...V7M_SHOULD_BE].map((s) =>
  compile({ op: Op.UNDEFINED, name: s.name, pattern: s.pattern, arch: s.arch, cls: 'should-be', asm: '' }),
);

const matches = (c: CompiledEncoding, word: number): boolean => (word & c.mask) >>> 0 === c.value;
const ARCH_RANK: Record<Arch, number> = { v6m: 0, v7m: 1, v7em: 2 };

/** True when a word that sramlab finds in no row is an UNPREDICTABLE variant of one that exists. */
export function isShouldBeVariant(arch: Arch, word: number, width: 16 | 32): boolean {
  const rank = ARCH_RANK[arch];
  return SHOULD_BE_ROWS.some((c) => c.width === width && ARCH_RANK[c.enc.arch] <= rank && matches(c, word));
}

// ---- known deviations of the reference ---------------------------------------------------

/** One difference between the engines after a case, as compare.ts finds them. */
export interface StateDiff {
  /** A register ('r3', 'sp', 'n', …), 'stop', 'basepri'/'faultmask' (postlude), or 'mem 0x…'. */
  what: string;
  before?: number;
  ts: number | string;
  ref: number | string;
}

/** What compare.ts saw on a case, for deciding whether a known deviation explains it. */
export interface Observation {
  tsStop: StepStop;
  refStop?: StepStop;
  tsFault?: FaultReport;
  /** The instruction sramlab stopped on: the case's own, or a block's (null: the block ran to its end). */
  at: Insn | null;
  /** sramlab's registers before `at` ran (the case's state; in a block, those where sramlab stopped). */
  before: CpuState;
  /** The reference's registers where it stopped. */
  ref: CpuState;
  /**
   * IT blocks with an ISB before their last instruction: true when the reference's result is
   * sramlab's for the same code with the block ended at the ISB (see isb-ends-it-block).
   */
  isbEndsBlock?: boolean;
  /** Differences left after the harness's own rules. */
  diffs: readonly StateDiff[];
}

/** A case on which the reference is known to be wrong, with the ARM ARM's reason. */
export interface Deviation {
  id: string;
  /** Profiles it concerns (by architecture). */
  arch: readonly Arch[];
  /** True when it explains how the engines disagreed on a case. */
  covers(c: TestCase, o: Observation, profile: Profile): boolean;
  reference: string;
  reason: string;
}

const hw16 = (c: Insn | null): number => (c && c.width === 16 ? c.word : -1);
const w32 = (c: Insn | null): number => (c && c.width === 32 ? c.word >>> 0 : -1);
const opOf = (c: Insn | null): number => c?.row?.enc.op ?? -1;
/** sramlab said UNDEFINED and the reference ran the word: what every decode deviation looks like. */
const refRanUndefined = (o: Observation): boolean =>
  o.diffs.some((d) => d.what === 'stop' && d.ts === 'undefined' && d.ref !== 'undefined');
/** The only differences are the listed ones (and how the step stopped, and the PC). */
const onlyIn = (o: Observation, allowed: readonly string[]): boolean =>
  o.diffs.every((d) => d.what === 'stop' || d.what === 'pc' || allowed.includes(d.what));
const diffOf = (o: Observation, what: string): StateDiff | undefined => o.diffs.find((d) => d.what === what);
/** How compare.ts names register k in a StateDiff. */
export const regName = (k: number): string => (k === 13 ? 'sp' : k === 14 ? 'lr' : k === 15 ? 'pc' : `r${k}`);

/** Loads and stores that are always word-aligned in ARMv7-M (A3.2.1), with their base register. */
const ALWAYS_ALIGNED = new Set<number>([
  Op.LDM,
  Op.STM,
  Op.PUSH,
  Op.POP,
  OpV7.LDM_W,
  OpV7.LDMDB,
  OpV7.STM_W,
  OpV7.STMDB,
  OpV7.LDRD_imm,
  OpV7.STRD_imm,
]);
const baseOf = (i: Insn): number => (opOf(i) === Op.PUSH || opOf(i) === Op.POP ? 13 : i.fields.n);

/** The ARMv7E-M rows that ARMv7-M does not have. */
const DSP_ONLY_ROWS = rowsFor('v7em').filter((r) => r.enc.arch === 'v7em');

/**
 * BASEPRI as an MSR/MRS case leaves it, with `bits` priority bits implemented (see
 * basepri-all-bits). BASEPRI_MAX follows the MSR pseudocode (ARMv7-M ARM B5.2.3): the
 * comparison is on R[n]<7:0> as written, and the write then keeps the implemented bits only.
 */
function basepriModel(c: TestCase, bits: number): { basepri: number; read: number } {
  const mask = (0xff << (8 - bits)) & 0xff;
  let b = (c.prelude?.basepri ?? 0) & mask;
  let read = -1;
  const op = opOf(c),
    s = c.fields.s;
  if (op === OpV7.MRS_v7 && (s === 17 || s === 18)) read = b;
  if (op === OpV7.MSR_v7 && (s === 17 || s === 18)) {
    const v = c.state.r[c.fields.n] & 0xff;
    if (s === 17) b = v & mask;
    else if (v !== 0 && (v < b || b === 0)) b = v & mask;
  }
  return { basepri: b, read };
}

export const KNOWN_DEVIATIONS: readonly Deviation[] = [
  {
    id: 'it-on-v6m',
    arch: ['v6m'],
    covers: (c, o) => (hw16(c) & 0xff00) === 0xbf00 && (c.word & 0xf) !== 0 && refRanUndefined(o),
    reference: "Unicorn's Cortex-M0 model executes IT, with the instructions of its block, in one step",
    reason: 'IT is ARMv7-M only: in ARMv6-M only the hints 0xBFx0 exist and 0xBFxy with y != 0 is UNDEFINED (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'cbz-on-v6m',
    arch: ['v6m'],
    covers: (c, o) => (hw16(c) & 0xf500) === 0xb100 && refRanUndefined(o),
    reference: "Unicorn's Cortex-M0 model executes CBZ/CBNZ",
    reason: 'CBZ/CBNZ are ARMv7-M only: 1011 x0x1 xxxx xxxx is UNDEFINED in ARMv6-M (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'setend-on-v6m',
    arch: ['v6m'],
    covers: (c, o) => (hw16(c) & 0xfff7) === 0xb650 && refRanUndefined(o),
    reference: "Unicorn's Cortex-M0 model executes SETEND (1011 0110 0101 E000) as a no-op",
    reason: 'SETEND exists only in the A and R profiles; the encoding is UNDEFINED in ARMv6-M (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'sp-low-bits',
    arch: ['v6m', 'v7m', 'v7em'],
    covers: (_c, o) => o.diffs.every((d) => d.what.endsWith('sp') && typeof d.ref === 'number' && d.ts === (d.ref & ~3) >>> 0),
    reference: 'Unicorn 2.0.1 (QEMU 5.0) keeps bits [1:0] of a value written to SP (MOV/ADD SP, MSR MSP/PSP); QEMU fixed this in 6.1',
    reason: 'on M-profile SP[1:0] are RES0H, hardwired to zero, so writes to them are ignored (ARM ARM, ARM core registers: the SP)',
  },
  {
    id: 'msr-sets-q-on-v6m',
    arch: ['v6m'],
    covers: (c, o) => c.row?.enc.op === Op.MSR && c.fields.s <= 3 && o.diffs.every((d) => d.what === 'q' && d.ts === 0),
    reference: "Unicorn's Cortex-M0 model lets MSR APSR set the Q flag from bit 27",
    reason: 'ARMv6-M has no Q flag: APSR bits [27:0] are reserved, so MSR APSR writes only N, Z, C and V (ARMv6-M ARM, MSR; the APSR)',
  },
  // ---- ARMv7-M and ARMv7E-M (Unicorn's Cortex-M3 and Cortex-M4 models) ----
  {
    id: 'unaligned-multiple',
    arch: ['v7m', 'v7em'],
    covers: (_c, o) =>
      o.at !== null &&
      ALWAYS_ALIGNED.has(opOf(o.at)) &&
      o.tsFault?.kind === 'unaligned' &&
      (o.before.r[baseOf(o.at)] & 3) !== 0 &&
      (o.refStop === 'ok' || o.ref.r[15] !== o.before.r[15]),
    reference: 'Unicorn runs LDM, STM, PUSH, POP, LDRD and STRD on an address that is not word-aligned',
    reason:
      'these accesses are always word-aligned: an unaligned address is an UNALIGNED UsageFault whatever CCR.UNALIGN_TRP says (ARMv7-M ARM A3.2.1)',
  },
  {
    id: 'strex-unaligned-no-monitor',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => {
      const op = opOf(c),
        f = c.fields;
      if (c.block || (op !== OpV7.STREX && op !== OpV7.STREXH) || o.tsFault?.kind !== 'unaligned' || o.refStop !== 'ok') return false;
      const address = (c.state.r[f.n] + (op === OpV7.STREX ? 4 * f.i : 0)) >>> 0;
      return (address & (op === OpV7.STREX ? 3 : 1)) !== 0 && o.ref.r[f.d] === 1 && onlyIn(o, [regName(f.d)]);
    },
    reference: 'Unicorn returns 1 (failed) from STREX/STREXH to an unaligned address when the monitor does not tag it',
    reason:
      'ExclusiveMonitorsPass() checks alignment before the monitor: an unaligned Store-Exclusive is an UNALIGNED UsageFault (ARMv7-M ARM A3.4.5 and the STREX pseudocode)',
  },
  {
    id: 'blx-immediate',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => (w32(o.at ?? c) & 0xf800d000) >>> 0 === 0xf000c000 && o.tsStop === 'undefined' && refRanUndefined(o),
    reference: 'Unicorn executes BLX (immediate), encoding T2 (11110 x | 11x0 x), and switches to the ARM instruction set',
    reason:
      'ARMv7-M has no BLX (immediate) and no ARM state: op1 = 1x0 of the branch and miscellaneous control space is UNDEFINED (ARMv7-M ARM A5.3.4)',
  },
  {
    id: 'signed-store',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => ((w32(o.at ?? c) >>> 16) & 0xff10) === 0xf900 && o.tsStop === 'undefined' && refRanUndefined(o),
    reference: 'Unicorn executes the encodings 1111 1001 xxx0 (a "signed store", which does not exist) as stores',
    reason:
      'in the load/store single space, op1 = 1001 xxx0 is UNDEFINED (ARMv7-M ARM A5.3, Table A5-9 "32-bit Thumb instruction encoding")',
  },
  {
    id: 'exclusive-doubleword',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => {
      const w = w32(o.at ?? c);
      return w >= 0 && ((w >>> 16) & 0xffe0) === 0xe8c0 && ((w >>> 4) & 0xf) === 7 && o.tsStop === 'undefined' && refRanUndefined(o);
    },
    reference: 'Unicorn executes LDREXD and STREXD (1110 1000 110x xxxx | xxxx xxxx 0111 xxxx)',
    reason:
      'ARMv7-M has no doubleword exclusives: in the load/store dual or exclusive space, op3 = 0111 is UNDEFINED (ARMv7-M ARM A5.3.8 lists only LDREXB/H, STREXB/H and TBB/TBH there)',
  },
  {
    id: 'dsp-on-m3',
    arch: ['v7m'],
    covers: (c, o) => {
      const i = o.at ?? c;
      return !i.row && i.width === 32 && DSP_ONLY_ROWS.some((r) => matches(r, i.word)) && o.tsStop === 'undefined' && refRanUndefined(o);
    },
    reference: "Unicorn's Cortex-M3 model executes some ARMv7E-M DSP encodings (SMLAD, SMLSD, SMLALD, the extend-and-add forms, …)",
    reason:
      'the DSP extension is ARMv7E-M only; in ARMv7-M those encodings are UNDEFINED (ARMv7-M ARM A5.3, the instructions marked v7E-M)',
  },
  {
    id: 'setend-on-v7m',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => (hw16(o.at ?? c) & 0xfff7) === 0xb650 && refRanUndefined(o),
    reference: "Unicorn's Cortex-M3/M4 models execute SETEND (1011 0110 0101 E000) as a no-op",
    reason: 'SETEND exists only in the A and R profiles; in ARMv7-M 1011 0110 010x xxxx is UNDEFINED (ARMv7-M ARM A5.2.5)',
  },
  {
    id: 'fpu-on-m4',
    arch: ['v7em'],
    covers: (c, o) => {
      const w = w32(o.at ?? c);
      // cp10/cp11 (floating point): 111x 11xx xxxx xxxx | xxxx 101x xxxx xxxx
      if (w >= 0 && ((w >>> 16) & 0xec00) === 0xec00 && ((w >>> 9) & 7) === 5) return o.tsStop === 'undefined' && refRanUndefined(o);
      // MSR CONTROL keeps bit 2, FPCA, which exists only with the FP extension.
      const ctl = diffOf(o, 'control');
      return (
        opOf(c) === OpV7.MSR_v7 &&
        c.fields.s === 20 &&
        ctl !== undefined &&
        onlyIn(o, ['control']) &&
        typeof ctl.ref === 'number' &&
        ctl.ts === (ctl.ref & ~4)
      );
    },
    reference: "Unicorn's Cortex-M4 model has the FP extension (it is a Cortex-M4F): it runs VFP instructions and keeps CONTROL.FPCA",
    reason:
      "sramlab's cortex-m4 profile has no FPU: coprocessors 10 and 11 are absent, so their instructions are NOCP UsageFaults and CONTROL.FPCA is RES0 (ARMv7-M ARM A5.3.18, B1.4.4, B3.2.20)",
  },
  {
    id: 'basepri-all-bits',
    arch: ['v7m', 'v7em'],
    covers: (c, o, p) => {
      if (!c.prelude || !onlyIn(o, ['basepri', ...(opOf(c) === OpV7.MRS_v7 ? [regName(c.fields.d)] : [])])) return false;
      const arm = basepriModel(c, p.priorityBits),
        uc = basepriModel(c, 8);
      return o.diffs.every((d) => {
        if (d.what === 'stop' || d.what === 'pc') return false;
        if (d.what === 'basepri') return d.ts === arm.basepri && d.ref === uc.basepri;
        return d.ts === arm.read && d.ref === uc.read;
      });
    },
    reference: 'Unicorn keeps all 8 bits of BASEPRI (MSR BASEPRI, BASEPRI_MAX)',
    reason:
      'only the profile\'s priority bits of BASEPRI exist, BASEPRI[7:8-n]; the others are RAZ/WI (ARMv7-M ARM B1.4.3, B3.2.7 "priority bits")',
  },
  {
    id: 'msr-faultmask-while-set',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => {
      const fm = diffOf(o, 'faultmask');
      return (
        opOf(c) === OpV7.MSR_v7 &&
        c.fields.s === 19 &&
        c.prelude?.faultmask === 1 &&
        (c.state.r[c.fields.n] & 1) === 0 &&
        fm?.ts === 1 &&
        fm.ref === 0 &&
        onlyIn(o, ['faultmask']) &&
        o.diffs.every((d) => d.what !== 'stop' && d.what !== 'pc')
      );
    },
    reference: 'Unicorn lets MSR FAULTMASK clear FAULTMASK while it is set',
    reason:
      'MSR writes FAULTMASK only when ExecutionPriority() > -1, and a set FAULTMASK makes it -1, so only CPSIE f (or exception return) clears it (ARMv7-M ARM B5.2.3 MSR pseudocode, B1.5.4)',
  },
  {
    id: 'isb-ends-it-block',
    arch: ['v7m', 'v7em'],
    covers: (c, o) => c.block?.kind === 'it-block' && o.isbEndsBlock === true,
    reference:
      'Unicorn loses ITSTATE at an ISB that executes inside an IT block: the rest of the block runs as if outside it (unconditionally, 16-bit instructions setting flags)',
    reason:
      "ISB does not change ITSTATE: like any instruction in an IT block it advances it (ITAdvance), so the instructions after it keep their conditions (ARMv7-M ARM A7.3, A7.7.37 ISB); checked by running sramlab on the same code with the IT block ended at the ISB, which must give the reference's result",
  },
];

/** Postlude differences (BASEPRI, FAULTMASK) are explained apart from the case's own. */
const POSTLUDE_DIFFS = new Set(['basepri', 'faultmask']);

/**
 * The known deviations that explain the differences on a case, or null. One deviation must
 * explain them all; or, after a system case, one each the postlude's BASEPRI, its FAULTMASK,
 * and the rest.
 */
export function deviationsFor(c: TestCase, o: Observation, profile: Profile): Deviation[] | null {
  const find = (obs: Observation) => KNOWN_DEVIATIONS.find((d) => d.arch.includes(profile.arch) && d.covers(c, obs, profile));
  const all = find(o);
  if (all) return [all];
  const groups = [
    o.diffs.filter((d) => !POSTLUDE_DIFFS.has(d.what)),
    ...[...POSTLUDE_DIFFS].map((what) => o.diffs.filter((d) => d.what === what)),
  ].filter((g) => g.length);
  if (groups.length < 2) return null;
  const found = groups.map((diffs) => find({ ...o, diffs }));
  return found.every((d) => d !== undefined) ? (found as Deviation[]) : null;
}

// ---- the generator -----------------------------------------------------------------------

/** Classes whose n field is a base address and m field an index. */
const MEMORY_CLASSES = new Set(['ldst-reg', 'ldst-imm', 'ldm-stm', 'exclusive', 'table-branch']);
const RANDOM_SHARE = 0.05;
const SPECIAL = [0, 1, 2, 31, 32, 33, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x8000];
/** The class of LDREX/STREX sequences (ARMv7-M), drawn like a class of the table. */
export const EXCLUSIVE_SEQ = 'exclusive-seq';

/**
 * Classes whose instructions may stand in an IT block like any other: not branches, hints,
 * traps, system or exclusive instructions, coprocessor instructions (the FPU of Unicorn's M4).
 */
const IT_BODY_EXCLUDED = new Set([
  'branch',
  'branch-w',
  'bl',
  'cbz',
  'it',
  'table-branch',
  'hint',
  'hint-w',
  'trap',
  'system',
  'exclusive',
  'coproc',
]);
/** Instructions UNPREDICTABLE anywhere in an IT block (A7.3): CBZ/CBNZ, IT, B<cond> (T1, T3). */
const IT_NEVER_CLASSES = new Set(['cbz', 'it']);
const IT_NEVER_OPS = new Set<number>([Op.B_cond, OpV7.B_T3]);
/** Bits that make these instructions write the PC (Rd = 15, P = 1, Rt = 15). */
const PC_OPERAND = new Map<number, number>([
  [Op.MOV_hi, 0x87],
  [Op.ADD_hi, 0x87],
  [Op.POP, 0x100],
  [OpV7.LDM_W, 0x8000],
  [OpV7.LDMDB, 0x8000],
  [OpV7.LDR_imm12, 0xf000],
  [OpV7.LDR_imm8, 0xf000],
  [OpV7.LDR_reg, 0xf000],
]);
/** Share of IT-block slots that get an instruction UNPREDICTABLE there (see BlockInsn.special). */
const IT_SPECIAL_SHARE = 0.04;

type Role = 'base' | 'index' | 'target' | 'any';

export class CaseGenerator {
  readonly layout: Layout;
  /** Encoding classes of the architecture, each with its rows. */
  readonly classes: ReadonlyMap<string, readonly CompiledEncoding[]>;
  private readonly classRows: readonly (readonly CompiledEncoding[])[];
  /** Rows that may fill an IT block, and those UNPREDICTABLE there (branches and the like). */
  private readonly itBodyRows: readonly (readonly CompiledEncoding[])[];
  private readonly itSpecialRows: readonly CompiledEncoding[];
  private readonly rng: Prng;
  private readonly bySpecificity: { 16: CompiledEncoding[]; 32: CompiledEncoding[] };
  private readonly v7: boolean;
  private index = 0;

  constructor(
    readonly profile: Profile,
    seed: number,
  ) {
    this.layout = layoutFor(profile);
    this.rng = new Prng(seed);
    this.v7 = profile.arch !== 'v6m';
    const rows = rowsFor(profile.arch);
    const classes = new Map<string, CompiledEncoding[]>();
    for (const r of rows) classes.set(r.enc.cls, [...(classes.get(r.enc.cls) ?? []), r]);
    this.classes = classes;
    this.classRows = [...classes.values()];
    this.itBodyRows = [...classes].filter(([cls]) => !IT_BODY_EXCLUDED.has(cls)).map(([, r]) => r);
    this.itSpecialRows = rows.filter(
      (r) =>
        ['branch', 'branch-w', 'bl', 'cbz', 'it', 'table-branch'].includes(r.enc.cls) ||
        (PC_OPERAND.has(r.enc.op) && r.enc.cls !== 'load-lit'),
    );
    const sorted = [...rows].sort((a, b) => b.fixed - a.fixed);
    this.bySpecificity = { 16: sorted.filter((r) => r.width === 16), 32: sorted.filter((r) => r.width === 32) };
  }

  /** Initial flash contents: random bytes, with the prelude (and postlude) at their addresses. */
  initialFlash(): Uint8Array {
    const flash = this.rng.bytes(this.layout.flashSize);
    const put = (at: number, hws: readonly number[]) =>
      hws.forEach((hw, k) => {
        flash[at + 2 * k] = hw & 0xff;
        flash[at + 2 * k + 1] = hw >>> 8;
      });
    put(this.layout.scratch, this.v7 ? PRELUDE_CODE_V7 : PRELUDE_CODE);
    if (this.v7) put(this.layout.postlude, POSTLUDE_CODE);
    return flash;
  }

  initialSram(): Uint8Array {
    return this.rng.bytes(this.layout.sramSize);
  }

  next(): TestCase {
    const rng = this.rng;
    const random = rng.chance(RANDOM_SHARE);
    let picked: { word: number; width: 16 | 32 } | null;
    if (random) picked = this.randomWord();
    else {
      // ARMv7-M: one more class besides the table's, the exclusive sequences.
      const k = rng.below(this.classRows.length + (this.v7 ? 1 : 0));
      picked = k < this.classRows.length ? this.wordOf(rng.pick(this.classRows[k])) : null;
    }
    if (!picked) return this.exclusiveSequence();
    const { word, width } = picked;
    const { row, fields } = this.decode(word, width);
    const unpredictable = row ? row.enc.unpredictable?.(fields) === true : isShouldBeVariant(this.profile.arch, word, width);
    // An IT instruction takes its block with it (ARMv7-M; on ARMv6-M IT is UNDEFINED).
    const body = this.v7 && row?.enc.op === OpV7.IT && !unpredictable ? this.itBody(fields.k) : null;
    const roles = rolesFor(row, fields);
    if (body) for (const i of body) for (const [r, role] of rolesFor(i.row, i.fields)) if (!roles.has(r)) roles.set(r, role);
    const state = this.state(roles);
    const system = row?.enc.cls === 'system';
    const insn: Insn = { word, width, row, fields };
    return {
      index: this.index++,
      source: random ? 'random' : 'encoding',
      cls: random ? 'random' : row!.enc.cls,
      ...insn,
      unpredictable,
      state,
      block: body ? this.block('it-block', state.r[15], [{ ...insn, row: row!, special: false }, ...body]) : null,
      fill: { address: this.layout.window, bytes: rng.bytes(this.layout.windowSize) },
      prelude: system ? this.prelude(state) : null,
    };
  }

  /** The most specific row that owns a word (B<cond> with cond 1111 is SVC), and its fields. */
  private decode(word: number, width: 16 | 32): { row: CompiledEncoding | undefined; fields: Record<string, number> } {
    const row = this.bySpecificity[width].find((r) => matches(r, word));
    return { row, fields: row ? extractFields(row, word) : {} };
  }

  /** A row's word with every free bit random. */
  private wordOf(row: CompiledEncoding): { word: number; width: 16 | 32 } {
    const free = ~row.mask >>> 0;
    const bits = row.width === 16 ? this.rng.u32() & 0xffff : this.rng.u32();
    return { word: (row.value | (bits & free)) >>> 0, width: row.width };
  }

  private randomWord(): { word: number; width: 16 | 32 } {
    let word: number, width: 16 | 32;
    if (this.rng.chance(0.5)) {
      do word = this.rng.u32() & 0xffff;
      while (is32bit(word));
      width = 16;
    } else {
      word = (((0xe800 + this.rng.below(0x1800)) << 16) | (this.rng.u32() & 0xffff)) >>> 0;
      width = 32;
    }
    return { word, width };
  }

  // ---- IT blocks ----

  /**
   * The instructions of an IT block (as many as the mask says). Each is drawn like a case,
   * from the classes that may stand there, and is not UNPREDICTABLE, does not write the PC
   * (which only the last may), and does not write SP (whose low bits Unicorn keeps: see
   * sp-low-bits; the instructions after would read it). A few slots get an instruction that is
   * UNPREDICTABLE there instead, which sramlab must refuse.
   */
  private itBody(mask: number): Omit<BlockInsn, 'address'>[] {
    const length = 4 - ctz4(mask);
    const out: Omit<BlockInsn, 'address'>[] = [];
    for (let slot = 1; slot <= length; slot++) {
      const last = slot === length;
      if (this.rng.chance(IT_SPECIAL_SHARE)) {
        const special = this.itSpecial(last);
        if (special) {
          out.push(special);
          continue;
        }
      }
      for (;;) {
        const { word, width } = this.wordOf(this.rng.pick(this.rng.pick(this.itBodyRows)));
        const { row, fields } = this.decode(word, width);
        if (!row || IT_BODY_EXCLUDED.has(row.enc.cls) || row.enc.unpredictable?.(fields) === true) continue;
        if (writesPc(row, fields) || writesSp(row, fields)) continue;
        out.push({ word, width, row, fields, special: false });
        break;
      }
    }
    return out;
  }

  /** An instruction UNPREDICTABLE in this slot of an IT block, or null if none was found. */
  private itSpecial(last: boolean): Omit<BlockInsn, 'address'> | null {
    for (let tries = 0; tries < 20; tries++) {
      const pick = this.rng.pick(this.itSpecialRows);
      const { width } = pick;
      // Rows that write the PC only with a PC operand get it: MOV/ADD PC, POP {…, PC}, LDM.W, LDR PC.
      const word = (this.wordOf(pick).word | (PC_OPERAND.get(pick.enc.op) ?? 0)) >>> 0;
      const { row, fields } = this.decode(word, width);
      if (!row || row.enc.unpredictable?.(fields) === true) continue;
      const never = IT_NEVER_CLASSES.has(row.enc.cls) || IT_NEVER_OPS.has(row.enc.op);
      if (never || (!last && (writesPc(row, fields) || this.itSpecialRows.includes(row)))) {
        return { word, width, row, fields, special: true };
      }
    }
    return null;
  }

  private block(kind: Block['kind'], pc: number, insns: Omit<BlockInsn, 'address'>[]): Block {
    const bytes: number[] = [];
    const placed: BlockInsn[] = [];
    for (const i of insns) {
      placed.push({ ...i, address: pc + bytes.length });
      bytes.push(...insnBytes(i.word, i.width));
    }
    return { kind, insns: placed, end: pc + bytes.length, code: new Uint8Array(bytes) };
  }

  // ---- LDREX/STREX sequences ----

  /**
   * LDREX{B,H} Rt, [Rn]; then nothing, CLREX, a store 8 KiB or more away (outside any
   * exclusives reservation granule, at most 2 KiB), or a second LDREX of another address;
   * then STREX{B,H} Rd, Rs to the address tagged last, and once more (the monitor is open
   * then, so that one must fail). Sizes always match, and no plain store touches the tagged
   * address: those outcomes are IMPLEMENTATION DEFINED (ARMv7-M ARM A3.4.1, A3.4.5).
   */
  private exclusiveSequence(): TestCase {
    const rng = this.rng;
    const size = rng.pick([1, 2, 4] as const);
    const regs = shuffle(rng, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const [n, t, d1, s, d2, f, m, t2, s2] = regs;
    const imm = size === 4 && rng.chance(0.3) ? rng.below(4) : 0; // word forms: [Rn, #imm * 4]
    const mid = rng.pick(['none', 'none', 'clrex', 'far-store', 'second-ldrex'] as const);
    const base = mid === 'second-ldrex' ? m : n;
    const words: number[] = [];
    words.push(ldrex(size, t, n, imm));
    if (mid === 'clrex') words.push(0xf3bf8f2f);
    if (mid === 'far-store') words.push((((0xf8c0 | f) << 16) | (s2 << 12) | (4 * rng.below(16))) >>> 0); // str.w s2, [f, #imm12]
    if (mid === 'second-ldrex') words.push(ldrex(size, t2, m, 0));
    const stImm = base === n ? imm : 0;
    words.push(strex(size, d1, s, base, stImm), strex(size, d2, rng.chance(0.5) ? s : s2, base, stImm));
    const insns = words.map((word) => {
      const width = 32 as const;
      const { row, fields } = this.decode(word, width);
      if (!row || row.enc.unpredictable?.(fields) === true) throw new Error(`exclusive sequence: bad word 0x${word.toString(16)}`);
      return { word, width, row, fields, special: false };
    });
    const state = this.state(new Map());
    state.r[n] = this.exclusiveAddress(size);
    state.r[m] = rng.chance(0.3) ? state.r[n] : this.exclusiveAddress(size);
    state.r[f] = SRAM_BASE + 0x3000 + 4 * rng.below(256);
    const first = insns[0];
    return {
      index: this.index++,
      source: 'encoding',
      cls: EXCLUSIVE_SEQ,
      word: first.word,
      width: 32,
      row: first.row,
      fields: first.fields,
      unpredictable: false,
      state,
      block: this.block('exclusive-seq', state.r[15], insns),
      fill: { address: this.layout.window, bytes: rng.bytes(this.layout.windowSize) },
      prelude: null,
    };
  }

  /** Mostly aligned for the size in the SRAM window; sometimes unaligned, in flash or unmapped. */
  private exclusiveAddress(size: number): number {
    const roll = this.rng.below(100);
    if (roll < 80) return this.windowPointer(true) + (size === 1 ? this.rng.below(4) : size === 2 ? 2 * this.rng.below(2) : 0);
    if (roll < 88) return this.windowPointer(false);
    if (roll < 95) return 0x100 + 4 * this.rng.below((this.layout.flashSize - 0x200) / 4);
    return this.unmapped();
  }

  // ---- machine state ----

  private state(roles: Map<number, Role>): CpuState {
    const rng = this.rng;
    const r: number[] = [];
    for (let k = 0; k < 13; k++) r.push(this.regValue(roles.get(k) ?? 'any'));
    r.push(this.stackPointer(), this.regValue(roles.get(14) ?? 'target'), this.codeAddress());
    return {
      r,
      n: rng.below(2),
      z: rng.below(2),
      c: rng.below(2),
      v: rng.below(2),
      q: this.profile.arch === 'v7em' ? rng.below(2) : 0,
      ge: this.profile.arch === 'v7em' ? rng.below(16) : 0,
      primask: rng.below(2),
      control: 0,
    };
  }

  private prelude(state: CpuState): Prelude {
    const spsel = this.rng.below(2);
    state.control = spsel << 1;
    const p: Prelude = { msp: this.stackPointer(), psp: this.stackPointer(), spsel };
    if (this.v7) {
      // Mostly values the profile can hold; sometimes any byte (Unicorn keeps the low bits).
      const bits = this.profile.priorityBits,
        roll = this.rng.below(100);
      p.basepri = roll < 25 ? 0 : roll < 85 ? this.rng.below(1 << bits) << (8 - bits) : this.rng.below(256);
      p.faultmask = this.rng.chance(0.3) ? 1 : 0;
    }
    return p;
  }

  /** A halfword-aligned address for the instruction (half of them at PC % 4 == 2, for ADR/LDR literal). */
  private codeAddress(): number {
    const { codeLow, codeHigh } = this.layout;
    return (codeLow + 2 * this.rng.below((codeHigh - codeLow) / 2)) >>> 0;
  }

  /** Mostly word-aligned in the window with room both ways; sometimes at the edges of SRAM, where PUSH/POP fault. */
  private stackPointer(): number {
    const { window, windowSize, sramSize } = this.layout;
    const rng = this.rng;
    if (rng.chance(0.04)) return SRAM_BASE + 4 * rng.below(8);
    if (rng.chance(0.04)) return SRAM_BASE + sramSize - 4 * rng.below(8);
    return window + 64 + 4 * rng.below((windowSize / 2 - 64) / 4);
  }

  private windowPointer(aligned: boolean): number {
    const { window, windowSize } = this.layout;
    const p = window + 128 + this.rng.below(windowSize - 256);
    return aligned ? p & ~3 : p;
  }

  private regValue(role: Role): number {
    const rng = this.rng;
    const roll = rng.below(100);
    switch (role) {
      case 'base':
        if (roll < 60) return this.windowPointer(true);
        if (roll < 75) return this.windowPointer(false);
        if (roll < 85) return 0x100 + 4 * rng.below((this.layout.flashSize - 0x200) / 4); // flash
        if (roll < 93) return this.unmapped();
        return rng.u32();
      case 'index':
        if (roll < 40) return 4 * rng.below(32);
        if (roll < 60) return rng.below(64);
        if (roll < 75) return (-1 - rng.below(64)) >>> 0;
        return this.regValue('any');
      case 'target':
        if (roll < 50) return (this.codeAddress() | (rng.chance(0.9) ? 1 : 0)) >>> 0;
        if (roll < 60) return (this.windowPointer(false) | 1) >>> 0;
        return this.regValue('any');
      case 'any':
        if (roll < 25) return this.windowPointer(rng.chance(0.8));
        if (roll < 50) return rng.below(48);
        if (roll < 60) return rng.pick(SPECIAL);
        return rng.u32();
    }
  }

  /** An address with nothing behind it: just below or above SRAM, or a peripheral region. */
  private unmapped(): number {
    const rng = this.rng;
    const top = SRAM_BASE + this.layout.sramSize;
    return rng.pick([SRAM_BASE - 0x100, top, 0x4000_0000, 0x6000_0000, 0xa000_0000]) + 4 * rng.below(16);
  }
}

/** Which registers of the case act as addresses (so they get pointer-like values). */
function rolesFor(row: CompiledEncoding | undefined, f: Record<string, number>): Map<number, Role> {
  const roles = new Map<number, Role>();
  if (!row) return roles;
  const cls = row.enc.cls;
  if (MEMORY_CLASSES.has(cls)) {
    if (f.m !== undefined) roles.set(f.m, 'index');
    if (f.n !== undefined) roles.set(f.n, 'base');
  }
  if (cls === 'branch' || cls === 'hi-reg') {
    if (f.m !== undefined) roles.set(f.m, 'target');
  }
  return roles;
}

// ---- instruction properties --------------------------------------------------------------

/** True when the instruction may write the PC (a branch, or a load or move to the PC). */
export function writesPc(row: CompiledEncoding, f: Record<string, number>): boolean {
  switch (row.enc.cls) {
    case 'branch':
    case 'branch-w':
    case 'bl':
    case 'cbz':
    case 'table-branch':
      return true;
  }
  const op = row.enc.op;
  if (op === Op.ADD_hi || op === Op.MOV_hi) return ((f.D << 3) | f.d) === 15;
  if (op === Op.POP || op === OpV7.LDM_W || op === OpV7.LDMDB) return f.P === 1;
  if (op === OpV7.LDR_imm12 || op === OpV7.LDR_imm8 || op === OpV7.LDR_reg || op === OpV7.LDR_lit) return f.t === 15;
  return false;
}

/** True when the instruction may write SP with a value whose bits [1:0] are not zero. */
function writesSp(row: CompiledEncoding, f: Record<string, number>): boolean {
  const op = row.enc.op;
  if (op === Op.ADD_hi || op === Op.MOV_hi) return ((f.D << 3) | f.d) === 13;
  if (row.enc.cls === 'sp-adjust' || row.enc.cls === 'push-pop' || row.enc.cls === 'ldm-stm') return false; // multiples of 4
  return f.d === 13 || f.t === 13 || f.v === 13 || (f.W === 1 && f.n === 13);
}

/** Count of trailing zeros of a non-zero 4-bit IT mask. */
function ctz4(mask: number): number {
  let k = 0;
  while (((mask >>> k) & 1) === 0 && k < 4) k++;
  return k;
}

function insnBytes(word: number, width: 16 | 32): number[] {
  return width === 16 ? [word & 0xff, word >>> 8] : [(word >>> 16) & 0xff, word >>> 24, word & 0xff, (word >>> 8) & 0xff];
}

function shuffle<T>(rng: Prng, items: T[]): T[] {
  for (let k = items.length - 1; k > 0; k--) {
    const j = rng.below(k + 1);
    [items[k], items[j]] = [items[j], items[k]];
  }
  return items;
}

/** LDREX (imm8 * 4 offset), LDREXH or LDREXB. */
function ldrex(size: 1 | 2 | 4, t: number, n: number, imm: number): number {
  const w = size === 4 ? ((0xe850 | n) << 16) | (t << 12) | 0xf00 | imm : ((0xe8d0 | n) << 16) | (t << 12) | (size === 2 ? 0xf5f : 0xf4f);
  return w >>> 0;
}

/** STREX (imm8 * 4 offset), STREXH or STREXB. */
function strex(size: 1 | 2 | 4, d: number, t: number, n: number, imm: number): number {
  const w =
    size === 4 ? ((0xe840 | n) << 16) | (t << 12) | (d << 8) | imm : ((0xe8c0 | n) << 16) | (t << 12) | (size === 2 ? 0xf50 : 0xf40) | d;
  return w >>> 0;
}
