// The playground's machine side, run in a Web Worker (web/worker.ts) so a long run never
// blocks the page: a scenario run with every check on, recording one frame per operation (the
// heap by owner, the stack's peak, the registers) and a last frame where it stopped; the same
// run again recording one operation's instructions; and the code around a violation's PC.
// Everything returned is plain data the worker can post to the page.

import type { Rule, Session } from '../checks/session.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { is32bit } from '../emulator/isa/encodings.ts';
import type { Machine } from '../emulator/machine.ts';
import { AllocatorImage } from '../runners/image.ts';
import { type Expectation, type ImageTarget, runScenarioOnImage, type ScenarioResult } from '../scenarios/index.ts';
import { describeOperation, type HeapMap, HeapTracker, heapMap } from '../views/heap-map.ts';
import { type ImageMap, imageMap } from '../views/image-map.ts';

/** The form's numbers (heap undefined: as `sramlab check`, 16 KiB or the image's region where smaller). */
export interface Params {
  seed: number;
  ops: number;
  heap?: number;
}

/** One moment of a run: after an operation, or where the run stopped. */
export interface Frame {
  /** The operation it is after, or the one the run stopped in. */
  op: number;
  title: string;
  map: HeapMap;
  /** The lowest SP so far: calls start at the stack top (or where a scenario puts them) and go down. */
  lowestSP: number;
  registers: number[];
  xpsr: number;
}

/** One instruction of the listing around where a run stopped. */
export interface ListingLine {
  address: number;
  text: string;
  source?: string;
  here: boolean;
}

export interface Run {
  result: ScenarioResult;
  frames: Frame[];
  stackTop: number;
  stackLimit: number;
  /** The instructions around the PC the violation names, with their C lines (empty without a PC). */
  listing: ListingLine[];
  memoryMap: ImageMap;
}

/** One instruction as the core was about to execute it. */
export interface Step {
  pc: number;
  ipsr: number;
  regs: Uint32Array;
  xpsr: number;
  /** Its disassembly, and its C line (or symbol) when the image has them. */
  text: string;
  where: string;
}

/** The instructions of one operation: all of them, or the first TRACE_HEAD and the last TRACE_TAIL. */
export interface InstructionTrace {
  op: number;
  steps: Step[];
  skippedAt: number;
  skipped: number;
}

const TRACE_HEAD = 2000,
  TRACE_TAIL = 500;

/** The scenario again (it is deterministic), with the core's per-instruction hook on during operation op alone. */
export function traceOperation(scenario: string, mcu: string, src: Source, params: Params, op: number): InstructionTrace {
  type Raw = Omit<Step, 'text' | 'where'>;
  const head: Raw[] = [];
  let tail: Raw[] = [];
  let seen = 0;
  let machine: Machine | undefined;
  try {
    runScenarioOnImage(scenario, target(scenario, mcu, src), params, (s) => {
      const cpu = s.image.machine.cpu;
      machine = s.image.machine;
      const record = () => {
        seen++;
        const step = { pc: cpu.pc >>> 0, ipsr: cpu.ipsr, regs: Uint32Array.from(cpu.r), xpsr: cpu.xpsr >>> 0 };
        step.regs[15] = step.pc;
        if (head.length < TRACE_HEAD) head.push(step);
        else if (tail.push(step) >= 4 * TRACE_TAIL) tail = tail.slice(-TRACE_TAIL);
      };
      s.onOperation((e) => {
        if (e.number === op) cpu.onInstruction = e.phase === 'start' ? record : null;
      });
    });
  } finally {
    if (machine) machine.cpu.onInstruction = null;
  }
  tail = tail.slice(-TRACE_TAIL);
  const m = machine!;
  const steps = [...head, ...tail].map((st) => {
    const where = m.describe(st.pc);
    return { ...st, text: instructionText(m, st.pc), where: where.source ?? where.symbol ?? '' };
  });
  return { op, steps, skippedAt: head.length, skipped: seen - head.length - tail.length };
}

/** Instructions shown before and after the one a violation names. */
const LISTING_BEFORE = 6,
  LISTING_AFTER = 4;

/**
 * The code around a PC, decoded forward from the start of its function (Thumb cannot be decoded
 * backwards: a halfword may be the second half of a 32-bit instruction).
 */
function listingAround(m: Machine, pc: number): ListingLine[] {
  const fn = m.symbols?.lookup(pc);
  if (!fn || fn.offset > 4096) return [];
  const lines: ListingLine[] = [];
  for (let a = pc - fn.offset; a <= pc + 4 * LISTING_AFTER; ) {
    let word: number;
    try {
      const b = m.bus.peek(a, 2);
      word = b[0]! | (b[1]! << 8);
      if (is32bit(word)) {
        const c = m.bus.peek(a + 2, 2);
        word = ((word << 16) | c[0]! | (c[1]! << 8)) >>> 0;
      }
    } catch {
      break;
    }
    lines.push({ address: a, text: disassemble(m.profile.arch, word, a), source: m.describe(a).source, here: a === pc });
    a += word > 0xffff ? 4 : 2;
  }
  const at = lines.findIndex((l) => l.here);
  return at < 0 ? [] : lines.slice(Math.max(0, at - LISTING_BEFORE), at + LISTING_AFTER + 1);
}

/** An image to run: a built-in's committed ELF, or the user's. */
export interface Source {
  label: string;
  elf: Uint8Array;
  user: boolean;
  /** A scenario's own build run in place of the allocator's image (no-cas's CAS build), and what must catch it. */
  variant?: { scenario: string; expect: Rule | Expectation };
}

function frameOf(s: Session, tracker: HeapTracker, op: number, title: string): Frame {
  const cpu = s.image.machine.cpu;
  const entry = s.image.entrySP ?? s.image.layout.stackTop;
  return {
    op,
    title,
    map: heapMap(s, tracker),
    lowestSP: entry - s.peakStackBytes,
    registers: Array.from(cpu.r, (r) => r >>> 0),
    xpsr: cpu.xpsr >>> 0,
  };
}

/** What runScenarioOnImage needs for an image: a user's comes up as `sramlab check` brings it up. */
function target(scenario: string, mcu: string, src: Source): ImageTarget {
  return {
    allocator: src.label,
    mcu,
    makeImage: () =>
      AllocatorImage.fromElf(
        src.elf,
        mcu,
        src.user ? { boot: 'auto' } : {},
        src.user ? src.label : `${src.label}-${mcu}${src.variant ? ` (${src.variant.scenario} variant)` : ''}`,
      ),
    ...(src.variant ? { expect: src.variant.expect } : {}),
    replay: (q) =>
      src.user
        ? `sramlab check ${src.label} --mcu ${mcu} --scenario ${scenario} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}`
        : `sramlab run ${scenario} --alloc ${src.label} --mcu ${mcu} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}`,
  };
}

/** Runs a scenario on an image with every check on, recording a frame per operation. */
export function runRecorded(scenario: string, mcu: string, src: Source, params: Params): Run {
  const frames: Frame[] = [];
  let session: Session | undefined, tracker: HeapTracker | undefined;
  const result = runScenarioOnImage(scenario, target(scenario, mcu, src), params, (s) => {
    session = s;
    tracker = new HeapTracker(s);
    s.onOperation((e) => {
      if (e.phase === 'end')
        frames.push(frameOf(s, tracker!, e.number, e.kind === 'init' ? `op 0: ${describeOperation(e).slice(6)}` : describeOperation(e)));
    });
  });
  const v = result.violation ?? result.caught;
  // A run stopped inside sl_init (no-cas on ARMv6-M) has no heap yet: draw the range it was given, with what it wrote there.
  if (!session!.image.heap)
    session!.image.heap = { start: session!.image.layout.heapRegion.start, end: session!.image.layout.heapRegion.start + result.heap };
  const last = frameOf(
    session!,
    tracker!,
    v ? v.operation : result.operations,
    v ? `stopped at op ${v.operation}: the ${v.rule} rule` : `end: ${result.operations} operations, every check held`,
  );
  // The stack rule names the SP that crossed the limit.
  if (v?.rule === 'stack' && v.address !== undefined) last.lowestSP = Math.min(last.lowestSP, v.address);
  frames.push(last);
  const { stackTop, stackLimit } = session!.image.layout;
  const m = session!.image.machine;
  return {
    result,
    frames,
    stackTop,
    stackLimit,
    listing: v?.pc !== undefined ? listingAround(m, v.pc) : [],
    memoryMap: imageMap(m.image!, m.profile, src.label),
  };
}

/** The instruction at pc, disassembled (Thumb: a halfword, or two for a 32-bit encoding). */
function instructionText(m: Machine, pc: number): string {
  let word: number;
  try {
    const b = m.bus.peek(pc, 2);
    word = b[0]! | (b[1]! << 8);
    if (is32bit(word)) {
      const c = m.bus.peek(pc + 2, 2);
      word = ((word << 16) | c[0]! | (c[1]! << 8)) >>> 0;
    }
  } catch {
    return '(not in memory)';
  }
  return disassemble(m.profile.arch, word, pc);
}

/** A scenario with every check on and nothing recorded: a whole check stays as fast as the CLI's. */
export const runPlain = (scenario: string, mcu: string, src: Source, params: Params): ScenarioResult =>
  runScenarioOnImage(scenario, target(scenario, mcu, src), params);
