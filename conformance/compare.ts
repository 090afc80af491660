// Runs generated cases on sramlab's CPU and on the reference from identical state, and
// compares everything the Engine interface shows: r0–r15, NZCV (and Q/GE), PRIMASK,
// CONTROL, all of SRAM, and how the step stopped (UNDEFINED, fault, SVC, …).

import type { CpuState, Engine, StepStop } from '../emulator/engine.ts';
import { createTsEngine } from '../emulator/engines/ts-engine.ts';
import { openUnicorn, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { Op } from '../emulator/isa/encodings.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile, type Profile } from '../emulator/profiles.ts';
import { CaseGenerator, deviationFor, type Layout, type StateDiff, type TestCase } from './generate.ts';

export interface Engines { ts: Engine; ref: Engine }

export type Verdict = 'match' | 'mismatch' | 'deviation';

export interface Outcome {
  verdict: Verdict;
  /** Id of the known deviation, when verdict is 'deviation'. */
  deviation?: string;
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
  const code = instructionBytes(c);
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
  e.ts.setState(c.state);
  e.ref.setState(c.state);
  const tsStop = e.ts.step().stop;
  const refStop = e.ref.step().stop;
  const diffs = stateDiffs(c.state, e.ts.getState(), e.ref.getState());
  if (tsStop !== refStop) diffs.unshift({ what: 'stop', ts: tsStop, ref: refStop });
  const ignore = unknownAfterFault(c, tsStop, refStop);
  const kept = diffs.filter((d) => !ignore.regs.has(d.what));
  const memDiffs = syncedMemoryDiffs(e, layout);
  if (!ignore.memory) kept.push(...memDiffs);
  if (!kept.length) return { verdict: 'match', tsStop, refStop, diffs: [] };
  const dev = deviationFor(c, kept, profile);
  return dev
    ? { verdict: 'deviation', deviation: dev.id, tsStop, refStop, diffs: kept }
    : { verdict: 'mismatch', tsStop, refStop, diffs: kept };
}

/** An UNPREDICTABLE encoding: sramlab must call it UNDEFINED; any other outcome is a mismatch. */
function runAlone(e: Engines, c: TestCase, layout: Layout): Outcome {
  e.ts.setState(c.state);
  const tsStop = e.ts.step().stop;
  if (tsStop === 'undefined') return { verdict: 'match', tsStop, diffs: [] };
  // The reference never ran, so bring sramlab's SRAM back in line with it.
  syncedMemoryDiffs(e, layout);
  return { verdict: 'mismatch', tsStop, diffs: [{ what: 'stop', ts: tsStop, ref: 'undefined (UNPREDICTABLE in the ARM ARM)' }] };
}

/** Sets the banked stack pointers and CONTROL.SPSEL on both engines (see Prelude). */
function runPrelude(e: Engines, c: TestCase, layout: Layout): StateDiff[] {
  const p = c.prelude!;
  const start: CpuState = { ...c.state, r: [...c.state.r], control: 0 };
  start.r[0] = p.psp;
  start.r[1] = p.spsel << 1;
  start.r[13] = p.msp;
  start.r[15] = layout.scratch;
  for (const engine of [e.ts, e.ref]) engine.setState(start);
  for (let k = 0; k < 2; k++) {
    const a = e.ts.step().stop, b = e.ref.step().stop;
    if (a !== 'ok' || b !== 'ok') return [{ what: `prelude step ${k + 1} stop`, ts: a, ref: b }];
  }
  return stateDiffs(start, e.ts.getState(), e.ref.getState()).map((d) => ({ ...d, what: `prelude ${d.what}` }));
}

function instructionBytes(c: TestCase): Uint8Array {
  const hws = c.width === 16 ? [c.word] : [c.word >>> 16, c.word & 0xffff];
  const out = new Uint8Array(hws.length * 2);
  hws.forEach((hw, k) => { out[2 * k] = hw & 0xff; out[2 * k + 1] = hw >>> 8; });
  return out;
}

export function stateDiffs(before: CpuState, ts: CpuState, ref: CpuState): StateDiff[] {
  const diffs: StateDiff[] = [];
  for (let k = 0; k < 16; k++) {
    if (ts.r[k] >>> 0 !== ref.r[k] >>> 0) diffs.push({ what: REG_NAMES[k], before: before.r[k] >>> 0, ts: ts.r[k] >>> 0, ref: ref.r[k] >>> 0 });
  }
  for (const f of SCALARS) {
    if (ts[f] !== ref[f]) diffs.push({ what: f, before: before[f], ts: ts[f], ref: ref[f] });
  }
  return diffs;
}

/**
 * What the architecture leaves UNKNOWN when a load or store multiple faults part-way (ARM ARM,
 * "Exceptions in Load Multiple and Store Multiple operations"): the registers being loaded,
 * and the memory being stored to. The base register and the PC are still compared.
 */
function unknownAfterFault(c: TestCase, tsStop: StepStop, refStop: StepStop): { regs: Set<string>; memory: boolean } {
  const none = { regs: new Set<string>(), memory: false };
  if (tsStop !== 'fault' || refStop !== 'fault' || !c.row) return none;
  const op = c.row.enc.op, list = c.fields.l ?? 0;
  if (op === Op.LDM || op === Op.POP) {
    const regs = new Set(REG_NAMES.slice(0, 8).filter((_, k) => (list >>> k) & 1 && !(op === Op.LDM && k === c.fields.n)));
    return { regs, memory: false };
  }
  if (op === Op.STM || op === Op.PUSH) return { regs: new Set(), memory: true };
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
  tsStop: StepStop;
  refStop?: StepStop;
  diffs: StateDiff[];
}

export interface ConformanceSummary {
  mcu: string;
  seed: number;
  /** Cases run: on both engines, or on sramlab alone for UNPREDICTABLE encodings. */
  count: number;
  /** UNPREDICTABLE encodings checked (UNDEFINED in sramlab) without asking the reference. */
  sramlabOnly: number;
  mismatches: number;
  deviations: number;
  deviationCounts: Record<string, number>;
  mismatchesByRow: Record<string, number>;
  /** Cases per encoding class ('random' for random words). */
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
      mcu: profile.name, seed, count: 0, sramlabOnly: 0, mismatches: 0, deviations: 0,
      deviationCounts: {}, mismatchesByRow: {}, classCounts: {}, first: [],
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
  if (c.unpredictable) s.sramlabOnly++;
  const cls = c.source === 'random' ? 'random' : c.row!.enc.cls;
  s.classCounts[cls] = (s.classCounts[cls] ?? 0) + 1;
  if (out.verdict === 'deviation') {
    s.deviations++;
    s.deviationCounts[out.deviation!] = (s.deviationCounts[out.deviation!] ?? 0) + 1;
  } else if (out.verdict === 'mismatch') {
    s.mismatches++;
    const row = rowName(c);
    s.mismatchesByRow[row] = (s.mismatchesByRow[row] ?? 0) + 1;
    if (s.first.length < show) s.first.push(report(c, out, profile));
  }
}

const rowName = (c: TestCase): string => (c.row ? c.row.enc.name : '(no row: UNDEFINED in sramlab)');

function report(c: TestCase, out: Outcome, profile: Profile): MismatchReport {
  return {
    index: c.index, word: c.word, width: c.width, row: rowName(c), fields: c.fields, pc: c.state.r[15],
    disassembly: disassemble(profile.arch, c.word, c.state.r[15]),
    tsStop: out.tsStop, refStop: out.refStop, diffs: out.diffs,
  };
}

/** A mismatch in a few lines for people. */
export function formatMismatch(m: MismatchReport): string {
  const word = m.width === 16 ? hex(m.word, 4) : `${hex(m.word >>> 16, 4)} ${hex(m.word & 0xffff, 4)}`;
  const fields = Object.entries(m.fields).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [
    `#${m.index} ${word} at 0x${hex(m.pc)}: ${m.row}${fields ? ` [${fields}]` : ''} — ${m.disassembly}`,
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
