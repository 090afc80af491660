// The preemption explorer: for each explored operation of a workload, the thread-mode call is
// interrupted at every instruction boundary inside it, each time from a snapshot taken before
// the call, by a handler that allocates, reallocates and frees (explore/isr-script.ts) with the
// session's checks on; then the interrupted call completes and is checked, two more blocks are
// allocated and everything is freed under the leak rule (corrupted metadata shows there).
//
// Boundary i is "after i instructions of the call as it runs uninterrupted". The boundaries'
// cycle counts come from one uninterrupted run, and the interrupt is pended when the cycle
// counter reaches boundary i's — every instruction costs at least a cycle, so that is exactly
// boundary i (checked). If the call masks interrupts there, the core takes it when they are
// unmasked, as silicon does, and the point counts as deferred. Points are deduplicated by the
// state at the moment the interrupt is actually taken (explore/key.ts): a state seen before is
// not run again, it shares the first one's outcome.
//
// Models (explore/models.ts): 'isr' — one IRQ; 'nested' — IRQ 0 at every boundary of the
// thread call, and IRQ 1 (higher priority) at boundaries inside IRQ 0's handler; 'systick' —
// SysTick's first tick at every boundary, then periodic, at most `ticks` activations per call.

import { type LeakBaseline, largestAtStart } from '../checks/leak.ts';
import { type OperationListener, type Session, type SessionSnapshot, ViolationError } from '../checks/session.ts';
import { EXC } from '../emulator/cpu.ts';
import { hex } from '../emulator/elf.ts';
import { type IsrActivation, ScriptedIsrs, startSysTick, stopSysTick } from '../emulator/host-irq.ts';
import { AllocatorCallError } from '../runners/image.ts';
import { inShard, type Shard, WHOLE } from '../shard/partition.ts';
import { ISR_ALIGN, ISR_REALLOC_TO, ISR_SECOND, ISR_SIZE, type IsrBlocks, IsrScript, isrBlocks, stepCall, stepName } from './isr-script.ts';
import { stateKey } from './key.ts';
import { type ExploreReport, type OperationCoverage, type PreemptPoint, pointText } from './report.ts';
import { callName, callText, runOp, type Workload, type WorkloadBlocks, type WorkloadOp } from './workload.ts';

export type ModelName = 'isr' | 'nested' | 'systick';

export interface Bounds {
  /** Explored operations of the workload (the first ones marked explore). */
  operations: number;
  /** nested: boundaries of IRQ 0's handler at which IRQ 1 is pended, at most, evenly spread. */
  inner: number;
  /** systick: activations per call, at most. */
  ticks: number;
  /** systick: cycles between ticks (0: the handler's cost plus a quarter of the call's). */
  period: number;
}

export const IRQ_A = 0,
  IRQ_B = 1;
/** isr: IRQ 0 at the highest priority; nested: IRQ 0 below IRQ 1; SysTick in the middle. */
const PRIORITY = { isr: 0x00, a: 0x80, b: 0x40, systick: 0x40 };

/** Whether point i of the call was taken at its boundary, or later because interrupts were masked. */
interface Entry {
  ordinal: number;
  count: number;
  failed: boolean | null;
  first: PreemptPoint;
  ours: boolean;
}

/** What exploring one operation found (its OperationCoverage, and its first failing point). */
interface OpOutcome {
  coverage: OperationCoverage;
  entries: Entry[];
  first: PreemptPoint | null;
}

/** Thrown from the interrupt hook to stop a point whose state was seen (or is another shard's). */
const SKIP = new (class Skip extends Error {})('skip');

/** A failure found while exploring quietly: its point; the run again shows the violation. */
export type Exploration = Pick<
  ExploreReport,
  'points' | 'distinct' | 'deferred' | 'explored' | 'failingPoints' | 'failingStates' | 'operations'
> & { first: PreemptPoint | null };

/** The uninterrupted call: cycles at each boundary (from the call's start) and its length. */
interface Reference {
  cycles: number[];
  instructions: number;
  opCycles: number;
}

/** An operation ready to be explored: the state before it, its uninterrupted run, the state after. */
export interface Prepared {
  op: WorkloadOp;
  snap: SessionSnapshot;
  blocks: WorkloadBlocks;
  ref: Reference;
  budget: number;
  after: SessionSnapshot;
  afterBlocks: WorkloadBlocks;
  call: string;
  /**
   * The largest block the allocator serves, everything freed, after the handler's calls and
   * this call run one after the other (in the worse of the two orders), then the two more
   * allocations: what an interrupted run must match (0: no such figure, that run broke a rule).
   */
  floor: number;
}

/** Things the explorer needs to know about the run it is part of. */
export interface ExplorerOptions {
  model: ModelName;
  bounds: Bounds;
  shard?: Shard;
  /** Stop exploring at the first failing point (a scenario's run); otherwise explore them all. */
  stopAtFirst?: boolean;
}

const BUDGET_FLOOR = 20_000;
const RECORD_CAP = 50_000;

export class Explorer {
  readonly isrs: ScriptedIsrs;
  private readonly held: IsrBlocks;
  private readonly scripts = new Map<number, IsrScript>();
  private nextOrdinal = 0;
  private readonly shard: Shard;
  private hook: ((a: IsrActivation) => void) | null = null;
  private returnHook: ((a: IsrActivation) => void) | null = null;
  /** Per operation explored: the snapshot before the call and its reference (for a replay). */
  readonly before = new Map<number, Prepared>();

  constructor(
    readonly s: Session,
    readonly base: LeakBaseline,
    readonly opts: ExplorerOptions,
  ) {
    this.shard = opts.shard ?? WHOLE;
    const m = s.image.machine;
    this.isrs = new ScriptedIsrs(m);
    const { model } = opts;
    const sources =
      model === 'systick'
        ? [{ exception: EXC.SysTick, priority: PRIORITY.systick, name: 'SysTick' }]
        : model === 'nested'
          ? [
              { exception: EXC.IRQ0 + IRQ_A, priority: PRIORITY.a, name: `IRQ ${IRQ_A}` },
              { exception: EXC.IRQ0 + IRQ_B, priority: PRIORITY.b, name: `IRQ ${IRQ_B}` },
            ]
          : [{ exception: EXC.IRQ0 + IRQ_A, priority: PRIORITY.isr, name: `IRQ ${IRQ_A}` }];
    const held = isrBlocks();
    this.held = held;
    for (const src of sources) this.scripts.set(src.exception, new IsrScript(s, held, src.name));
    this.isrs.install(
      sources.map((src) => ({
        exception: src.exception,
        priority: src.priority,
        next: () => this.scripts.get(src.exception)!.next(this.isrs.current!),
      })),
    );
    this.isrs.onTake = (a) => this.hook?.(a);
    this.isrs.onReturn = (a) => this.returnHook?.(a);
  }

  /** Takes the explorer's hooks off the machine. */
  dispose(): void {
    this.isrs.uninstall();
  }

  private get m() {
    return this.s.image.machine;
  }

  private sourceName(exception: number): string {
    return exception === EXC.SysTick ? 'SysTick' : `IRQ ${exception - EXC.IRQ0}`;
  }

  // ---- one operation -----------------------------------------------------------------------

  /**
   * Explores one operation quietly (no listener hears it, traces skip it) and leaves the
   * session as the uninterrupted call left it. blocks is updated as that call updates it.
   */
  exploreOp(op: WorkloadOp, blocks: WorkloadBlocks, opNumber: number): OpOutcome {
    const p = this.prepare(op, blocks, opNumber);
    const outcome = this.quietly(() => this.explorePoints(op, opNumber, p));
    outcome.coverage.call = p.call;
    this.restore(p.after);
    blocks.length = 0;
    blocks.push(...p.afterBlocks);
    return outcome;
  }

  /**
   * The snapshot before the call, the call run uninterrupted (quietly) for its boundaries, and
   * the state it leaves (the session is left there). An uninterrupted call that breaks a rule
   * is run again where listeners hear it, and its violation thrown.
   */
  prepare(op: WorkloadOp, blocks: WorkloadBlocks, opNumber: number) {
    const s = this.s;
    const snap = s.snapshot();
    const before = blocks.slice();
    const call = callText(op, blocks);
    let ref: Reference;
    try {
      ref = this.quietly(() => this.reference(op, blocks));
    } catch (e) {
      if (!(e instanceof ViolationError)) throw e;
      this.restore(snap);
      runOp(s, op, before);
      throw e;
    }
    const after = s.snapshot();
    const afterBlocks = blocks.slice();
    const budget = this.quietly(() => this.budgetFor(snap, ref));
    const floor = this.quietly(() => Math.min(this.sequential(snap, op, before, true), this.sequential(snap, op, before, false)));
    this.restore(after);
    const prepared: Prepared = { op, snap, blocks: before, ref, budget, after, afterBlocks, call, floor };
    this.before.set(opNumber, prepared);
    return prepared;
  }

  /** The call run uninterrupted (checked as any call), with the cycle count at each boundary. */
  private reference(op: WorkloadOp, blocks: WorkloadBlocks): Reference {
    const cpu = this.m.cpu;
    const cycles: number[] = [];
    const c0 = cpu.cycles,
      i0 = cpu.instructions;
    cpu.onInstruction = () => {
      if (cpu.ipsr === 0 && cycles.length < RECORD_CAP) cycles[cpu.instructions - i0] = cpu.cycles - c0;
    };
    try {
      runOp(this.s, op, blocks);
    } finally {
      cpu.onInstruction = null;
    }
    const instructions = cpu.instructions - i0;
    for (let i = 1; i < instructions; i++) {
      if (!(cycles[i]! > cycles[i - 1]!)) throw new Error(`boundary ${i} of the call costs no cycle: points cannot be pended by cycle`);
    }
    return { cycles: cycles.slice(0, instructions), instructions, opCycles: cpu.cycles - c0 };
  }

  /**
   * The handler's calls and the operation one after the other in thread mode (handler first, or
   * the operation first), then the two more allocations and every block freed: the largest block
   * the allocator then serves. An allocator's own leaks under this sequence are not the
   * interrupt's doing, so an interrupted run is held to this, not to the fresh heap.
   */
  private sequential(snap: SessionSnapshot, op: WorkloadOp, blocks: WorkloadBlocks, handlerFirst: boolean): number {
    const s = this.s;
    this.restore(snap);
    const handler = () => {
      s.alloc(ISR_SIZE, ISR_ALIGN);
      const b = s.alloc(ISR_SECOND, ISR_ALIGN);
      if (b) s.dealloc(s.realloc(b, ISR_REALLOC_TO) ?? b);
    };
    try {
      if (handlerFirst) handler();
      runOp(s, op, blocks.slice());
      if (!handlerFirst) handler();
      s.alloc(ISR_SIZE, ISR_ALIGN);
      s.alloc(ISR_REALLOC_TO, ISR_ALIGN);
      s.freeAll();
      return s.largestBlock(4, largestAtStart(s, this.base));
    } catch (e) {
      if (e instanceof ViolationError) return 0;
      throw e;
    }
  }

  /** A small budget per point, so a deadlock costs little: a multiple of what the calls cost uninterrupted. */
  private budgetFor(snap: SessionSnapshot, ref: Reference): number {
    const s = this.s,
      img = s.image,
      cpu = this.m.cpu;
    const now = s.snapshot();
    this.restore(snap);
    let script = 0;
    try {
      s.probe(() => {
        const c0 = cpu.cycles;
        img.alloc(ISR_SIZE, ISR_ALIGN);
        const p = img.alloc(ISR_SECOND, ISR_ALIGN).value;
        if (p !== 0) {
          const q = img.realloc(p, ISR_SECOND, ISR_ALIGN, ISR_REALLOC_TO).value;
          if (q !== 0) img.dealloc(q, ISR_REALLOC_TO, ISR_ALIGN);
          else img.dealloc(p, ISR_SECOND, ISR_ALIGN);
        }
        script = cpu.cycles - c0;
      });
    } catch (e) {
      if (!(e instanceof AllocatorCallError) && !(e instanceof ViolationError)) throw e;
    }
    this.restore(now);
    const activations = this.opts.model === 'systick' ? this.opts.bounds.ticks : this.opts.model === 'nested' ? 2 : 1;
    this.scriptCycles = script;
    return 4 * (ref.opCycles + activations * (script + 100)) + BUDGET_FLOOR;
  }

  private scriptCycles = 0;

  /** Session.restore, keeping the session quiet while exploring (a snapshot carries the flag as it was). */
  private restore(snap: SessionSnapshot): void {
    this.s.restore(snap);
    if (this.quiet) this.s.probing = true;
  }

  private quiet = false;

  /** Runs f with the session's listeners unhooked and its accesses marked as probing (traces skip them). */
  private quietly<T>(f: () => T): T {
    const s = this.s;
    const listeners = (s as unknown as { listeners: OperationListener[] }).listeners;
    const saved = listeners.splice(0);
    const probing = s.probing,
      quiet = this.quiet;
    s.probing = true;
    this.quiet = true;
    try {
      return f();
    } finally {
      this.quiet = quiet;
      s.probing = probing;
      listeners.push(...saved);
    }
  }

  private explorePoints(op: WorkloadOp, opNumber: number, p: Prepared): OpOutcome {
    const ref = p.ref;
    const seen = new Map<string, Entry>();
    const entries: Entry[] = [];
    const cov: OperationCoverage = {
      operation: opNumber,
      call: '',
      instructions: ref.instructions,
      points: 0,
      distinct: 0,
      deferred: 0,
      failing: 0,
    };
    let first: PreemptPoint | null = null;
    const visit = (key: string, point: PreemptPoint): Entry => {
      const e = seen.get(key);
      if (e) {
        e.count++;
        return e;
      }
      const ordinal = this.nextOrdinal++;
      const n: Entry = { ordinal, count: 1, failed: null, first: point, ours: inShard(ordinal, this.shard) };
      seen.set(key, n);
      entries.push(n);
      return n;
    };
    /**
     * Runs one point. onTake, at each activation's entry, returns the entry of the state the point
     * came to (or null: not the activation that decides it). A state seen before, or another
     * shard's, stops the run there (unless always). Returns the entry (null: stopped before one).
     */
    const attempt = (point: PreemptPoint, onTake: (a: IsrActivation) => Entry | null, always = false): Entry | null => {
      let entry: Entry | null = null;
      this.hook = (a) => {
        const e = onTake(a);
        if (e === null) return;
        entry = e;
        if (!always && (e.count > 1 || !e.ours)) throw SKIP;
      };
      let failed = false;
      try {
        this.runAt(op, p, point, true);
      } catch (e) {
        if (e === SKIP) return entry;
        if (!(e instanceof ViolationError)) throw e;
        failed = true;
      } finally {
        this.hook = null;
        this.returnHook = null;
        this.m.cpu.onInstruction = null;
      }
      // The interrupt was never taken (the call returned with interrupts masked): a state of its own.
      const got: Entry = entry ?? visit(`untaken ${stateKey(this.m, '')}`, point);
      got.failed = failed;
      if (failed && got.ours && first === null) first = got.first;
      return got;
    };

    const model = this.opts.model;
    const stop = () => this.opts.stopAtFirst === true && first !== null;
    if (model === 'isr' || model === 'systick') {
      for (let i = 0; i < ref.instructions && !stop(); i++) {
        const point = { operation: opNumber, instruction: i };
        cov.points++;
        attempt(point, (a) => {
          if (this.isrs.activations.length !== 1) return null;
          if (a.takenAtInstruction - this.i0 > i) cov.deferred++;
          return visit(stateKey(this.m, this.hostKey(a)), point);
        });
      }
    } else {
      // nested: per distinct state at IRQ 0's entry, one run of its handler alone (its boundaries),
      // then IRQ 1 pended at (up to `inner` of) those boundaries.
      const outer = new Map<string, { entries: Entry[]; deferred: number }>();
      for (let i = 0; i < ref.instructions && !stop(); i++) {
        const plain = { operation: opNumber, instruction: i };
        let known: { entries: Entry[]; deferred: number } | undefined;
        let keyA = '';
        const handler: number[] = [];
        const e0 = attempt(
          plain,
          (a) => {
            if (a.exception !== EXC.IRQ0 + IRQ_A) return null;
            if (a.takenAtInstruction - this.i0 > i) cov.deferred++;
            keyA = stateKey(this.m, 'A');
            known = outer.get(keyA);
            if (known) throw SKIP;
            const cpu = this.m.cpu;
            const c0 = a.takenAtCycle,
              i0 = a.takenAtInstruction;
            cpu.onInstruction = () => {
              if (cpu.ipsr === a.exception && handler.length < RECORD_CAP) handler[cpu.instructions - i0] = cpu.cycles - c0;
            };
            this.returnHook = (r) => {
              if (r === a) cpu.onInstruction = null;
            };
            return visit(`A ${keyA}`, plain);
          },
          true,
        );
        if (known) {
          for (const e of known.entries) e.count++;
          cov.points += known.entries.length;
          cov.deferred += known.deferred;
          continue;
        }
        const rec = { entries: [] as Entry[], deferred: 0 };
        if (keyA !== '') outer.set(keyA, rec);
        if (keyA === '' || e0!.failed) {
          // IRQ 0 alone already fails here, or was never taken: the point stands by itself.
          rec.entries.push(e0!);
          cov.points++;
          continue;
        }
        // IRQ 0 alone passed: its run only measured the handler; the points are (i, j).
        e0!.count = 0;
        for (const j of spread(handler.length, this.opts.bounds.inner)) {
          if (stop()) break;
          const point = { operation: opNumber, instruction: i, inner: j };
          cov.points++;
          const e = attempt(point, (a) => {
            if (a.exception === EXC.IRQ0 + IRQ_A) {
              this.m.cpu.scheduleInterrupt(a.takenAtCycle + handler[j]!, IRQ_B);
              return null;
            }
            const outerA = this.isrs.activations[0]!;
            if (a.takenAtInstruction - outerA.takenAtInstruction > j) {
              cov.deferred++;
              rec.deferred++;
            }
            return visit(stateKey(this.m, this.hostKey(a)), point);
          });
          if (e) rec.entries.push(e);
        }
      }
      // The runs of IRQ 0 alone that became (i, j) points are no state of their own.
      for (let k = entries.length - 1; k >= 0; k--) if (entries[k]!.count === 0) entries.splice(k, 1);
    }
    cov.distinct = entries.length;
    cov.failing = entries.filter((e) => e.ours && e.failed).reduce((t, e) => t + e.count, 0);
    return { coverage: cov, entries, first };
  }

  /** What the host will do after this activation's entry, beyond the machine state. */
  private hostKey(a: IsrActivation): string {
    const running = this.isrs.activations.filter((x) => !x.returned && x !== a).map((x) => `${x.exception}:${x.results.join('.')}`);
    let extra = '';
    if (this.opts.model === 'systick') {
      const st = this.m.cpu.systick as unknown as { zeroAt: number; enable: number };
      extra = `tick ${this.isrs.activations.length}, next in ${st.enable ? st.zeroAt - this.m.cpu.cycles : -1}`;
    }
    return `${a.exception}|${running.join(';')}|${extra}`;
  }

  /** Instruction count at the start of the call being run (set by runAt). */
  private i0 = 0;

  /**
   * Runs the call once with the interrupt pended at point (from the snapshot before the call),
   * then the checks after it. Throws the session's ViolationError at the first broken rule.
   */
  runAt(op: WorkloadOp, p: Prepared, point: PreemptPoint, post: boolean): WorkloadBlocks {
    const { snap, ref, budget, blocks: blocksBefore } = p;
    const s = this.s,
      m = this.m,
      cpu = m.cpu,
      img = s.image;
    this.restore(snap);
    this.isrs.clear();
    for (const sc of this.scripts.values()) sc.clear();
    const blocks = blocksBefore.slice();
    this.held.reallocating = op.kind === 'realloc' ? (blocks[op.block]?.id ?? null) : null;
    const c0 = cpu.cycles;
    this.i0 = cpu.instructions;
    const at = c0 + ref.cycles[point.instruction]!;
    const model = this.opts.model;
    const outerHook = this.hook;
    if (model === 'systick') {
      const ticks = this.opts.bounds.ticks;
      this.hook = (a) => {
        if (this.isrs.activations.length >= ticks) stopSysTick(m);
        outerHook?.(a);
      };
      startSysTick(m, at, this.period(ref));
    } else {
      cpu.scheduleInterrupt(at, IRQ_A);
    }
    const saved = img.maxCycles;
    img.maxCycles = budget;
    try {
      runOp(s, op, blocks);
    } catch (e) {
      if (e instanceof ViolationError) this.explainDeadlock(e, op, callText(op, blocksBefore));
      throw e;
    } finally {
      img.maxCycles = saved;
      this.hook = outerHook;
      cpu.scheduleInterrupt(Infinity, 0);
      if (model === 'systick') stopSysTick(m);
      cpu.setPending(EXC.IRQ0 + IRQ_A, false);
      cpu.setPending(EXC.IRQ0 + IRQ_B, false);
    }
    const taken = this.isrs.activations.length;
    if (taken === 0) {
      s.fail({
        rule: 'liveness',
        message: `${this.sourceName(model === 'systick' ? EXC.SysTick : EXC.IRQ0 + IRQ_A)} was pended at boundary ${point.instruction} of ${callName(op)} and was still pending when it returned: it returned with interrupts masked (PRIMASK ${cpu.primask}, BASEPRI ${hex(cpu.basepri)})`,
      });
    }
    for (const sc of this.scripts.values()) sc.adoptKept();
    if (!post) return blocks;
    // The allocator must still serve, and its state must hold together: two more blocks, then everything freed under the leak rule.
    s.alloc(ISR_SIZE, ISR_ALIGN);
    s.alloc(ISR_REALLOC_TO, ISR_ALIGN);
    s.freeAll();
    if (p.floor > 0 && !s.fits(p.floor)) {
      const now = s.largestBlock(4, p.floor - 1);
      s.fail({
        rule: 'leak',
        message:
          `with every block freed after preemption point ${pointText(point)} and two more allocations, the largest allocatable block is ${now} bytes; ` +
          `with the handler's calls run before or after ${p.call} instead of inside it, it is ${p.floor} (${p.floor - now} bytes lost to the interruption)`,
      });
    }
    return blocks;
  }

  /**
   * Runs one point where listeners hear it, from the snapshot before its operation (prepared by
   * exploreOp or replay); for an inner point, IRQ 0's handler is run alone first (quietly) to
   * find its boundaries. Throws the session's ViolationError; returns the workload's blocks after.
   */
  runPoint(op: WorkloadOp, _blocks: WorkloadBlocks, point: PreemptPoint, post: boolean): WorkloadBlocks {
    const p = this.before.get(point.operation)!;
    if (point.instruction < 0 || point.instruction >= p.ref.instructions)
      throw new PointError(
        `--preempt-at ${point.operation}:${point.instruction}: operation ${point.operation} (${p.call}) has boundaries 0 to ${p.ref.instructions - 1}`,
      );
    if (point.inner !== undefined && this.opts.model !== 'nested')
      throw new PointError(
        `--preempt-at ${point.operation}:${point.instruction}:${point.inner}: an inner boundary is for the nested model only`,
      );
    if (point.inner === undefined || this.opts.model !== 'nested') return this.runAt(op, p, point, post);
    const handler: number[] = [];
    this.hook = (a) => {
      if (a.exception !== EXC.IRQ0 + IRQ_A) return;
      const cpu = this.m.cpu;
      cpu.onInstruction = () => {
        if (cpu.ipsr === a.exception && handler.length < RECORD_CAP)
          handler[cpu.instructions - a.takenAtInstruction] = cpu.cycles - a.takenAtCycle;
      };
      this.returnHook = (r) => {
        if (r === a) cpu.onInstruction = null;
      };
    };
    try {
      this.quietly(() => this.runAt(op, p, { operation: point.operation, instruction: point.instruction }, false));
    } catch (e) {
      if (!(e instanceof ViolationError)) throw e;
    } finally {
      this.hook = this.returnHook = null;
      this.m.cpu.onInstruction = null;
    }
    const j = point.inner;
    if (j < 0 || j >= handler.length)
      throw new PointError(
        `--preempt-at ${point.operation}:${point.instruction}:${j}: IRQ ${IRQ_A}'s handler there has boundaries 0 to ${handler.length - 1}`,
      );
    this.hook = (a) => {
      if (a.exception === EXC.IRQ0 + IRQ_A && this.isrs.activations.length === 1)
        this.m.cpu.scheduleInterrupt(a.takenAtCycle + handler[j]!, IRQ_B);
    };
    try {
      return this.runAt(op, p, point, post);
    } finally {
      this.hook = null;
    }
  }

  /** Replays one point of an operation (prepared here, uninterrupted first): the workload ends after it. */
  replay(op: WorkloadOp, blocks: WorkloadBlocks, point: PreemptPoint): void {
    this.prepare(op, blocks, point.operation);
    this.runPoint(op, blocks, point, true);
  }

  /** SysTick's period: the bound, or the handler's cost plus a quarter of the call's. */
  period(ref: Reference): number {
    return this.opts.bounds.period || Math.max(64, this.scriptCycles + 200 + Math.ceil(ref.opCycles / 4));
  }

  /**
   * A call that ran out of budget while a handler was running is a deadlock: the handler never
   * returns, so the code it preempted never runs again. Rewrites the violation to say so, in
   * the words explainDeadlock (scenarios/isr-reentrancy.ts) reads.
   */
  private explainDeadlock(e: ViolationError, op: WorkloadOp, call: string): void {
    const v = e.violation;
    const running = this.isrs.activations.filter((a) => !a.returned);
    if (v.rule !== 'liveness' || running.length === 0) return;
    const a = running.at(-1)!;
    const m = this.m;
    const where = (pc: number) => {
      const d = m.describe(pc);
      return `${hex(pc)}${d.symbol ? ` (${d.symbol})` : ''}`;
    };
    const resumeAt = m.bus.peek32(a.frame + 24);
    const holder =
      running.length > 1 ? `${this.sourceName(running.at(-2)!.exception)}'s ${stepName(running.at(-2)!)}` : `thread-mode ${callName(op)}`;
    const message =
      `deadlock: ${this.sourceName(a.exception)}'s ${stepName(a)} spins at ${where(m.cpu.pc)} and never returns; ` +
      `the ${holder} it interrupted at ${where(resumeAt)} cannot run again until it does (the interrupted call: ${call}; the handler's: ${stepCall(a)})`;
    Object.assign(v, { message });
  }
}

/** Up to k of the boundaries 0 … n − 1, evenly spread, always 0 (all of them when k ≥ n). */
export function spread(n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, j) => j);
  return Array.from({ length: k }, (_, t) => Math.floor((t * n) / k));
}

/** A --preempt-at point that names no explored operation, or a boundary past its call. */
export class PointError extends RangeError {}

export interface DriveOptions {
  /** Explore every point of the explored operations (false: run them uninterrupted). */
  explore: boolean;
  /** Run just this point (with the checks after it) and end the workload there: a replay. */
  at?: PreemptPoint;
  /**
   * Where listeners hear it (a scenario's run): the first failing point is run again, so its
   * violation is thrown as the session reports it; after a safe operation, its middle point.
   */
  show?: boolean;
}

/** Empty figures, filled in by driveWorkload. */
export function emptyExploration(): Exploration {
  return { points: 0, distinct: 0, deferred: 0, explored: 0, failingPoints: 0, failingStates: 0, operations: [], first: null };
}

/**
 * Runs a workload on the explorer's session, exploring (or replaying a point of) each operation
 * marked explore, up to bounds.operations of them; the figures go into out as they are found, so
 * they are there when a shown failure is thrown. Returns the first failing point (or null).
 */
export function driveWorkload(x: Explorer, workload: Workload, d: DriveOptions, out: Exploration): PreemptPoint | null {
  const s = x.s;
  const blocks: WorkloadBlocks = [];
  let explored = 0;
  const explorable = new Set<number>();
  for (const op of workload.ops) {
    const opNumber = s.operations + 1;
    const can = op.explore && explored < x.opts.bounds.operations && (op.kind === 'alloc' || blocks[op.block] != null);
    if (!can) {
      runOp(s, op, blocks);
      continue;
    }
    explored++;
    explorable.add(opNumber);
    if (d.at) {
      if (d.at.operation !== opNumber) {
        runOp(s, op, blocks);
        continue;
      }
      x.replay(op, blocks, d.at);
      return null;
    }
    if (!d.explore) {
      runOp(s, op, blocks);
      continue;
    }
    const o = x.exploreOp(op, blocks, opNumber);
    out.operations.push(o.coverage);
    out.points += o.coverage.points;
    out.distinct += o.coverage.distinct;
    out.deferred += o.coverage.deferred;
    out.explored += o.entries.filter((e) => e.ours).length;
    out.failingPoints += o.coverage.failing;
    out.failingStates += o.entries.filter((e) => e.ours && e.failed).length;
    if (o.first) {
      out.first ??= o.first;
      if (d.show) {
        const p = x.before.get(opNumber)!;
        x.runPoint(op, p.blocks, o.first, true);
        throw new Error(`preemption point ${o.first.operation}:${o.first.instruction} failed while exploring and passed when run again`);
      }
      if (x.opts.stopAtFirst) break;
    } else if (d.show && x.opts.model === 'isr') {
      const p = x.before.get(opNumber)!;
      const kept = x.runPoint(op, p.blocks, { operation: opNumber, instruction: Math.floor(p.ref.instructions / 2) }, false);
      blocks.length = 0;
      blocks.push(...kept);
    }
  }
  if (d.at) {
    const ops = [...explorable].join(', ');
    throw new PointError(
      `--preempt-at ${d.at.operation}:${d.at.instruction}: operation ${d.at.operation} is not explored (explored: ${ops || 'none'})`,
    );
  }
  return out.first;
}
