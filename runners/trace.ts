// Every load and store allocator code makes while a scenario runs, one record at a time: the
// instruction (PC, symbol+offset, source line, disassembly), the access (kind, size, address,
// value) and the region it lands in. Records go to a sink as they happen, so a trace of
// millions of accesses never sits in memory; the run stops after the last operation asked for.

import type { Range } from '../checks/checkers.ts';
import type { OperationEvent, Session } from '../checks/session.ts';
import type { Checker } from '../emulator/bus.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { is32bit } from '../emulator/isa/encodings.ts';
import type { Machine } from '../emulator/machine.ts';
import { runScenario, type ScenarioResult } from '../scenarios/index.ts';
import type { AllocatorImage } from './image.ts';

/** Where an access lands. heap-spare: the part of the heap region sl_init was not given. */
export const TRACE_REGIONS = ['heap', 'heap-spare', 'state', 'stack', 'flash', 'sram', 'scs', 'dwt', 'unmapped'] as const;
export type TraceRegion = (typeof TRACE_REGIONS)[number];

export interface TraceAccess {
  /** The operation it belongs to (0: sl_init). */
  op: number;
  pc: number;
  symbol?: string;
  source?: string;
  instruction?: string;
  kind: 'load' | 'store';
  size: number;
  address: number;
  /** The value loaded or stored, unsigned. */
  value: number;
  region: TraceRegion;
  /** Instructions the core had executed when it made the access (counts loop lengths). */
  instructions: number;
}

/**
 * The core entered an exception (IPSR became non-zero: `exception` is its number, 16 + n for
 * IRQ n) or returned from one to thread mode, seen at the first traced access after it.
 */
export interface TraceException {
  op: number;
  phase: 'entry' | 'return';
  exception: number;
  /** The PC of that first access. */
  pc: number;
}

export interface TraceSink {
  access(a: TraceAccess): void;
  /** Each traced operation's start and end (with the block it returned). */
  operation?(e: OperationEvent): void;
  exception?(e: TraceException): void;
}

export interface TraceOptions {
  scenario: string;
  allocator: string;
  mcu: string;
  seed: number;
  ops: number;
  heap?: number;
  /** Operations traced: [from, to], 1-based (0 is sl_init). */
  from: number;
  to: number;
  /** Only accesses into these regions (default: all). */
  regions?: ReadonlySet<TraceRegion>;
  /** Run a user's image built for an architecture the MCU lacks. */
  force?: boolean;
}

export interface TraceSummary {
  accesses: number;
  /** The scenario's result when it ran to its end or broke a rule; null when the trace stopped it after the last operation asked for. */
  result: ScenarioResult | null;
}

/** Thrown from an operation's end to stop the scenario once the last traced operation is done. */
class EnoughTraced extends Error {}

export function trace(opts: TraceOptions, sink: TraceSink): TraceSummary {
  let accesses = 0;
  const observe = (s: Session) => {
    const tracer = new Tracer(
      s,
      opts,
      (a) => {
        accesses++;
        sink.access(a);
      },
      (e) => sink.exception?.(e),
    );
    s.onOperation((e) => {
      tracer.onOperation(e);
      if (e.number < opts.from || e.number > opts.to) return;
      sink.operation?.(e);
      if (e.phase === 'end' && e.number >= opts.to) throw new EnoughTraced();
    });
  };
  try {
    const result = runScenario(
      opts.scenario,
      opts.allocator,
      opts.mcu,
      { seed: opts.seed, ops: opts.ops, heap: opts.heap },
      { observe, ...(opts.force ? { force: true } : {}) },
    );
    return { accesses, result };
  } catch (e) {
    if (e instanceof EnoughTraced) return { accesses, result: null };
    throw e;
  }
}

/** The checker of one session: filters by PC, operation and region, and builds the records. */
class Tracer {
  private heap: Range;
  private readonly describe = new Map<number, Pick<TraceAccess, 'symbol' | 'source' | 'instruction'>>();

  private ipsr = 0;

  constructor(
    private readonly session: Session,
    private readonly opts: TraceOptions,
    emit: (a: TraceAccess) => void,
    private readonly exception: (e: TraceException) => void,
  ) {
    this.heap = session.image.layout.heapRegion;
    session.image.machine.addChecker(this.checker(emit));
  }

  onOperation(e: OperationEvent): void {
    // Until sl_init returns the image does not know the heap in use; its start event does.
    if (e.kind === 'init' && e.phase === 'start') this.heap = { start: this.heap.start, end: this.heap.start + e.size! };
  }

  private checker(emit: (a: TraceAccess) => void): Checker {
    const { code } = this.session.image.layout;
    const codeStart = code.start >>> 0,
      codeLen = (code.end - code.start) >>> 0;
    const { from, to, regions } = this.opts;
    const s = this.session;
    return (pc, address, size, kind, value) => {
      if ((pc - codeStart) >>> 0 >= codeLen || s.probing || kind === 'fetch') return;
      const op = s.operations;
      if (op < from || op > to) return;
      const cpu = s.image.machine.cpu;
      if (cpu.ipsr !== this.ipsr) {
        // Thread mode to handler and back; a handler preempting another shows as an entry too.
        const phase = cpu.ipsr === 0 ? 'return' : 'entry';
        this.exception({ op, phase, exception: phase === 'entry' ? cpu.ipsr : this.ipsr, pc });
        this.ipsr = cpu.ipsr;
      }
      const region = this.regionOf(address);
      if (regions && !regions.has(region)) return;
      const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      emit({ op, pc, ...this.where(pc), kind, size, address, value: (value & mask) >>> 0, region, instructions: cpu.instructions });
    };
  }

  private regionOf(address: number): TraceRegion {
    return classify(address, this.session.image, this.heap);
  }

  /** Symbol, source line and disassembly of a PC, worked out once per PC. */
  private where(pc: number): Pick<TraceAccess, 'symbol' | 'source' | 'instruction'> {
    let w = this.describe.get(pc);
    if (!w) {
      const m = this.session.image.machine;
      w = { ...m.describe(pc), instruction: instructionAt(m, pc) };
      this.describe.set(pc, w);
    }
    return w;
  }
}

/** Which region an address is in, for an image whose heap in use is `heap`. */
export function classify(address: number, image: AllocatorImage, heap: Range): TraceRegion {
  const a = address >>> 0;
  const { state, heapRegion, stackLimit, stackTop } = image.layout;
  const inside = (r: Range) => a >= r.start && a < r.end;
  if (inside(heap)) return 'heap';
  if (inside(heapRegion)) return 'heap-spare';
  if (inside(state)) return 'state';
  if (a >= stackLimit && a < stackTop) return 'stack';
  const r = image.machine.bus.regionOf(a);
  // A single-core machine (all trace runs) maps no SIO: the two-core devices never show here.
  return r === 'sio' ? 'unmapped' : r;
}

/** The disassembly of the instruction at pc (a 32-bit one read as both halfwords). */
function instructionAt(m: Machine, pc: number): string | undefined {
  try {
    const half = (a: number) => {
      const b = m.bus.peek(a, 2);
      return b[0]! | (b[1]! << 8);
    };
    const hw1 = half(pc);
    const word = is32bit(hw1) ? ((hw1 << 16) | half(pc + 2)) >>> 0 : hw1;
    return disassemble(m.profile.arch, word, pc);
  } catch {
    return undefined; // a PC outside memory: the access report still stands without it
  }
}
