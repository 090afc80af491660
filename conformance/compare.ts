// Runs generated cases on sramlab's CPU and on the reference from identical state, and
// compares everything the Engine interface shows: r0–r15, NZCV (and Q/GE), PRIMASK,
// CONTROL, all of SRAM, and how the step stopped (UNDEFINED, fault, SVC, …). After an
// ARMv7-M system case, BASEPRI and FAULTMASK are read back on both engines too (the postlude).
// IT blocks and LDREX/STREX sequences run from the case's PC to the block's end address.

import type { CpuState, Engine, StepResult, StepStop } from '../emulator/engine.ts';
import { createTsEngine } from '../emulator/engines/ts-engine.ts';
import { openUnicorn, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import type { FaultReport } from '../emulator/fault.ts';
import type { CompiledEncoding } from '../emulator/isa/decoder.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { Op } from '../emulator/isa/encodings.ts';
import { OpV7 } from '../emulator/isa/encodings-v7m.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile, type Profile } from '../emulator/profiles.ts';
import {
  type Block,
  type BlockInsn,
  CaseGenerator,
  deviationsFor,
  EXCLUSIVE_SEQ,
  type Insn,
  type Layout,
  type Observation,
  type StateDiff,
  type TestCase,
} from './generate.ts';

/** The reference: an Engine that can also run a stretch of code to an end address. */
export interface ReferenceEngine extends Engine {
  runTo(end: number, maxInstructions: number): StepResult;
}

export interface Engines {
  ts: Engine;
  ref: ReferenceEngine;
}

export type Verdict = 'match' | 'mismatch' | 'deviation';
export type SramlabOnly = 'encoding' | 'ldr-pc-unaligned' | 'in-it-block' | 'in-it-block-skipped';

export interface Outcome {
  verdict: Verdict;
  /** Ids of the known deviations, when verdict is 'deviation' (two when the postlude's differ apart). */
  deviations?: string[];
  /**
   * Checked on sramlab alone: an UNPREDICTABLE encoding, or an instruction UNPREDICTABLE where
   * it ran (LDR to the PC from an unaligned address, CBZ/IT/B<cond> in an IT block, …), which
   * sramlab must refuse as UNDEFINED; the reference's result does not count then. Which one:
   * 'encoding', 'ldr-pc-unaligned', 'in-it-block', or 'in-it-block-skipped' (its condition
   * failed, so sramlab skipped it: allowed, but the block is not compared past it).
   */
  sramlabOnly?: SramlabOnly;
  tsStop: StepStop;
  /** Undefined when the reference was not asked (UNPREDICTABLE cases). */
  refStop?: StepStop;
  diffs: StateDiff[];
}

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const SCALARS = ['n', 'z', 'c', 'v', 'q', 'ge', 'primask', 'control'] as const;
const MAX_MEM_DIFFS = 8;

/** Gives both engines the same flash and SRAM. */
export function loadMemory(e: Engines, flash: Uint8Array, sram: Uint8Array): void {
  for (const engine of [e.ts, e.ref]) {
    engine.writeMemory(0, flash);
    engine.writeMemory(SRAM_BASE, sram);
  }
}

/** Runs one case on both engines (on sramlab alone when UNPREDICTABLE) and compares. */
export function runCase(e: Engines, c: TestCase, layout: Layout, profile: Profile): Outcome {
  const code = c.block ? c.block.code : new Uint8Array(insnBytes(c.word, c.width));
  // Both engines get the bytes even when only one runs, so their memories stay the same.
  for (const engine of [e.ts, e.ref]) {
    engine.writeMemory(c.state.r[15], code);
    engine.writeMemory(c.fill.address, c.fill.bytes);
  }
  if (c.unpredictable) return runAlone(e, c, layout);
  if (c.prelude) {
    const diffs = runPrelude(e, c, layout);
    if (diffs.length) return { verdict: 'mismatch', tsStop: 'ok', refStop: 'ok', diffs };
  }
  // sramlab first: when it rightly refuses an instruction that is UNPREDICTABLE where it ran,
  // the reference (which would run it, maybe far away) is not asked.
  const isb = c.block ? isbBeforeLast(c.block) : -1;
  const sramBefore = isb > 0 ? e.ts.readMemory(SRAM_BASE, layout.sramSize) : null;
  e.ts.setState(c.state);
  const ts: TsRun = c.block ? runTsTo(e.ts, c.block) : e.ts.step();
  const tsState = e.ts.getState();
  const at = stoppedOn(c, ts.stop, tsState.r[15]);
  if (ts.special) {
    // Skipped (its condition failed): UNPREDICTABLE all the same, so not compared. Ran: sramlab
    // should have refused it.
    syncedMemoryDiffs(e, layout);
    const i = ts.special.insn;
    if (!ts.special.ran) return { verdict: 'match', sramlabOnly: 'in-it-block-skipped', tsStop: ts.stop, diffs: [] };
    return {
      verdict: 'mismatch',
      sramlabOnly: 'in-it-block',
      tsStop: ts.stop,
      diffs: [
        {
          what: `stop at 0x${hex(i.address)} (${i.row.enc.name} in an IT block)`,
          ts: 'ok (ran it)',
          ref: 'undefined (UNPREDICTABLE in the ARM ARM)',
        },
      ],
    };
  }
  if (ts.stop === 'undefined' && at && unpredictableWhereItRan(c, at, ts.fault, c.block ? tsState : c.state)) {
    syncedMemoryDiffs(e, layout);
    return { verdict: 'match', sramlabOnly: c.block ? 'in-it-block' : 'ldr-pc-unaligned', tsStop: ts.stop, diffs: [] };
  }
  e.ref.setState(c.state);
  const ref = c.block ? e.ref.runTo(c.block.end, c.block.insns.length) : e.ref.step();
  const refState = e.ref.getState();
  const diffs = stateDiffs(c.state, tsState, refState);
  if (ts.stop !== ref.stop) diffs.unshift({ what: 'stop', ts: ts.stop, ref: ref.stop });
  const ignore = unknownAfterFault(at, ts.stop, ref.stop);
  const kept = diffs.filter((d) => !ignore.regs.has(d.what));
  if (c.prelude && layout.postlude >= 0 && ts.stop === 'ok' && ref.stop === 'ok') kept.push(...runPostlude(e, c, layout));
  const memDiffs = syncedMemoryDiffs(e, layout);
  if (!ignore.memory) kept.push(...memDiffs);
  const isbEndsBlock = sramBefore && kept.length ? endsAtIsb(e, c, isb, sramBefore, ref.stop, refState, layout) : undefined;
  const base = { tsStop: ts.stop, refStop: ref.stop };
  if (!kept.length) return { verdict: 'match', ...base, diffs: [] };
  const observation: Observation = {
    tsStop: ts.stop,
    refStop: ref.stop,
    tsFault: ts.fault,
    at,
    before: c.block && at ? tsState : c.state,
    ref: refState,
    isbEndsBlock,
    diffs: kept,
  };
  const devs = deviationsFor(c, observation, profile);
  return devs
    ? { verdict: 'deviation', deviations: devs.map((d) => d.id), ...base, diffs: kept }
    : { verdict: 'mismatch', ...base, diffs: kept };
}

/** The slot (1–3) of an ISB that is not an IT block's last instruction, or -1. */
function isbBeforeLast(block: Block): number {
  if (block.kind !== 'it-block') return -1;
  const k = block.insns.findIndex((i, j) => j > 0 && j < block.insns.length - 1 && i.row.enc.op === Op.ISB);
  return k;
}

/**
 * The isb-ends-it-block check: runs sramlab again from the case's state and memory on the same
 * code, dropping ITSTATE right after the ISB (as the reference does), and tells whether that
 * gives the reference's registers, stop and SRAM. The code itself is not patched: a literal
 * load may read the IT instruction's own bytes. Puts sramlab's SRAM back after.
 */
function endsAtIsb(
  e: Engines,
  c: TestCase,
  slot: number,
  sram: Uint8Array,
  refStop: StepStop,
  refState: CpuState,
  layout: Layout,
): boolean {
  const block = c.block!;
  e.ts.writeMemory(SRAM_BASE, sram);
  e.ts.setState(c.state);
  let stop: StepStop = 'ok';
  for (let k = 0; k < block.insns.length && e.ts.getState().r[15] !== block.end; k++) {
    stop = e.ts.step().stop;
    if (stop !== 'ok') break;
    if (k === slot) e.ts.clearITState!(); // the IT itself is step 0, the ISB step `slot`
  }
  const same =
    stop === refStop &&
    stateDiffs(c.state, e.ts.getState(), refState).length === 0 &&
    Buffer.compare(e.ts.readMemory(SRAM_BASE, layout.sramSize), e.ref.readMemory(SRAM_BASE, layout.sramSize)) === 0;
  syncedMemoryDiffs(e, layout);
  return same;
}

/**
 * Steps sramlab through a block until the PC reaches its end, something stops it, or each
 * instruction has had its step. `special` is set when sramlab did not refuse an instruction
 * that is UNPREDICTABLE in its IT slot (see BlockInsn.special): `ran` when it ran it, or else
 * it skipped it (its condition failed). Either way the run stops there.
 */
function runTsTo(ts: Engine, block: Block): TsRun {
  for (let k = 0; k < block.insns.length; k++) {
    const pc = ts.getState().r[15];
    const r = ts.step();
    if (r.stop !== 'ok') return r;
    const next = ts.getState().r[15];
    const insn = block.insns.find((i) => i.address === pc);
    // A skipped instruction only moves the PC past itself; a branch that ran went elsewhere.
    if (insn?.special) return { stop: 'ok', special: { insn, ran: next !== insn.address + insn.width / 8 } };
    if (next === block.end) break;
  }
  return { stop: 'ok' };
}

type TsRun = StepResult & { special?: { insn: BlockInsn; ran: boolean } };

/** The instruction sramlab stopped on: the case's own, or the block's at the stop address. */
function stoppedOn(c: TestCase, stop: StepStop, pc: number): Insn | null {
  if (!c.block) return c;
  if (stop === 'ok') return null;
  return c.block.insns.find((i) => i.address === pc) ?? null;
}

/** An UNPREDICTABLE encoding: sramlab must call it UNDEFINED; any other outcome is a mismatch. */
function runAlone(e: Engines, c: TestCase, layout: Layout): Outcome {
  e.ts.setState(c.state);
  const tsStop = e.ts.step().stop;
  if (tsStop === 'undefined') return { verdict: 'match', sramlabOnly: 'encoding', tsStop, diffs: [] };
  // The reference never ran, so bring sramlab's SRAM back in line with it.
  syncedMemoryDiffs(e, layout);
  return {
    verdict: 'mismatch',
    sramlabOnly: 'encoding',
    tsStop,
    diffs: [{ what: 'stop', ts: tsStop, ref: 'undefined (UNPREDICTABLE in the ARM ARM)' }],
  };
}

/**
 * True when sramlab refused, as UNDEFINED, an instruction that the ARM ARM makes UNPREDICTABLE
 * where and how it ran, and the reason holds (checked here, not taken from sramlab's word):
 * - LDR (immediate, register, literal) to the PC from an address that is not word-aligned
 *   ("if address<1:0> == '00' then LoadWritePC(data) else UNPREDICTABLE", A7.7.42–44);
 * - in an IT block, CBZ/CBNZ, IT and B<cond> anywhere, and a write to the PC before the
 *   block's last instruction (A7.3, and each instruction's "if InITBlock() …").
 */
function unpredictableWhereItRan(c: TestCase, at: Insn, fault: FaultReport | undefined, before: CpuState): boolean {
  const detail = fault?.message ?? '';
  if (!/UNPREDICTABLE/.test(detail)) return false;
  if (c.block) return c.block.kind === 'it-block' && 'special' in at && at.special === true && /IT block/.test(detail);
  const address = ldrPcAddress(at, before);
  return address !== null && (address & 3) !== 0;
}

/** The address an LDR to the PC loads from, or null when the instruction is not one. */
function ldrPcAddress(i: Insn, s: CpuState): number | null {
  const op = i.row?.enc.op,
    f = i.fields;
  if (i.width !== 32 || f.t !== 15) return null;
  const hw1 = i.word >>> 16,
    hw2 = i.word & 0xffff;
  const rn = (k: number): number => (k === 15 ? (s.r[15] + 4) & ~3 : s.r[k]);
  switch (op) {
    case OpV7.LDR_lit: {
      const imm = hw2 & 0xfff;
      return (rn(15) + ((hw1 >>> 7) & 1 ? imm : -imm)) >>> 0;
    }
    case OpV7.LDR_imm12:
      return (rn(f.n) + (hw2 & 0xfff)) >>> 0;
    case OpV7.LDR_imm8: {
      const offset = (rn(f.n) + (f.U ? f.i : -f.i)) >>> 0;
      return f.P ? offset : rn(f.n) >>> 0;
    }
    case OpV7.LDR_reg:
      return (rn(f.n) + (s.r[f.m] << f.i)) >>> 0;
    default:
      return null;
  }
}

/** Sets the banked stack pointers and CONTROL.SPSEL (and on ARMv7-M BASEPRI, FAULTMASK) on both engines. */
function runPrelude(e: Engines, c: TestCase, layout: Layout): StateDiff[] {
  const p = c.prelude!;
  const start: CpuState = { ...c.state, r: [...c.state.r], control: 0 };
  start.r[0] = p.psp;
  start.r[1] = p.spsel << 1;
  start.r[2] = p.basepri ?? 0;
  start.r[13] = p.msp;
  start.r[15] = layout.scratch;
  for (const engine of [e.ts, e.ref]) engine.setState(start);
  const steps = p.basepri === undefined ? 2 : p.faultmask ? 5 : 4;
  for (let k = 0; k < steps; k++) {
    const a = e.ts.step().stop,
      b = e.ref.step().stop;
    if (a !== 'ok' || b !== 'ok') return [{ what: `prelude step ${k + 1} stop`, ts: a, ref: b }];
  }
  return stateDiffs(start, e.ts.getState(), e.ref.getState()).map((d) => ({ ...d, what: `prelude ${d.what}` }));
}

/** Reads BASEPRI and FAULTMASK on both engines after a system case (privileged, from the postlude). */
function runPostlude(e: Engines, c: TestCase, layout: Layout): StateDiff[] {
  const start: CpuState = { ...c.state, r: [...c.state.r], control: 0 };
  start.r[15] = layout.postlude;
  const read: number[][] = [];
  for (const engine of [e.ts, e.ref]) {
    engine.setState(start);
    const stops = [engine.step().stop, engine.step().stop];
    if (stops.some((s) => s !== 'ok')) return [{ what: `postlude stop (${engine.name})`, ts: stops.join(','), ref: '' }];
    const s = engine.getState();
    read.push([s.r[0], s.r[1]]);
  }
  const diffs: StateDiff[] = [];
  const p = c.prelude!;
  if (read[0][0] !== read[1][0]) diffs.push({ what: 'basepri', before: p.basepri, ts: read[0][0], ref: read[1][0] });
  if (read[0][1] !== read[1][1]) diffs.push({ what: 'faultmask', before: p.faultmask, ts: read[0][1], ref: read[1][1] });
  return diffs;
}

function insnBytes(word: number, width: 16 | 32): number[] {
  return width === 16 ? [word & 0xff, word >>> 8] : [(word >>> 16) & 0xff, word >>> 24, word & 0xff, (word >>> 8) & 0xff];
}

export function stateDiffs(before: CpuState, ts: CpuState, ref: CpuState): StateDiff[] {
  const diffs: StateDiff[] = [];
  for (let k = 0; k < 16; k++) {
    if (ts.r[k] >>> 0 !== ref.r[k] >>> 0)
      diffs.push({ what: REG_NAMES[k], before: before.r[k] >>> 0, ts: ts.r[k] >>> 0, ref: ref.r[k] >>> 0 });
  }
  for (const f of SCALARS) {
    if (ts[f] !== ref[f]) diffs.push({ what: f, before: before[f], ts: ts[f], ref: ref[f] });
  }
  return diffs;
}

/**
 * What the architecture leaves UNKNOWN when a load or store multiple faults part-way (ARM ARM,
 * "Exceptions in Load Multiple and Store Multiple operations"): the registers being loaded,
 * and the memory being stored to. The base register and the PC are still compared. LDRD and
 * STRD are two word accesses (ARMv7-M ARM A3.5.3) and are restarted like LDM/STM, so a fault
 * on the second leaves the first's register or memory UNKNOWN the same way (Unicorn writes
 * Rt before the second load faults; sramlab writes neither).
 */
function unknownAfterFault(at: Insn | null, tsStop: StepStop, refStop: StepStop): { regs: Set<string>; memory: boolean } {
  const none = { regs: new Set<string>(), memory: false };
  if (tsStop !== 'fault' || refStop !== 'fault' || !at?.row) return none;
  const op = at.row.enc.op,
    f = at.fields;
  if (op === Op.LDM || op === Op.POP) {
    const list = f.l ?? 0;
    const regs = new Set(REG_NAMES.slice(0, 8).filter((_, k) => (list >>> k) & 1 && !(op === Op.LDM && k === f.n)));
    return { regs, memory: false };
  }
  if (op === OpV7.LDM_W || op === OpV7.LDMDB) {
    const list = ((f.M ?? 0) << 14) | f.l; // the PC (P) is compared: both stop on the LDM
    const regs = new Set(REG_NAMES.slice(0, 15).filter((_, k) => (list >>> k) & 1 && k !== f.n));
    return { regs, memory: false };
  }
  if (op === OpV7.LDRD_imm || op === OpV7.LDRD_lit) return { regs: new Set([REG_NAMES[f.t], REG_NAMES[f.v]]), memory: false };
  if (op === Op.STM || op === Op.PUSH || op === OpV7.STM_W || op === OpV7.STMDB || op === OpV7.STRD_imm) {
    return { regs: new Set(), memory: true };
  }
  return none;
}

/** Compares all of SRAM; on a difference lists the first few bytes and copies the reference's SRAM into sramlab. */
function syncedMemoryDiffs(e: Engines, layout: Layout): StateDiff[] {
  const a = e.ts.readMemory(SRAM_BASE, layout.sramSize);
  const b = e.ref.readMemory(SRAM_BASE, layout.sramSize);
  if (Buffer.compare(a, b) === 0) return [];
  const diffs: StateDiff[] = [];
  for (let k = 0; k < a.length && diffs.length < MAX_MEM_DIFFS; k++) {
    if (a[k] !== b[k]) diffs.push({ what: `mem 0x${hex(SRAM_BASE + k)}`, ts: a[k], ref: b[k] });
  }
  e.ts.writeMemory(SRAM_BASE, b);
  return diffs;
}

// ---- a whole run -------------------------------------------------------------------------

export interface ConformanceOptions {
  mcu: string;
  count: number;
  seed?: number;
  /** How many mismatches to keep in full (default 10). */
  show?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MismatchReport {
  index: number;
  word: number;
  width: 16 | 32;
  row: string;
  fields: Record<string, number>;
  pc: number;
  disassembly: string;
  /** An IT block's or exclusive sequence's instructions, one line each. */
  block?: string[];
  /** The state before the case, in short. */
  state: string;
  tsStop: StepStop;
  refStop?: StepStop;
  diffs: StateDiff[];
}

export interface ConformanceSummary {
  mcu: string;
  seed: number;
  /** Cases run: on both engines, or on sramlab alone for UNPREDICTABLE encodings. */
  count: number;
  /** Cases checked on sramlab alone: UNPREDICTABLE encodings and instructions UNPREDICTABLE where they ran. */
  sramlabOnly: number;
  /** The same by kind (see Outcome.sramlabOnly). */
  sramlabOnlyCounts: Record<string, number>;
  mismatches: number;
  deviations: number;
  deviationCounts: Record<string, number>;
  mismatchesByRow: Record<string, number>;
  /** Cases per encoding class ('random' for random words, 'exclusive-seq' for LDREX/STREX sequences). */
  classCounts: Record<string, number>;
  first: MismatchReport[];
}

/** Thrown when the reference cannot be opened, with the one-line reason. */
export class ReferenceUnavailable extends Error {}

export function runConformance(opts: ConformanceOptions): ConformanceSummary {
  const profile = getProfile(opts.mcu);
  const seed = opts.seed ?? 1;
  const show = opts.show ?? 10;
  const ref = openUnicorn(profile);
  if (!ref) throw new ReferenceUnavailable(`the reference engine is unavailable: ${unicornUnavailableReason()}`);
  const engines: Engines = { ts: createTsEngine(profile), ref };
  try {
    const gen = new CaseGenerator(profile, seed);
    loadMemory(engines, gen.initialFlash(), gen.initialSram());
    const s: ConformanceSummary = {
      mcu: profile.name,
      seed,
      count: 0,
      sramlabOnly: 0,
      sramlabOnlyCounts: {},
      mismatches: 0,
      deviations: 0,
      deviationCounts: {},
      mismatchesByRow: {},
      classCounts: {},
      first: [],
    };
    for (let k = 0; k < opts.count; k++) {
      const c = gen.next();
      const out = runCase(engines, c, gen.layout, profile);
      tally(s, c, out, show, profile);
      if (opts.onProgress && (k + 1) % 1000 === 0) opts.onProgress(k + 1, opts.count);
    }
    return s;
  } finally {
    engines.ts.close();
    engines.ref.close();
  }
}

function tally(s: ConformanceSummary, c: TestCase, out: Outcome, show: number, profile: Profile): void {
  s.count++;
  if (out.sramlabOnly) {
    s.sramlabOnly++;
    s.sramlabOnlyCounts[out.sramlabOnly] = (s.sramlabOnlyCounts[out.sramlabOnly] ?? 0) + 1;
  }
  const cls = c.block?.kind === 'it-block' ? 'it-block' : c.cls;
  s.classCounts[cls] = (s.classCounts[cls] ?? 0) + 1;
  if (out.verdict === 'deviation') {
    s.deviations++;
    for (const id of out.deviations!) s.deviationCounts[id] = (s.deviationCounts[id] ?? 0) + 1;
  } else if (out.verdict === 'mismatch') {
    s.mismatches++;
    const row = rowName(c);
    s.mismatchesByRow[row] = (s.mismatchesByRow[row] ?? 0) + 1;
    if (s.first.length < show) s.first.push(report(c, out, profile));
  }
}

const rowName = (c: TestCase): string =>
  c.cls === EXCLUSIVE_SEQ ? 'LDREX/STREX sequence' : c.block ? 'IT block' : c.row ? c.row.enc.name : '(no row: UNDEFINED in sramlab)';

function report(c: TestCase, out: Outcome, profile: Profile): MismatchReport {
  const s = c.state;
  const state =
    `${REG_NAMES.slice(0, 15)
      .map((r, k) => `${r}=${hex(s.r[k])}`)
      .join(' ')} nzcv=${s.n}${s.z}${s.c}${s.v}` +
    (profile.arch === 'v7em' ? ` q=${s.q} ge=${hex(s.ge)}` : '') +
    ` primask=${s.primask} control=${s.control}` +
    (c.prelude ? ` prelude=${JSON.stringify(c.prelude)}` : '');
  return {
    index: c.index,
    word: c.word,
    width: c.width,
    row: rowName(c),
    fields: c.fields,
    pc: s.r[15],
    disassembly: disassemble(profile.arch, c.word, s.r[15]),
    block: c.block?.insns.map(
      (i) =>
        `${hex(i.address)}: ${wordText(i.word, i.width)}  ${disassemble(profile.arch, i.word, i.address)}` +
        `  [${rowLabel(i.row)}]${i.special ? ' (UNPREDICTABLE here)' : ''}`,
    ),
    state,
    tsStop: out.tsStop,
    refStop: out.refStop,
    diffs: out.diffs,
  };
}

const rowLabel = (r: CompiledEncoding): string => r.enc.name;
const wordText = (word: number, width: 16 | 32): string =>
  width === 16 ? hex(word, 4) : `${hex(word >>> 16, 4)} ${hex(word & 0xffff, 4)}`;

/** A mismatch in a few lines for people. */
export function formatMismatch(m: MismatchReport): string {
  const fields = Object.entries(m.fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [
    `#${m.index} ${wordText(m.word, m.width)} at 0x${hex(m.pc)}: ${m.row}${fields && !m.block ? ` [${fields}]` : ''} — ${m.disassembly}`,
    ...(m.block ?? []).map((l) => `    ${l}`),
    `  before: ${m.state}`,
    `  stop: sramlab ${m.tsStop}, reference ${m.refStop ?? '(not run)'}`,
  ];
  for (const d of m.diffs) {
    if (d.what === 'stop') continue;
    const before = d.before === undefined ? '' : `before ${fmt(d.before)}, `;
    lines.push(`  ${d.what}: ${before}sramlab ${fmt(d.ts)}, reference ${fmt(d.ref)}`);
  }
  return lines.join('\n');
}

const fmt = (v: number | string): string => (typeof v === 'number' ? `0x${hex(v)}` : v);
const hex = (n: number, width = 1): string => (n >>> 0).toString(16).padStart(width, '0');
