// Seeded test cases for the differential CPU test: one instruction each, with the machine
// state around it. Cases are spread evenly over the conformance classes (`cls`) of the
// encoding table for the profile's architecture, with random fields; about 5% are random
// 16- and 32-bit words instead, to compare which words are UNDEFINED at all.
//
// Memory plan (both engines get the same bytes): flash and SRAM start out random; the
// instruction under test is written at a random halfword in flash, so LDR (literal) and ADR
// read known random data around it; loads, stores and the stack aim mostly at a 4 KiB SRAM
// window, which gets fresh bytes before each case, and sometimes at flash, at unmapped
// addresses or off alignment.

import type { CpuState } from '../emulator/engine.ts';
import { compile, rowsFor, extractFields, type CompiledEncoding } from '../emulator/isa/decoder.ts';
import { is32bit, Op } from '../emulator/isa/encodings.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import type { Arch, Profile } from '../emulator/profiles.ts';
import { Prng } from '../scenarios/prng.ts';

export interface Layout {
  flashSize: number;
  sramSize: number;
  /** The SRAM window that base registers and the stack point into. */
  window: number;
  windowSize: number;
  /** Instructions under test go in [codeLow, codeHigh). */
  codeLow: number;
  codeHigh: number;
  /** Flash address of the prelude: `msr psp, r0; msr control, r1`. */
  scratch: number;
}

export function layoutFor(p: Profile): Layout {
  if (p.flashSize < 0x4000 || p.sramSize < 0x4000) throw new Error(`${p.name}: conformance needs at least 16 KiB of flash and SRAM`);
  return {
    flashSize: p.flashSize, sramSize: p.sramSize,
    window: SRAM_BASE + 0x1000, windowSize: 0x1000,
    // Room below for backward branches, above for the literal pool (PC + 1020) and the prelude.
    codeLow: 0x800, codeHigh: p.flashSize - 0x1000,
    scratch: p.flashSize - 0x10,
  };
}

/** The prelude's two instructions, as halfwords in memory order. */
export const PRELUDE_CODE = [0xf380, 0x8809, 0xf381, 0x8814]; // msr psp, r0; msr control, r1

/**
 * Sets the banked stack pointers before an MSR/MRS/CPS case, through the instructions
 * firmware would use, since CpuState holds only the current SP: run with SP = msp,
 * r0 = psp, r1 = spsel << 1; the case's own SP then replaces the selected one.
 */
export interface Prelude { msp: number; psp: number; spsel: number }

export interface TestCase {
  index: number;
  /** 'encoding': a row of the table with random fields; 'random': a random word. */
  source: 'encoding' | 'random';
  /** A halfword, or hw1 << 16 | hw2. */
  word: number;
  width: 16 | 32;
  /** The most specific row the word matches, UNPREDICTABLE rules aside; undefined if none. */
  row: CompiledEncoding | undefined;
  fields: Record<string, number>;
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
const SHOULD_BE_ROWS = SHOULD_BE.map((s) =>
  compile({ op: Op.UNDEFINED, name: s.name, pattern: s.pattern, arch: s.arch, cls: 'should-be', asm: '' }));

const matches = (c: CompiledEncoding, word: number): boolean => ((word & c.mask) >>> 0) === c.value;

/** True when a word that sramlab finds in no row is an UNPREDICTABLE variant of one that exists. */
export function isShouldBeVariant(arch: Arch, word: number, width: 16 | 32): boolean {
  const rank = arch === 'v6m' ? 0 : 1;
  return SHOULD_BE_ROWS.some((c) => c.width === width && (c.enc.arch === 'v6m' || rank > 0) && matches(c, word));
}

// ---- known deviations of the reference ---------------------------------------------------

/** A case on which the reference is known to be wrong, with the ARM ARM's reason. */
export interface Deviation {
  id: string;
  /** Profiles it concerns (by architecture). */
  arch: readonly Arch[];
  /** True when it explains how the engines disagreed on a case. */
  covers(c: TestCase, diffs: readonly StateDiff[], profile: Profile): boolean;
  reference: string;
  reason: string;
}

/** One difference between the engines after a case, as compare.ts finds them. */
export interface StateDiff {
  /** A register ('r3', 'sp', 'n', …), 'stop', or 'mem 0x…'. */
  what: string;
  before?: number;
  ts: number | string;
  ref: number | string;
}

const hw16 = (c: TestCase): number => (c.width === 16 ? c.word : -1);
/** sramlab said UNDEFINED and the reference ran the word: what every decode deviation looks like. */
const refRanUndefined = (diffs: readonly StateDiff[]): boolean =>
  diffs.some((d) => d.what === 'stop' && d.ts === 'undefined' && d.ref !== 'undefined');

export const KNOWN_DEVIATIONS: readonly Deviation[] = [
  {
    id: 'it-on-v6m', arch: ['v6m'],
    covers: (c, diffs) => (hw16(c) & 0xff00) === 0xbf00 && (c.word & 0xf) !== 0 && refRanUndefined(diffs),
    reference: "Unicorn's Cortex-M0 model executes IT, with the instructions of its block, in one step",
    reason: 'IT is ARMv7-M only: in ARMv6-M only the hints 0xBFx0 exist and 0xBFxy with y != 0 is UNDEFINED (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'cbz-on-v6m', arch: ['v6m'],
    covers: (c, diffs) => (hw16(c) & 0xf500) === 0xb100 && refRanUndefined(diffs),
    reference: "Unicorn's Cortex-M0 model executes CBZ/CBNZ",
    reason: 'CBZ/CBNZ are ARMv7-M only: 1011 x0x1 xxxx xxxx is UNDEFINED in ARMv6-M (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'setend-on-v6m', arch: ['v6m'],
    covers: (c, diffs) => (hw16(c) & 0xfff7) === 0xb650 && refRanUndefined(diffs),
    reference: "Unicorn's Cortex-M0 model executes SETEND (1011 0110 0101 E000) as a no-op",
    reason: 'SETEND exists only in the A and R profiles; the encoding is UNDEFINED in ARMv6-M (ARMv6-M ARM A5.2.5)',
  },
  {
    id: 'sp-low-bits', arch: ['v6m', 'v7m', 'v7em'],
    covers: (_c, diffs) => diffs.every((d) => d.what.endsWith('sp') && typeof d.ref === 'number' && d.ts === (d.ref & ~3) >>> 0),
    reference: 'Unicorn 2.0.1 (QEMU 5.0) keeps bits [1:0] of a value written to SP (MOV/ADD SP, MSR MSP/PSP); QEMU fixed this in 6.1',
    reason: 'on M-profile SP[1:0] are RES0H, hardwired to zero, so writes to them are ignored (ARM ARM, ARM core registers: the SP)',
  },
  {
    id: 'msr-sets-q-on-v6m', arch: ['v6m'],
    covers: (c, diffs) => c.row?.enc.op === Op.MSR && c.fields.s <= 3 && diffs.every((d) => d.what === 'q' && d.ts === 0),
    reference: "Unicorn's Cortex-M0 model lets MSR APSR set the Q flag from bit 27",
    reason: 'ARMv6-M has no Q flag: APSR bits [27:0] are reserved, so MSR APSR writes only N, Z, C and V (ARMv6-M ARM, MSR; the APSR)',
  },
];

/** The known deviation that explains the differences on a case, if any. */
export function deviationFor(c: TestCase, diffs: readonly StateDiff[], profile: Profile): Deviation | undefined {
  return KNOWN_DEVIATIONS.find((d) => d.arch.includes(profile.arch) && d.covers(c, diffs, profile));
}

// ---- the generator -----------------------------------------------------------------------

/** Classes whose n field is a base address and m field an index. */
const MEMORY_CLASSES = new Set(['ldst-reg', 'ldst-imm', 'ldm-stm']);
const RANDOM_SHARE = 0.05;
const SPECIAL = [0, 1, 2, 31, 32, 33, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x8000];

type Role = 'base' | 'index' | 'target' | 'any';

export class CaseGenerator {
  readonly layout: Layout;
  /** Encoding classes of the architecture, each with its rows. */
  readonly classes: ReadonlyMap<string, readonly CompiledEncoding[]>;
  private readonly classRows: readonly (readonly CompiledEncoding[])[];
  private readonly rng: Prng;
  private readonly bySpecificity: { 16: CompiledEncoding[]; 32: CompiledEncoding[] };
  private index = 0;

  constructor(readonly profile: Profile, seed: number) {
    this.layout = layoutFor(profile);
    this.rng = new Prng(seed);
    const rows = rowsFor(profile.arch);
    const classes = new Map<string, CompiledEncoding[]>();
    for (const r of rows) classes.set(r.enc.cls, [...(classes.get(r.enc.cls) ?? []), r]);
    this.classes = classes;
    this.classRows = [...classes.values()];
    const sorted = [...rows].sort((a, b) => b.fixed - a.fixed);
    this.bySpecificity = { 16: sorted.filter((r) => r.width === 16), 32: sorted.filter((r) => r.width === 32) };
  }

  /** Initial flash contents: random bytes, with the prelude at its scratch address. */
  initialFlash(): Uint8Array {
    const flash = this.rng.bytes(this.layout.flashSize);
    PRELUDE_CODE.forEach((hw, k) => {
      flash[this.layout.scratch + 2 * k] = hw & 0xff;
      flash[this.layout.scratch + 2 * k + 1] = hw >>> 8;
    });
    return flash;
  }

  initialSram(): Uint8Array {
    return this.rng.bytes(this.layout.sramSize);
  }

  next(): TestCase {
    const rng = this.rng;
    const random = rng.chance(RANDOM_SHARE);
    const { word, width } = random ? this.randomWord() : this.encodedWord();
    // A more specific row may own the word (B<cond> with cond 1111 is SVC): that one decides.
    const row = this.bySpecificity[width].find((r) => matches(r, word));
    const fields = row ? extractFields(row, word) : {};
    const unpredictable = row
      ? row.enc.unpredictable?.(fields) === true
      : isShouldBeVariant(this.profile.arch, word, width);
    const roles = rolesFor(row, fields);
    const state = this.state(roles);
    const system = row?.enc.cls === 'system';
    return {
      index: this.index++, source: random ? 'random' : 'encoding', word, width, row, fields, unpredictable, state,
      fill: { address: this.layout.window, bytes: rng.bytes(this.layout.windowSize) },
      prelude: system ? this.prelude(state) : null,
    };
  }

  /** A class, then a row of it, uniformly; then every field at random. */
  private encodedWord(): { word: number; width: 16 | 32 } {
    const row = this.rng.pick(this.rng.pick(this.classRows));
    const free = ~row.mask >>> 0;
    const bits = row.width === 16 ? this.rng.u32() & 0xffff : this.rng.u32();
    return { word: ((row.value | (bits & free)) >>> 0), width: row.width };
  }

  private randomWord(): { word: number; width: 16 | 32 } {
    let word: number, width: 16 | 32;
    if (this.rng.chance(0.5)) {
      do word = this.rng.u32() & 0xffff; while (is32bit(word));
      width = 16;
    } else {
      word = (((0xe800 + this.rng.below(0x1800)) << 16) | (this.rng.u32() & 0xffff)) >>> 0;
      width = 32;
    }
    return { word, width };
  }

  private state(roles: Map<number, Role>): CpuState {
    const rng = this.rng;
    const r: number[] = [];
    for (let k = 0; k < 13; k++) r.push(this.regValue(roles.get(k) ?? 'any'));
    r.push(this.stackPointer(), this.regValue(roles.get(14) ?? 'target'), this.codeAddress());
    return {
      r, n: rng.below(2), z: rng.below(2), c: rng.below(2), v: rng.below(2),
      q: this.profile.arch === 'v7em' ? rng.below(2) : 0,
      ge: this.profile.arch === 'v7em' ? rng.below(16) : 0,
      primask: rng.below(2), control: 0,
    };
  }

  private prelude(state: CpuState): Prelude {
    const spsel = this.rng.below(2);
    state.control = spsel << 1;
    return { msp: this.stackPointer(), psp: this.stackPointer(), spsel };
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
