// A checked session with one allocator image: every operation a scenario makes goes through
// here, with the traps installed (containment, stack limit) and the host-side checks of
// DESIGN.md done on every returned block (inside the heap, aligned, big enough, disjoint from
// live blocks) and on its contents (a pattern written at allocation, verified at dealloc and
// realloc). The first broken rule stops the session with a Violation naming the operation.

import { hex } from '../emulator/elf.ts';
import { AllocatorCallError, AllocatorImage, type CallCost } from './image.ts';
import { containmentChecker, installStackLimit, Violation, type Rule as TrapRule } from './checkers.ts';
import { summarize, type Summary } from './metrics.ts';

export type OpKind = 'alloc' | 'dealloc' | 'realloc';
export type Rule = TrapRule | 'blocks' | 'contents' | 'faults' | 'liveness' | 'leak';

/** A live block as the host sees it. */
export interface Block {
  id: number;
  ptr: number;
  size: number;
  align: number;
  /** 1-based number of the operation that made this block (its alloc, or the realloc that moved it); absent for blocks adopted from an ISR. */
  op?: number;
}

/**
 * One operation as listeners hear it (views and traces): 'start' before the call, 'end' after
 * it returned and its block was checked. number is 1-based, as in SessionViolation; sl_init is
 * operation 0. ptr is the block handed to dealloc/realloc; result the block returned (null: NULL).
 */
export interface OperationEvent {
  phase: 'start' | 'end';
  number: number;
  kind: OpKind | 'init';
  size?: number;
  align?: number;
  newSize?: number;
  ptr?: number;
  /** The block dealloc/realloc was given. */
  block?: Block;
  /** 'end' of alloc/realloc: the block returned, or null for NULL. */
  result?: Block | null;
}
export type OperationListener = (e: OperationEvent) => void;


/** Everything a report needs to say what broke and how to replay it. */
export interface SessionViolation {
  rule: Rule;
  message: string;
  /** 1-based number of the operation that broke the rule (0: during set-up). */
  operation: number;
  kind?: OpKind | 'init';
  pc?: number;
  symbol?: string;
  source?: string;
  address?: number;
  size?: number;
  access?: string;
  region?: string;
}

export class ViolationError extends Error {
  constructor(readonly violation: SessionViolation) {
    super(violation.message);
  }
}

export interface OpStats { cycles: Summary; instructions: Summary }

export class Session {
  readonly live = new Map<number, Block>();
  private nextId = 1;
  operations = 0;
  peakStackBytes = 0;
  /** Bytes in live blocks, and that figure over the heap size when an allocation first failed. */
  liveBytes = 0;
  utilisationAtFirstFailure: number | null = null;
  private readonly samples: Record<OpKind, { cycles: number[]; instructions: number[] }> = {
    alloc: { cycles: [], instructions: [] }, dealloc: { cycles: [], instructions: [] }, realloc: { cycles: [], instructions: [] },
  };

  /** The first broken rule, once a check failed (the session stops there). */
  violation: SessionViolation | null = null;
  /** True while largestBlock() probes on a copy of SRAM: accesses then are not part of the workload. */
  probing = false;
  private readonly listeners: OperationListener[] = [];

  constructor(readonly image: AllocatorImage) {}

  /** Hears every operation's start and end; returns the function that stops listening. */
  onOperation(listener: OperationListener): () => void {
    this.listeners.push(listener);
    return () => { const k = this.listeners.indexOf(listener); if (k >= 0) this.listeners.splice(k, 1); };
  }

  private emit(e: OperationEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** sl_init on heapSize bytes of the heap region, then the traps go on. */
  init(heapSize: number): void {
    // The traps go on before sl_init: it writes the heap and the state too, and must keep to them.
    const m = this.image.machine;
    const { code, state, heapRegion, stackTop, stackLimit } = this.image.layout;
    const layout = { code, state, stackTop, stackLimit, heap: { start: heapRegion.start, end: heapRegion.start + heapSize } };
    m.addChecker(containmentChecker(m.cpu, layout));
    installStackLimit(m.cpu, layout);
    this.emit({ phase: 'start', number: 0, kind: 'init', size: heapSize });
    this.guard('init', () => this.image.init(heapSize));
    this.emit({ phase: 'end', number: 0, kind: 'init', size: heapSize });
  }

  get heap() { return this.image.heap!; }

  /** explainBudget: when the call runs out of cycles, a better account of why (or null). */
  alloc(size: number, align: number, explainBudget?: () => string | null): Block | null {
    const ev = { number: this.operations + 1, kind: 'alloc', size, align } as const;
    this.emit({ phase: 'start', ...ev });
    const r = this.op('alloc', () => this.image.alloc(size, align), explainBudget);
    if (r.value === 0) {
      if (this.utilisationAtFirstFailure === null && size <= this.heap.end - this.heap.start) {
        this.utilisationAtFirstFailure = this.liveBytes / (this.heap.end - this.heap.start);
      }
      this.emit({ phase: 'end', ...ev, result: null });
      return null;
    }
    const block: Block = { id: this.nextId++, ptr: r.value, size, align, op: ev.number };
    this.checkBlock(block, 'alloc');
    this.track(block);
    this.emit({ phase: 'end', ...ev, result: block });
    return block;
  }

  private track(b: Block): void {
    this.fill(b);
    this.live.set(b.id, b);
    this.liveBytes += b.size;
  }

  private untrack(b: Block): void {
    this.live.delete(b.id);
    this.liveBytes -= b.size;
  }

  dealloc(block: Block): void {
    const ev = { number: this.operations + 1, kind: 'dealloc', ptr: block.ptr, size: block.size, align: block.align, block } as const;
    this.emit({ phase: 'start', ...ev });
    this.verify(block, block.size, 'dealloc');
    this.untrack(block);
    this.op('dealloc', () => this.image.dealloc(block.ptr, block.size, block.align));
    this.emit({ phase: 'end', ...ev });
  }

  /** Realloc keeps min(old, new) bytes; returns the new block, or null (the old one stays live). */
  realloc(block: Block, newSize: number): Block | null {
    const ev = { number: this.operations + 1, kind: 'realloc', ptr: block.ptr, size: block.size, align: block.align, newSize, block } as const;
    this.emit({ phase: 'start', ...ev });
    this.verify(block, block.size, 'realloc');
    const r = this.op('realloc', () => this.image.realloc(block.ptr, block.size, block.align, newSize));
    if (r.value === 0) {
      this.emit({ phase: 'end', ...ev, result: null });
      return null;
    }
    this.untrack(block);
    const moved: Block = { id: block.id, ptr: r.value, size: newSize, align: block.align, op: ev.number };
    this.checkBlock(moved, 'realloc');
    this.verify({ ...moved }, Math.min(block.size, newSize), 'realloc', block.id);
    this.track(moved);
    this.emit({ phase: 'end', ...ev, result: moved });
    return moved;
  }

  /**
   * The largest block (at this alignment) the allocator would serve now, found by bisection on
   * copies of SRAM: the run itself is not disturbed and the probes are not counted in the stats.
   */
  largestBlock(align = 4, upTo = this.heap.end - this.heap.start): number {
    let lo = 0, hi = upTo;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.fits(mid, align)) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** Whether the allocator would serve size bytes now: one sl_alloc on a copy of SRAM (see largestBlock). */
  fits(size: number, align = 4): boolean {
    return this.probe(() => this.guard('alloc', () => this.image.alloc(size, align)).value !== 0);
  }

  /**
   * Runs f on a copy of SRAM that is thrown away after: a measurement, not part of the workload
   * (views and traces skip its accesses; a rule it breaks is reported as found while probing).
   */
  probe<T>(f: () => T): T {
    const bus = this.image.machine.bus;
    const saved = bus.sram.slice();
    const outer = this.probing;
    this.probing = true;
    try {
      return f();
    } finally {
      this.probing = outer;
      bus.sram.set(saved);
    }
  }

  /** Forgets every live block without freeing it (after the host restored an earlier heap). */
  forgetAll(): void {
    this.live.clear();
    this.liveBytes = 0;
  }

  /** Frees every live block, oldest first. */
  freeAll(): void {
    for (const b of [...this.live.values()]) this.dealloc(b);
  }

  stats(): Record<OpKind, OpStats> {
    const s = (k: OpKind): OpStats => ({ cycles: summarize(this.samples[k].cycles), instructions: summarize(this.samples[k].instructions) });
    return { alloc: s('alloc'), dealloc: s('dealloc'), realloc: s('realloc') };
  }

  // ---- the host-side checks -----------------------------------------------------------------

  private checkBlock(b: Block, kind: OpKind): void {
    const { start, end } = this.heap;
    const fail = (message: string) => this.fail({ rule: 'blocks', message, kind, address: b.ptr, size: b.size });
    const need = Math.max(b.size, 1);
    if (b.ptr < start || b.ptr + need > end) {
      fail(`${kind} returned ${hex(b.ptr)} for ${b.size} bytes, outside the heap array ${hex(start)}–${hex(end - 1)}`);
    }
    if (b.ptr % b.align !== 0) fail(`${kind} returned ${hex(b.ptr)}, not aligned to ${b.align} as asked`);
    for (const o of this.live.values()) {
      if (b.ptr < o.ptr + Math.max(o.size, 1) && o.ptr < b.ptr + need) {
        fail(`${kind} returned ${hex(b.ptr)} (+${b.size}), overlapping live block ${hex(o.ptr)} (+${o.size}) from an earlier allocation`);
      }
    }
  }

  /** The pattern of a block: a function of its id and offset, so a misplaced byte shows. */
  private static patternByte(id: number, offset: number): number {
    return (Math.imul(id, 0x9e3779b1) >>> 24) ^ (offset * 7 + 0x5a) & 0xff;
  }

  private fill(b: Block): void {
    if (b.size === 0) return;
    const bytes = new Uint8Array(b.size);
    for (let i = 0; i < b.size; i++) bytes[i] = Session.patternByte(b.id, i) & 0xff;
    this.image.machine.bus.load(b.ptr, bytes);
  }

  private verify(b: Block, length: number, kind: OpKind, patternId = b.id): void {
    if (length === 0) return;
    const bytes = this.image.machine.bus.peek(b.ptr, length);
    for (let i = 0; i < length; i++) {
      if (bytes[i] !== (Session.patternByte(patternId, i) & 0xff)) {
        this.fail({
          rule: 'contents', kind, address: b.ptr + i, size: 1,
          message: `byte ${i} of a live block at ${hex(b.ptr)} changed (0x${bytes[i].toString(16)} instead of ` +
            `0x${(Session.patternByte(patternId, i) & 0xff).toString(16)}): allocator metadata overwrote user data`,
        });
      }
    }
  }

  // ---- running one operation ------------------------------------------------------------

  /** Takes over a block that firmware allocated on its own (from an ISR): checked, then tracked. */
  adopt(ptr: number, size: number, align: number, kind: OpKind): Block {
    const block: Block = { id: this.nextId++, ptr, size, align };
    this.checkBlock(block, kind);
    this.track(block);
    return block;
  }

  private op(kind: OpKind, f: () => CallCost, explainBudget?: () => string | null): CallCost {
    this.operations++;
    const r = this.guard(kind, f, explainBudget);
    this.samples[kind].cycles.push(r.cycles);
    this.samples[kind].instructions.push(r.instructions);
    if (r.stackBytes > this.peakStackBytes) this.peakStackBytes = r.stackBytes;
    return r;
  }

  /** Turns traps, faults and budget overruns inside a call into a Violation of the right rule. */
  private guard(kind: OpKind | 'init', f: () => CallCost, explainBudget?: () => string | null): CallCost {
    const m = this.image.machine;
    try {
      return f();
    } catch (e) {
      if (e instanceof Violation) {
        const where = m.describe(e.pc);
        this.fail({
          rule: e.rule, message: e.message, kind, pc: e.pc, ...where,
          address: e.address, size: e.size, access: e.access, region: m.bus.regionOf(e.address),
        });
      }
      if (e instanceof AllocatorCallError) {
        const f0 = e.fault;
        const budget = e.result.stop === 'budget';
        const where = budget ? m.describe(m.cpu.pc) : {};
        this.fail({
          rule: budget ? 'liveness' : 'faults', message: (budget && explainBudget?.()) || e.message, kind,
          ...(budget ? { pc: m.cpu.pc, ...where } : {}),
          ...(f0 ? { pc: f0.pc, symbol: f0.symbol, source: f0.source, address: f0.address, size: f0.size, access: f0.access, region: f0.region } : {}),
        });
      }
      throw e;
    }
  }

  fail(v: Omit<SessionViolation, 'operation'>): never {
    if (this.probing) v = { ...v, message: `${v.message} (found while measuring the largest allocatable block after operation ${this.operations})` };
    this.violation = { operation: this.operations, ...v };
    throw new ViolationError(this.violation);
  }
}
