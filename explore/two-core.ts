// The two-core explorer: both cores of a two-core chip (emulator/dual.ts) call the allocator at
// the same time, and every interleaving with at most K preemptions, each within the first W
// instructions of the call it preempts, is run to the end with every check on (bounded
// preemption, as CHESS and Loom do). The window counts per core: with W the longer call, every
// instruction boundary of either call is a preemption point.
//
// A schedule is written "0:12,1:40,0": core 0 runs 12 instructions, core 1 runs 40, then the
// tail starts with core 0. Each "c:n" is a preemption (the running core is stopped while it
// could go on); the first core is a free choice. The tail is fair: the running core goes on until
// its call returns, it reaches a spin hint (YIELD or WFE: it waits for the other core), or a
// quantum of instructions has passed, then the other core runs; so a lock the other core holds is
// released in time, and spinning is not mistaken for a deadlock. A core still running after its
// budget of instructions breaks the liveness rule.
//
// Search: depth first from snapshots (a prefix is restored, never re-run), in a fixed order, so
// a schedule's text replays it exactly. Dedup: a state (both cores' registers, the SIO, the SRAM
// of the allocator's state, heap and stacks) already explored with the same running core, the
// same preemptions used and no further into either call is not explored again. The work is cut into
// units (the first core and the length of its first segment); --shard deals units out, and the
// dedup table is per unit, so shards merged give exactly the unsharded counts.
//
// After every schedule: both calls returned (liveness, faults, containment and stack rules per
// core throughout), the blocks returned are inside the heap, aligned, and disjoint from each
// other (the same block handed to both cores) and from every live block; every live block holds
// what was written to it (metadata torn); then everything is freed on core 0 and the leak rule
// applied (a block lost).

import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { containmentChecker, installStackLimit, type Layout, type Range, Violation } from '../checks/checkers.ts';
import { type Block, Session, type SessionViolation, ViolationError } from '../checks/session.ts';
import type { Checker } from '../emulator/bus.ts';
import { DualMachine, type DualSnapshot, getDualProfile } from '../emulator/dual.ts';
import { hex } from '../emulator/elf.ts';
import { SIO_BASE, SIO_SIZE } from '../emulator/sio.ts';
import { IMAGES_DIR, imageName } from '../firmware/allocators.ts';
import { AllocatorCallError, AllocatorImage, imagePath, isElfPath } from '../runners/image.ts';
import { inShard, type Shard, WHOLE } from '../shard/partition.ts';
import { returned, runCore, startCall, stateKey } from './two-core/cores.ts';

export type Workload = 'alloc-alloc' | 'alloc-free';
export const WORKLOADS: readonly Workload[] = ['alloc-alloc', 'alloc-free'];

export interface TwoCoreOptions {
  /** 'rp2040' or 'dual-cortex-m3'. */
  mcu: string;
  /** At most this many preemptions per schedule (default 2). */
  preemptions?: number;
  /** A core is preempted only within the first W instructions of its call; default: the longer call run alone. */
  window?: number;
  /** Tail quantum: instructions a core runs before the other gets its turn (default 64). */
  quantum?: number;
  /** Instructions each call may take before the liveness rule fails it (default 100,000). */
  budget?: number;
  /** The global exclusive monitor (dual-cortex-m3; default on): off shows what it is for. */
  globalMonitor?: boolean;
  workload?: Workload;
  /** Bytes given to sl_init (default, and at most: the whole heap array). */
  heapSize?: number;
  /** Run this one schedule only ("0:12,1:40,0"). */
  schedule?: string;
  shard?: Shard;
  /** Go on after the first failing schedule, counting them all (default: stop at the first). */
  all?: boolean;
  /** Run an image built for another architecture anyway. */
  force?: boolean;
  /**
   * A built-in allocator on the rp2040: its SIO-spinlock build (firmware/images/sio, lock-sio.h
   * in place of lock.h) rather than its committed cortex-m0plus image, whose lock is PRIMASK.
   */
  sioBuild?: boolean;
}

export interface TwoCoreFailure {
  schedule: string;
  /** The unit of work it was found in (the order shards are merged by); 0 for a replay. */
  unit: number;
  /** Its number (1-based) among the schedules this run ran, in the search's fixed order. */
  index: number;
  violation: SessionViolation;
  /** Which core broke the rule, when one did. */
  core?: 0 | 1;
}

/** A failure before it is placed in a schedule and a unit. */
type Finding = Omit<TwoCoreFailure, 'schedule' | 'unit' | 'index'>;

export interface TwoCoreResult {
  allocator: string;
  mcu: string;
  workload: Workload;
  /** What each core calls: ["sl_alloc(16, 4)", "sl_alloc(16, 8)"]. */
  calls: [string, string];
  /** Instructions of each call run alone from the start (the default window is the longer). */
  lengths: [number, number];
  /** Bytes given to sl_init. */
  heap: number;
  /** Operations of the single-core set-up: core c's call is operation setupOperations + 1 + c. */
  setupOperations: number;
  preemptions: number;
  window: number;
  quantum: number;
  globalMonitor: boolean;
  shard: Shard | null;
  /** The one schedule run, when replaying (--schedule). */
  replayed: string | null;
  /** Units of work in all (the same in every shard) and in this run; unitsByCore: those whose first core is core 0, core 1. */
  units: number;
  unitsByCore: [number, number];
  /** Units with a failing schedule, by first core. */
  failingUnits: [number, number];
  unitsRun: number;
  /** Schedules run to the end, and schedules skipped because their state had been explored. */
  schedules: number;
  pruned: number;
  /** Distinct states the search entered (summed over units). */
  distinct: number;
  failing: number;
  failure: TwoCoreFailure | null;
  verdict: string;
  seconds: number;
}

/** One call of the concurrent pair. */
interface CoreCall {
  fn: 'sl_alloc' | 'sl_dealloc';
  args: number[];
  text: string;
  /** sl_dealloc: the block freed. */
  block?: Block;
}

/** One "c:n" of a schedule. */
export interface Segment {
  core: 0 | 1;
  count: number;
}

export function scheduleText(segments: readonly Segment[], tail: 0 | 1): string {
  return [...segments.map((s) => `${s.core}:${s.count}`), String(tail)].join(',');
}

/** Parses "0:12,1:40,0"; throws a RangeError naming what is wrong. */
export function parseSchedule(text: string): { segments: Segment[]; tail: 0 | 1 } {
  const parts = text.trim().split(',');
  const bad = (why: string) => new RangeError(`schedule '${text}': ${why} (expected e.g. 0:12,1:40,0)`);
  const last = parts.pop()!;
  if (last !== '0' && last !== '1') throw bad('it must end with the core the tail starts with, 0 or 1');
  const segments = parts.map((p) => {
    const m = /^([01]):([1-9]\d*)$/.exec(p);
    if (!m) throw bad(`'${p}' is not core:count`);
    return { core: Number(m[1]) as 0 | 1, count: Number(m[2]) };
  });
  const cores = [...segments.map((s) => s.core), Number(last)];
  for (let i = 1; i < cores.length; i++) if (cores[i] === cores[i - 1]) throw bad('each segment runs the other core');
  return { segments, tail: Number(last) as 0 | 1 };
}

const n = (x: number) => x.toLocaleString('en');
/** Instructions between the checkpoint snapshots of a segment (re-running fewer is cheaper than a snapshot). */
const CHECKPOINT = 16;
const other = (c: 0 | 1) => (1 - c) as 0 | 1;

/** Everything set up once: the chip, the session on core 0, the root state both calls start from. */
class Exploration {
  readonly dual: DualMachine;
  readonly session: Session;
  readonly image: AllocatorImage;
  readonly calls: [CoreCall, CoreCall];
  /**
   * The leak rule's yardstick: the largest block left once everything is freed after the two
   * calls made one after the other (the smaller over both orders), measured once. A fragmenting
   * allocator leaves less than right after sl_init even on one core; only less than this is a
   * block lost to the interleaving.
   */
  reference = -1;
  readonly hashRanges: Range[];
  /** Each core's stack top: the live part of a stack (SP up to it) is part of the state. */
  readonly stackTops: [number, number];
  readonly root: DualSnapshot;
  /** The session's live blocks, their bytes and counters at the root (restored after every schedule). */
  private readonly rootLive: { block: Block; bytes: Uint8Array }[];
  readonly rootOps: number;
  private readonly rootLiveBytes: number;
  readonly K: number;
  readonly quantum: number;
  readonly budget: number;
  W = 0;
  private readonly callStart: [number, number] = [0, 0];

  constructor(
    readonly label: string,
    elf: Uint8Array,
    readonly opts: TwoCoreOptions,
  ) {
    const profile = getDualProfile(opts.mcu);
    this.K = opts.preemptions ?? 2;
    this.quantum = opts.quantum ?? 64;
    this.budget = opts.budget ?? 100_000;
    this.image = AllocatorImage.fromElf(elf, profile.core, { boot: 'auto', force: opts.force }, label);
    this.dual = new DualMachine(profile, this.image.machine, { globalMonitor: opts.globalMonitor });
    const { code, state, heapRegion, stackTop, stackLimit } = this.image.layout;
    // The heap asked for, or the whole heap region if smaller (as `sramlab explore` does).
    const heapSize = Math.min(opts.heapSize ?? Infinity, heapRegion.end - heapRegion.start);
    const heap = { start: heapRegion.start, end: heapRegion.start + heapSize };
    // Core 0 keeps the upper half of the stack, core 1 gets the lower half (docs/two-cores.md).
    const mid = (stackLimit + Math.floor((stackTop - stackLimit) / 2)) & ~7;
    const layouts: [Layout, Layout] = [
      { code, state, heap, stackTop, stackLimit: mid },
      { code, state, heap, stackTop: mid, stackLimit },
    ];
    for (const c of [0, 1] as const) {
      const m = this.dual.cores[c];
      m.addChecker(allowSio(containmentChecker(m.cpu, layouts[c])));
      installStackLimit(m.cpu, layouts[c]);
    }
    this.hashRanges = [state, heap];
    this.stackTops = [layouts[0].stackTop, layouts[1].stackTop];
    this.session = new Session(this.image);
    const s = this.session;
    setUp(() => this.image.init(heapSize), 'sl_init');
    // A heap with a few live blocks and a hole, made single-core on core 0.
    const w = opts.workload ?? 'alloc-alloc';
    const made = setUp(() => [s.alloc(24, 4), s.alloc(40, 8), s.alloc(16, 4)], 'the set-up allocations');
    if (made.some((b) => b === null)) throw new Error(`${label}: the heap is too small for the set-up allocations (24, 40 and 16 bytes)`);
    const [, b2, b3] = made as Block[];
    setUp(() => s.dealloc(b2), 'the set-up dealloc');
    const call = (fn: CoreCall['fn'], args: number[], block?: Block): CoreCall => ({
      fn,
      args,
      block,
      text: `${fn}(${args.map((a) => (a > 0xffff ? hex(a) : String(a))).join(', ')})`,
    });
    this.calls =
      w === 'alloc-alloc'
        ? [call('sl_alloc', [16, 4]), call('sl_alloc', [16, 8])]
        : [call('sl_alloc', [16, 4]), call('sl_dealloc', [b3.ptr, b3.size, b3.align], b3)];
    if (this.calls[1].block) {
      s.live.delete(b3.id);
      s.liveBytes -= b3.size;
    }
    this.rootLive = [...s.live.values()].map((block) => ({ block, bytes: this.image.machine.bus.peek(block.ptr, block.size) }));
    this.rootOps = s.operations;
    this.rootLiveBytes = s.liveBytes;
    for (const c of [0, 1] as const) {
      const m = this.dual.cores[c];
      startCall(m, this.image.address(this.calls[c].fn), this.calls[c].args, layouts[c].stackTop);
      this.callStart[c] = m.cpu.instructions;
    }
    this.root = this.dual.snapshot();
  }

  /** Measures the leak rule's reference from the two sequential orders; a failure of one of them is returned. */
  measureReference(): TwoCoreFailure | null {
    let least = Infinity;
    for (const first of [0, 1] as const) {
      this.dual.restore(this.root);
      for (const c of [first, other(first)]) {
        const r = this.step(c, this.budget, false);
        if (r.failure || !returned(this.dual.cores[c])) return null; // the explorer reports it at this schedule
      }
      try {
        if (this.check() !== null) return null;
        least = Math.min(least, this.session.largestBlock(4));
      } catch (e) {
        if (e instanceof ViolationError) return null;
        throw e;
      } finally {
        this.resetSession();
      }
    }
    this.dual.restore(this.root);
    this.reference = least;
    return null;
  }

  /** Instructions of each call run alone from the root (the default window is the longer). */
  soloLengths(): [number, number] {
    const out: [number, number] = [0, 0];
    for (const c of [0, 1] as const) {
      this.dual.restore(this.root);
      try {
        out[c] = runCore(this.dual.cores[c], this.budget, false).ran;
      } catch {
        out[c] = this.budget;
      }
    }
    this.dual.restore(this.root);
    return out;
  }

  /** Instructions core c has run in its call so far. */
  ran(c: 0 | 1): number {
    return this.dual.cores[c].cpu.instructions - this.callStart[c];
  }

  /** Runs core c for up to count instructions; a failure (fault, violation) as a TwoCoreFailure-to-be. */
  step(c: 0 | 1, count: number, stopAtSpin: boolean): { ran: number; spin: boolean; failure?: Finding } {
    const m = this.dual.cores[c];
    try {
      const r = runCore(m, count, stopAtSpin);
      if (r.stop === 'halt' || r.stop === 'returned') return { ran: r.ran, spin: r.spin };
      // A core asleep (WFE, WFI) waits for the other core, as a spinning one does: the other
      // runs, this one goes on after the WFE when its turn comes back; the budget still bounds it.
      if (r.stop === 'sleep') return { ran: r.ran, spin: true };
      const f = m.cpu.faults.at(-1);
      const at = f ? ` at ${hex(f.pc)}${this.where(c, f.pc)}` : '';
      return {
        ran: r.ran,
        spin: false,
        failure: {
          core: c,
          violation: {
            rule: 'faults',
            operation: this.rootOps + 1 + c,
            message: `core ${c}'s ${this.calls[c].text} faulted${at}: ${f?.message ?? r.stop}`,
            pc: f?.pc ?? m.cpu.pc,
            ...m.describe(f?.pc ?? m.cpu.pc),
          },
        },
      };
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
      return {
        ran: 0,
        spin: false,
        failure: {
          core: c,
          violation: {
            rule: e.rule,
            operation: this.rootOps + 1 + c,
            message: `core ${c}'s ${this.calls[c].text}: ${e.message}`,
            pc: e.pc,
            ...m.describe(e.pc),
            address: e.address,
            size: e.size,
            access: e.access,
            region: m.bus.regionOf(e.address),
          },
        },
      };
    }
  }

  /** Runs exactly `count` instructions of core c (a WFE that sleeps ends a step, not the segment), unless it returns or fails first. */
  segment(c: 0 | 1, count: number): { ran: number; failure?: Finding } {
    let ran = 0;
    while (ran < count && !returned(this.dual.cores[c])) {
      const r = this.step(c, count - ran, false);
      ran += r.ran;
      if (r.failure) return { ran, failure: r.failure };
      if (r.ran === 0) break;
    }
    return { ran };
  }

  private where(c: 0 | 1, pc: number): string {
    const d = this.dual.cores[c].describe(pc);
    const s = [d.symbol, d.source].filter(Boolean).join(' ');
    return s ? ` (${s})` : '';
  }

  /** The fair tail from core `first`, then the checks; null when the schedule is safe. */
  finish(first: 0 | 1): Finding | null {
    let c = first;
    for (;;) {
      const m = this.dual.cores[c];
      if (returned(m)) {
        if (returned(this.dual.cores[other(c)])) break;
        c = other(c);
        continue;
      }
      const r = this.step(c, this.quantum, true);
      if (r.failure) return r.failure;
      if (!returned(m) && this.ran(c) >= this.budget) {
        const o = other(c);
        const locks = this.dual.sio?.locks ?? 0;
        const taken = Array.from({ length: 32 }, (_, k) => k).filter((k) => (locks >>> k) & 1);
        const state =
          (returned(this.dual.cores[o])
            ? `core ${o}'s ${this.calls[o].text} has returned`
            : `core ${o}'s ${this.calls[o].text} is still running too, at ${hex(this.dual.cores[o].cpu.pc)}${this.where(o, this.dual.cores[o].cpu.pc)}`) +
          (taken.length ? `; SIO spinlock${taken.length > 1 ? 's' : ''} ${taken.join(' and ')} taken` : '');
        return {
          core: c,
          violation: {
            rule: 'liveness',
            operation: this.rootOps + 1 + c,
            message: `core ${c}'s ${this.calls[c].text} still running after ${n(this.budget)} instructions, at ${hex(m.cpu.pc)}${this.where(c, m.cpu.pc)}; ${state}`,
            pc: m.cpu.pc,
            ...m.describe(m.cpu.pc),
          },
        };
      }
      if (!returned(this.dual.cores[other(c)])) c = other(c);
    }
    try {
      return this.check();
    } finally {
      this.resetSession();
    }
  }

  /** The checks after both calls returned (the machine is changed: restore after). */
  check(): Finding | null {
    const s = this.session,
      heap = s.heap;
    const fail = (rule: SessionViolation['rule'], message: string, extra: Partial<SessionViolation> = {}) => ({
      violation: { rule, message, operation: this.rootOps + 2, ...extra },
    });
    const got: { core: 0 | 1; ptr: number; size: number; align: number }[] = [];
    for (const c of [0, 1] as const) {
      const call = this.calls[c];
      if (call.fn !== 'sl_alloc') continue;
      const ptr = this.dual.cores[c].cpu.r[0] >>> 0;
      if (ptr === 0) continue;
      const [size, align] = call.args;
      const name = `core ${c}'s ${call.text}`;
      const last = ptr + Math.max(size, 1) - 1;
      if (ptr < heap.start || last >= heap.end) {
        return {
          core: c,
          ...fail('blocks', `${name} returned ${hex(ptr)}–${hex(last)}, outside the heap ${hex(heap.start)}–${hex(heap.end - 1)}`, {
            address: ptr,
            size,
          }),
        };
      }
      if (ptr % align)
        return { core: c, ...fail('blocks', `${name} returned ${hex(ptr)}, not ${align}-byte aligned`, { address: ptr, size }) };
      for (const g of got) {
        if (ptr < g.ptr + Math.max(g.size, 1) && g.ptr <= last) {
          return {
            core: c,
            ...fail(
              'blocks',
              `core ${g.core}'s ${this.calls[g.core].text} returned ${hex(g.ptr)} and ${name} returned ${hex(ptr)}: ` +
                `the same memory handed to both cores (${overlap(g.ptr, g.size, ptr, size)})`,
              { address: Math.max(ptr, g.ptr), size },
            ),
          };
        }
      }
      for (const { block: b } of this.rootLive) {
        if (ptr < b.ptr + Math.max(b.size, 1) && b.ptr <= last) {
          return {
            core: c,
            ...fail(
              'blocks',
              `${name} returned ${hex(ptr)}, which overlaps the live block made by operation ${b.op} at ${hex(b.ptr)} (${overlap(b.ptr, b.size, ptr, size)})`,
              { address: ptr, size },
            ),
          };
        }
      }
      got.push({ core: c, ptr, size, align });
    }
    // Metadata torn: a live block's bytes changed while the two calls ran.
    for (const { block: b, bytes } of this.rootLive) {
      const now = this.image.machine.bus.peek(b.ptr, b.size);
      const i = now.findIndex((x, k) => x !== bytes[k]);
      if (i >= 0) {
        return fail(
          'contents',
          `the live block made by operation ${b.op} (${hex(b.ptr)}, ${b.size} bytes) no longer holds what was written to it after the two calls: ` +
            `offset ${i} (${hex(b.ptr + i)}) was ${hex2(bytes[i]!)}, is ${hex2(now[i]!)}`,
          { address: b.ptr + i, size: 1 },
        );
      }
    }
    // A block lost: free everything on core 0, then the leak rule.
    try {
      for (const g of got) {
        const name = `freeing core ${g.core}'s block (sl_dealloc(${hex(g.ptr)}, ${g.size}, ${g.align})) on core 0`;
        try {
          this.image.dealloc(g.ptr, g.size, g.align);
        } catch (e) {
          if (e instanceof Violation)
            return fail(e.rule, `${name}: ${e.message}`, { pc: e.pc, ...this.dual.cores[0].describe(e.pc), address: e.address });
          if (e instanceof AllocatorCallError) return fail(e.result.stop === 'budget' ? 'liveness' : 'faults', `${name}: ${e.message}`);
          throw e;
        }
      }
      // The leak rule against the calls made one after the other (reference); the probe runs on
      // the machine itself, since the schedule's state is thrown away after.
      s.freeAll();
      if (this.reference < 0) return null; // measuring the reference
      if (this.reference > 0 && this.image.alloc(this.reference, 4).value === 0) {
        const now = s.largestBlock(4, this.reference - 1);
        return fail(
          'leak',
          `with every block freed after the two calls, the largest allocatable block is ${now} bytes of the ${heap.end - heap.start}-byte heap; ` +
            `with the two calls made one after the other it is ${this.reference} (${this.reference - now} bytes fewer): a block lost`,
        );
      }
    } catch (e) {
      if (e instanceof ViolationError) return { violation: e.violation };
      throw e;
    }
    return null;
  }

  /** Puts the session's books back as they were at the root (the machine is restored by the caller). */
  resetSession(): void {
    const s = this.session;
    s.live.clear();
    for (const { block } of this.rootLive) s.live.set(block.id, block);
    s.liveBytes = this.rootLiveBytes;
    s.operations = this.rootOps;
    s.violation = null;
  }
}

const hex2 = (x: number) => `0x${x.toString(16).padStart(2, '0')}`;

function overlap(a: number, as: number, b: number, bs: number): string {
  const lo = Math.max(a, b),
    hi = Math.min(a + Math.max(as, 1), b + Math.max(bs, 1)) - 1;
  return lo === hi ? `the byte ${hex(lo)}` : `${hi - lo + 1} bytes, ${hex(lo)}–${hex(hi)}`;
}

/** Containment lets allocator code reach the SIO too: its spinlocks are the lock. */
function allowSio(c: Checker): Checker {
  return (pc, a, s, k, v) => {
    if ((a - SIO_BASE) >>> 0 < SIO_SIZE) return;
    c(pc, a, s, k, v);
  };
}

/** A single-core set-up step; a rule it breaks is an Error (the allocator is broken on one core already). */
function setUp<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ViolationError || e instanceof Violation || e instanceof AllocatorCallError) {
      throw new Error(`${what} failed on one core, before any two-core run: ${e.message}`);
    }
    throw e;
  }
}

/** The ELF to run: a path as given, or a built-in allocator's image for the chip's core type. */
function imageFor(allocator: string, opts: TwoCoreOptions): string {
  const profile = getDualProfile(opts.mcu);
  if (isElfPath(allocator)) {
    if (opts.sioBuild) throw new RangeError('the SIO-spinlock build is for a built-in allocator; an ELF is run as it is');
    return allocator;
  }
  const path = imagePath(allocator, profile.base);
  if (!opts.sioBuild) return path;
  if (!profile.sio) throw new RangeError(`the SIO-spinlock build runs on the rp2040, not on ${profile.name}`);
  const sio = join(IMAGES_DIR, 'sio', imageName(allocator, profile.base));
  if (!existsSync(sio)) throw new Error(`no SIO-spinlock build ${relative(process.cwd(), sio)}: run npm run firmware`);
  return sio;
}

/** Explores an allocator (a built-in name or a path to an ELF built to the ABI) on a two-core profile. */
export function exploreTwoCore(allocator: string, opts: TwoCoreOptions): TwoCoreResult {
  const t0 = performance.now();
  const profile = getDualProfile(opts.mcu);
  const path = imageFor(allocator, opts);
  const x = new Exploration(allocator, readFileSync(path), opts);
  const solo = x.soloLengths();
  x.measureReference();
  x.W = opts.window ?? Math.max(...solo);
  const shard = opts.shard ?? WHOLE;
  const unitsByCore = solo.map((len) => 1 + (x.K > 0 ? Math.max(0, Math.min(len - 1, x.W)) : 0)) as [number, number];
  const stats = { schedules: 0, pruned: 0, distinct: 0, failing: 0, units: unitsByCore[0] + unitsByCore[1], unitsRun: 0 };
  const failingUnits = new Set<number>();
  let failure: TwoCoreFailure | null = null;
  let unit = 0;
  const stopNow = () => failure !== null && !opts.all;

  const leaf = (segments: Segment[], tail: 0 | 1) => {
    stats.schedules++;
    const f = x.finish(tail);
    if (f) {
      stats.failing++;
      failingUnits.add(unit);
      failure ??= { schedule: scheduleText(segments, tail), unit, index: stats.schedules, ...f };
    }
  };

  if (opts.schedule !== undefined) {
    const { segments, tail } = parseSchedule(opts.schedule);
    x.dual.restore(x.root);
    let bad: Finding | null = null;
    for (const seg of segments) {
      const r = x.segment(seg.core, seg.count);
      if (r.failure) {
        bad = r.failure;
        break;
      }
      if (r.ran < seg.count || returned(x.dual.cores[seg.core])) {
        throw new RangeError(`schedule '${opts.schedule}': core ${seg.core} returned after ${r.ran} of the ${seg.count} instructions`);
      }
    }
    if (bad) {
      stats.schedules = stats.failing = 1;
      failure = { schedule: opts.schedule, unit: 0, index: 1, ...bad };
    } else leaf(segments, tail);
  } else {
    // explore(cur): at this state the schedule so far is `segments` and the tail would start with
    // `cur`: run that leaf, then every way `cur` runs 1… instructions and is preempted. back()
    // puts the machine back in this state after the leaf changed it.
    // seen: state → the instructions each core had run when it was explored; a state met again
    // with no more window left on either core is not explored again.
    let seen = new Map<string, [number, number]>();
    const explore = (cur: 0 | 1, used: number, segments: Segment[], back: () => void): void => {
      const key = `${stateKey(x.dual, x.hashRanges, x.stackTops)}/${cur}/${used}`;
      const before = seen.get(key);
      const ran0 = x.ran(0),
        ran1 = x.ran(1);
      if (before !== undefined && before[0] <= ran0 && before[1] <= ran1) {
        stats.pruned++;
        return;
      }
      if (before === undefined) stats.distinct++;
      seen.set(key, [ran0, ran1]);
      leaf(segments, cur);
      back();
      if (stopNow() || used >= x.K) return;
      preemptions(cur, used, segments, back);
    };
    // The state after each instruction of `cur` is the prefix of a preemption. It is rebuilt from
    // the node's own state (back) or from a checkpoint snapshot taken every CHECKPOINT
    // instructions, with the few instructions since run again: cheaper than a snapshot each.
    const preemptions = (cur: 0 | 1, used: number, segments: Segment[], back: () => void, only?: number): void => {
      const o = other(cur);
      if (returned(x.dual.cores[o])) return;
      let base = back,
        at = 0,
        count = 0;
      const to = (k: number) => {
        base();
        if (k > at) runCore(x.dual.cores[cur], k - at, false);
      };
      while (x.ran(cur) < x.W && !stopNow()) {
        if (count - at >= CHECKPOINT) {
          const checkpoint = x.dual.snapshot();
          base = () => x.dual.restore(checkpoint);
          at = count;
        }
        const r = x.step(cur, 1, false);
        count++;
        if (r.failure) {
          // The core broke a rule inside the segment: the schedule that runs it this far is the failing one.
          stats.schedules++;
          stats.failing++;
          failingUnits.add(unit);
          failure ??= { schedule: scheduleText([...segments, { core: cur, count }], o), unit, index: stats.schedules, ...r.failure };
          return;
        }
        if (returned(x.dual.cores[cur])) return;
        if (only !== undefined && count !== only) continue;
        const k = count;
        explore(o, used + 1, [...segments, { core: cur, count: k }], () => to(k));
        to(k);
        if (only !== undefined) return;
      }
    };
    // Units: for each first core, its schedule with no preemption, then one per length of its
    // first segment. Counted before any runs, so every shard (and a run that stops at its first
    // failure) gives the same numbers.
    for (const first of [0, 1] as const) {
      for (let u = 0; u < unitsByCore[first]! && !stopNow(); u++) {
        unit = unitsByCore.slice(0, first).reduce((a, b) => a + b, 0) + u;
        if (!inShard(unit, shard)) continue;
        stats.unitsRun++;
        seen = new Map();
        x.dual.restore(x.root);
        if (u === 0) {
          stats.distinct++;
          leaf([], first);
        } else preemptions(first, 0, [], () => x.dual.restore(x.root), u);
      }
      if (stopNow()) break;
    }
  }

  const seconds = (performance.now() - t0) / 1000;
  const result: TwoCoreResult = {
    allocator,
    mcu: profile.name,
    workload: opts.workload ?? 'alloc-alloc',
    calls: [x.calls[0].text, x.calls[1].text],
    lengths: solo,
    heap: x.session.heap.end - x.session.heap.start,
    setupOperations: x.rootOps,
    preemptions: x.K,
    window: x.W,
    quantum: x.quantum,
    globalMonitor: x.dual.globalMonitor,
    shard: opts.shard ?? null,
    replayed: opts.schedule ?? null,
    units: stats.units,
    unitsByCore,
    failingUnits: [[...failingUnits].filter((u) => u < unitsByCore[0]).length, [...failingUnits].filter((u) => u >= unitsByCore[0]).length],
    unitsRun: stats.unitsRun,
    schedules: stats.schedules,
    pruned: stats.pruned,
    distinct: stats.distinct,
    failing: stats.failing,
    failure,
    verdict: '',
    seconds,
  };
  result.verdict = twoCoreVerdict(result);
  return result;
}

/** "safe at all N schedules explored (≤ K preemptions over W instructions, M distinct states)", or the first failure. */
export function twoCoreVerdict(r: Omit<TwoCoreResult, 'verdict'>): string {
  if (r.failure) return `unsafe: schedule ${r.failure.schedule}: ${r.failure.violation.rule}: ${r.failure.violation.message}`;
  if (r.replayed !== null) return `safe at schedule ${r.replayed} (replayed)`;
  const bounds = `≤ ${r.preemptions} preemption${r.preemptions === 1 ? '' : 's'} over ${n(r.window)} instructions`;
  const of = r.shard && r.shard.count > 1 ? ` (shard ${r.shard.index}/${r.shard.count})` : '';
  return `safe at all ${n(r.schedules)} schedules explored (${bounds}, ${n(r.distinct)} distinct states)${of}`;
}

/**
 * Joins the results of the shards of one exploration: the counts add up, the first failure is
 * the one in the lowest unit. With every shard run (and `all`, or no failure), the counts equal
 * an unsharded run's.
 */
export function mergeTwoCore(parts: readonly TwoCoreResult[]): TwoCoreResult {
  if (parts.length === 0) throw new Error('nothing to merge');
  const sum = (k: 'unitsRun' | 'schedules' | 'pruned' | 'distinct' | 'failing') => parts.reduce((a, p) => a + p[k], 0);
  const failures = parts.flatMap((p) => (p.failure ? [p.failure] : [])).sort((a, b) => a.unit - b.unit);
  const merged: TwoCoreResult = {
    ...parts[0]!,
    shard: null,
    unitsRun: sum('unitsRun'),
    schedules: sum('schedules'),
    pruned: sum('pruned'),
    distinct: sum('distinct'),
    failing: sum('failing'),
    failure: failures[0] ?? null,
    seconds: parts.reduce((a, p) => a + p.seconds, 0),
    verdict: '',
  };
  merged.verdict = twoCoreVerdict(merged);
  return merged;
}

/**
 * The chip after the segments of a schedule, before its tail: what a test inspects to see the
 * explorer got where it says (which core holds what at the preemption).
 */
export function twoCoreAt(allocator: string, opts: TwoCoreOptions, schedule: string): DualMachine {
  const path = imageFor(allocator, opts);
  const x = new Exploration(allocator, readFileSync(path), opts);
  x.dual.restore(x.root);
  for (const seg of parseSchedule(schedule).segments) {
    const r = x.segment(seg.core, seg.count);
    if (r.failure) throw new Error(r.failure.violation.message);
  }
  return x.dual;
}
