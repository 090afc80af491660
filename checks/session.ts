// A checked session with one allocator image: every operation a scenario makes goes through
// here, with the traps installed (containment, stack limit) and the host-side checks of
// README.md "The checks" done on every returned block (inside the heap, aligned, big enough, disjoint from
// live blocks) and on its contents (a pattern written at allocation, verified at dealloc and
// realloc). The first broken rule stops the session with a Violation naming the operation.

import { RETURN_TRAP } from '../emulator/cpu.ts';
import { hex } from '../emulator/elf.ts';
import { type MachineSnapshot, restoreSnapshot, takeSnapshot } from '../emulator/snapshot.ts';
import { AllocatorCallError, type AllocatorImage, type CallCost } from '../runners/image.ts';
import { containmentChecker, installStackLimit, type LastAccess, type Rule as TrapRule, Violation } from './checkers.ts';
import { type Summary, summarize } from './metrics.ts';

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

/** n byte(s), as a report says it. */
const nBytes = (n: number) => `${n} byte${n === 1 ? '' : 's'}`;

/** first–last as addresses; one address for one byte; an end past 2^32 said as such (a wrapped size). */
const range = (first: number, last: number) =>
  first === last ? hex(first) : last > 0xffff_ffff ? `${hex(first)} to past 0xffffffff` : `${hex(first)}–${hex(last)}`;

export class ViolationError extends Error {
  constructor(readonly violation: SessionViolation) {
    super(violation.message);
  }
}

/** One operation as the CI gates name it: its number, kind and arguments, and what it cost. */
export interface OpRecord {
  operation: number;
  kind: OpKind;
  size: number;
  align: number;
  /** realloc only. */
  newSize?: number;
  cycles: number;
  stackBytes: number;
}

/**
 * Per operation kind: the summaries, and the operation with the most cycles and the one with
 * the most stack (the first such, null when none ran): a budget is about the worst case, and
 * a report of one must say which operation it was.
 */
export interface OpStats {
  cycles: Summary;
  instructions: Summary;
  slowest: OpRecord | null;
  deepest: OpRecord | null;
}

/** What Session.snapshot() saves; blocks are never changed in place, so they are shared, not copied. */
export interface SessionSnapshot {
  readonly machine: MachineSnapshot;
  readonly live: readonly Block[];
  readonly nextId: number;
  readonly operations: number;
  readonly peakStackBytes: number;
  readonly liveBytes: number;
  readonly utilisationAtFirstFailure: number | null;
  readonly samples: Readonly<
    Record<OpKind, { cycles: number[]; instructions: number[]; slowest: OpRecord | null; deepest: OpRecord | null }>
  >;
  readonly lastAccess: LastAccess;
  readonly violation: SessionViolation | null;
  readonly probing: boolean;
  readonly heap: AllocatorImage['heap'];
}

export class Session {
  readonly live = new Map<number, Block>();
  private nextId = 1;
  operations = 0;
  peakStackBytes = 0;
  /** Bytes in live blocks, and that figure over the heap size when an allocation first failed. */
  liveBytes = 0;
  utilisationAtFirstFailure: number | null = null;
  private readonly samples: Record<
    OpKind,
    { cycles: number[]; instructions: number[]; slowest: OpRecord | null; deepest: OpRecord | null }
  > = {
    alloc: { cycles: [], instructions: [], slowest: null, deepest: null },
    dealloc: { cycles: [], instructions: [], slowest: null, deepest: null },
    realloc: { cycles: [], instructions: [], slowest: null, deepest: null },
  };
  /** The last access allocator code made (see LastAccess): where a returned block came from. */
  private readonly lastAccess: LastAccess = { pc: 0, address: 0, kind: null };

  /** The first broken rule, once a check failed (the session stops there). */
  violation: SessionViolation | null = null;
  /** True while largestBlock() probes on a copy of SRAM: accesses then are not part of the workload. */
  probing = false;
  private readonly listeners: OperationListener[] = [];

  constructor(readonly image: AllocatorImage) {}

  /** Hears every operation's start and end; returns the function that stops listening. */
  onOperation(listener: OperationListener): () => void {
    this.listeners.push(listener);
    return () => {
      const k = this.listeners.indexOf(listener);
      if (k >= 0) this.listeners.splice(k, 1);
    };
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
    m.addChecker(containmentChecker(m.cpu, layout, this.lastAccess));
    installStackLimit(m.cpu, layout);
    this.emit({ phase: 'start', number: 0, kind: 'init', size: heapSize });
    this.guard('init', () => this.image.init(heapSize));
    this.emit({ phase: 'end', number: 0, kind: 'init', size: heapSize });
  }

  get heap() {
    return this.image.heap!;
  }

  /** explainBudget: when the call runs out of cycles, a better account of why (or null). */
  alloc(size: number, align: number, explainBudget?: () => string | null): Block | null {
    const ev = { number: this.operations + 1, kind: 'alloc', size, align } as const;
    this.emit({ phase: 'start', ...ev });
    const r = this.op({ kind: 'alloc', size, align }, () => this.image.alloc(size, align), explainBudget);
    if (r.value === 0) {
      if (this.utilisationAtFirstFailure === null && size <= this.heap.end - this.heap.start) {
        this.utilisationAtFirstFailure = this.liveBytes / (this.heap.end - this.heap.start);
      }
      this.emit({ phase: 'end', ...ev, result: null });
      return null;
    }
    const block: Block = { id: this.nextId++, ptr: r.value, size, align, op: ev.number };
    this.checkBlock(block, 'alloc', Session.callText('alloc', size, align), this.returnSite());
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
    this.op({ kind: 'dealloc', size: block.size, align: block.align }, () => this.image.dealloc(block.ptr, block.size, block.align));
    this.emit({ phase: 'end', ...ev });
  }

  /** Realloc keeps min(old, new) bytes; returns the new block, or null (the old one stays live). */
  realloc(block: Block, newSize: number): Block | null {
    const ev = {
      number: this.operations + 1,
      kind: 'realloc',
      ptr: block.ptr,
      size: block.size,
      align: block.align,
      newSize,
      block,
    } as const;
    this.emit({ phase: 'start', ...ev });
    this.verify(block, block.size, 'realloc');
    const r = this.op({ kind: 'realloc', size: block.size, align: block.align, newSize }, () =>
      this.image.realloc(block.ptr, block.size, block.align, newSize),
    );
    if (r.value === 0) {
      // The ABI: a realloc that fails leaves the old block live and as it was.
      this.verify(
        block,
        block.size,
        'realloc',
        undefined,
        `realloc(${hex(block.ptr)}, size ${block.size} → ${newSize}, align ${block.align}) returned NULL, but`,
      );
      this.emit({ phase: 'end', ...ev, result: null });
      return null;
    }
    this.untrack(block);
    const moved: Block = { id: block.id, ptr: r.value, size: newSize, align: block.align, op: ev.number };
    this.checkBlock(moved, 'realloc', Session.callText('realloc', newSize, block.align, block), this.returnSite());
    this.verify(moved, Math.min(block.size, newSize), 'realloc', block);
    this.track(moved);
    this.emit({ phase: 'end', ...ev, result: moved });
    return moved;
  }

  /**
   * The largest block (at this alignment) the allocator would serve now, found by bisection on
   * copies of SRAM: the run itself is not disturbed and the probes are not counted in the stats.
   */
  largestBlock(align = 4, upTo = this.heap.end - this.heap.start): number {
    let lo = 0,
      hi = upTo;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.fits(mid, align)) lo = mid;
      else hi = mid - 1;
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

  /**
   * The machine and the checkers' state together (emulator/snapshot.ts): live blocks, the ids
   * their patterns come from, operation count, stats, peak stack, the last allocator access, the
   * first violation. Listeners and the installed traps are wiring, not state, and stay as they are.
   */
  snapshot(): SessionSnapshot {
    const copy = (x: Session['samples'][OpKind]) => ({ ...x, cycles: x.cycles.slice(), instructions: x.instructions.slice() });
    return {
      machine: takeSnapshot(this.image.machine),
      live: [...this.live.values()],
      nextId: this.nextId,
      operations: this.operations,
      peakStackBytes: this.peakStackBytes,
      liveBytes: this.liveBytes,
      utilisationAtFirstFailure: this.utilisationAtFirstFailure,
      samples: { alloc: copy(this.samples.alloc), dealloc: copy(this.samples.dealloc), realloc: copy(this.samples.realloc) },
      lastAccess: { ...this.lastAccess },
      violation: this.violation,
      probing: this.probing,
      heap: this.image.heap,
    };
  }

  /** Puts the machine and the checkers back as snapshot() found them; the snapshot stays valid. */
  restore(s: SessionSnapshot): void {
    restoreSnapshot(this.image.machine, s.machine);
    this.live.clear();
    for (const b of s.live) this.live.set(b.id, b);
    this.nextId = s.nextId;
    this.operations = s.operations;
    this.peakStackBytes = s.peakStackBytes;
    this.liveBytes = s.liveBytes;
    this.utilisationAtFirstFailure = s.utilisationAtFirstFailure;
    for (const k of ['alloc', 'dealloc', 'realloc'] as const) {
      const to = this.samples[k],
        from = s.samples[k];
      Object.assign(to, from, { cycles: from.cycles.slice(), instructions: from.instructions.slice() });
    }
    Object.assign(this.lastAccess, s.lastAccess);
    this.violation = s.violation;
    this.probing = s.probing;
    this.image.heap = s.heap;
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
    const s = (k: OpKind): OpStats => {
      const x = this.samples[k];
      return { cycles: summarize(x.cycles), instructions: summarize(x.instructions), slowest: x.slowest, deepest: x.deepest };
    };
    return { alloc: s('alloc'), dealloc: s('dealloc'), realloc: s('realloc') };
  }

  // ---- the host-side checks -----------------------------------------------------------------

  /**
   * Blocks (check 3) on a block just returned: what was asked (call), what came back, and
   * which end is outside the heap, how far off the alignment is, or which live block and
   * bytes it overlaps. A size-0 block counts as one byte. site: the instruction that returned.
   */
  private checkBlock(b: Block, kind: OpKind, call: string, site: { pc: number; symbol?: string; source?: string } | null = null): void {
    const { start, end } = this.heap;
    const fail = (message: string) => this.fail({ rule: 'blocks', message, kind, address: b.ptr, size: b.size, ...(site ?? {}) });
    const need = Math.max(b.size, 1);
    const last = b.ptr + need - 1;
    const span = `${range(b.ptr, last)} (${nBytes(b.size)}${b.size === 0 ? ', counted as 1' : ''})`;
    const heap = `the heap array ${hex(start)}–${hex(end - 1)}`;
    if (b.ptr < start || last >= end) {
      const ends = [
        b.ptr < start ? `its first byte is ${nBytes(start - b.ptr)} below ${heap}` : '',
        last >= end ? `its last byte is ${nBytes(last - (end - 1))} past the end of ${heap}` : '',
      ].filter(Boolean);
      fail(`${call} returned ${span}: ${ends.join(' and ')}`);
    }
    const off = b.ptr % b.align;
    if (off !== 0) fail(`${call} returned ${hex(b.ptr)}, ${nBytes(off)} past the ${b.align}-byte boundary ${hex(b.ptr - off)}`);
    for (const o of this.live.values()) {
      const oEnd = o.ptr + Math.max(o.size, 1);
      if (b.ptr < oEnd && o.ptr < b.ptr + need) {
        const lo = Math.max(b.ptr, o.ptr),
          hi = Math.min(b.ptr + need, oEnd);
        fail(
          `${call} returned ${span}, which overlaps ${nBytes(hi - lo)} (${range(lo, hi - 1)}) of ` +
            `${Session.blockName(o)} at ${hex(o.ptr)} (${nBytes(o.size)}, align ${o.align}), still live`,
        );
      }
    }
  }

  /** How a report names a block: by the operation that made it. */
  private static blockName(b: Block): string {
    return b.op === undefined ? 'the block allocated inside the ISR' : `the block made by operation ${b.op}`;
  }

  /** How a report names a call: its arguments as the host passed them. */
  private static callText(kind: OpKind, size: number, align: number, old?: Block): string {
    return old ? `realloc(${hex(old.ptr)}, size ${old.size} → ${size}, align ${align})` : `${kind}(size ${size}, align ${align})`;
  }

  /** The pattern of a block: a function of its id and offset, so a misplaced byte shows. */
  private static patternByte(id: number, offset: number): number {
    return (Math.imul(id, 0x9e3779b1) >>> 24) ^ ((offset * 7 + 0x5a) & 0xff);
  }

  private fill(b: Block): void {
    if (b.size === 0) return;
    const bytes = new Uint8Array(b.size);
    for (let i = 0; i < b.size; i++) bytes[i] = Session.patternByte(b.id, i) & 0xff;
    this.image.machine.bus.load(b.ptr, bytes);
  }

  /**
   * Contents (check 4): the first length bytes of b still hold the block's pattern. from: the
   * block a realloc was given, whose first length bytes b must have kept. The report names the
   * block, how many bytes differ, the first one's offset and address, and up to 8 bytes from
   * there as expected and as found.
   */
  private verify(b: Block, length: number, kind: OpKind, from?: Block, lead?: string): void {
    if (length === 0) return;
    const bytes = this.image.machine.bus.peek(b.ptr, length);
    const expected = (i: number) => Session.patternByte(b.id, i) & 0xff;
    let first = -1,
      last = -1,
      count = 0;
    for (let i = 0; i < length; i++) {
      if (bytes[i] !== expected(i)) {
        if (first < 0) first = i;
        last = i;
        count++;
      }
    }
    if (first < 0) return;
    const shown = Math.min(8, length - first);
    const hexBytes = (f: (i: number) => number) =>
      Array.from({ length: shown }, (_, k) =>
        f(first + k)
          .toString(16)
          .padStart(2, '0'),
      ).join(' ');
    const diff =
      `${count} of ${from ? `the ${length} bytes it had to keep` : `its ${length} bytes`} differ, the first at offset ${first} (${hex(b.ptr + first)}); ` +
      `${shown} byte${shown === 1 ? '' : 's'} from there: expected ${hexBytes(expected)}, found ${hexBytes((i) => bytes[i])}`;
    const what = from
      ? `realloc ${from.ptr === b.ptr ? `kept ${Session.blockName(from)} at ${hex(b.ptr)}` : `moved ${Session.blockName(from)} from ${hex(from.ptr)} to ${hex(b.ptr)}`} ` +
        `(${from.size} → ${b.size} bytes):`
      : `${lead ? `${lead} ` : ''}${Session.blockName(b)} (${hex(b.ptr)}, ${nBytes(b.size)}, align ${b.align}) no longer holds what was written to it:`;
    this.fail({ rule: 'contents', kind, address: b.ptr + first, size: last - first + 1, message: `${what} ${diff}` });
  }

  // ---- running one operation ------------------------------------------------------------

  /** Takes over a block that firmware allocated on its own (from an ISR): checked, then tracked. */
  adopt(ptr: number, size: number, align: number, kind: OpKind): Block {
    const block: Block = { id: this.nextId++, ptr, size, align };
    this.checkBlock(block, kind, `${kind} inside the ISR (size ${size}, align ${align})`);
    this.track(block);
    return block;
  }

  private op(
    call: { kind: OpKind; size: number; align: number; newSize?: number },
    f: () => CallCost,
    explainBudget?: () => string | null,
  ): CallCost {
    this.operations++;
    this.lastAccess.kind = null;
    const r = this.guard(call.kind, f, explainBudget);
    const x = this.samples[call.kind];
    x.cycles.push(r.cycles);
    x.instructions.push(r.instructions);
    if (r.stackBytes > this.peakStackBytes) this.peakStackBytes = r.stackBytes;
    if (!x.slowest || r.cycles > x.slowest.cycles || !x.deepest || r.stackBytes > x.deepest.stackBytes) {
      const rec: OpRecord = { operation: this.operations, ...call, cycles: r.cycles, stackBytes: r.stackBytes };
      if (!x.slowest || r.cycles > x.slowest.cycles) x.slowest = rec;
      if (!x.deepest || r.stackBytes > x.deepest.stackBytes) x.deepest = rec;
    }
    return r;
  }

  /**
   * The instruction that returned from the call just made, when it returned with a load of the
   * return address from the stack (POP {…, PC}): the last access of allocator code was that load,
   * from the word just below the SP it returned with, which holds the host's return address.
   * null for a return by BX LR, which leaves no access behind.
   */
  private returnSite(): { pc: number; symbol?: string; source?: string } | null {
    const a = this.lastAccess,
      m = this.image.machine;
    if (a.kind !== 'load' || a.address !== (m.cpu.sp - 4) >>> 0) return null;
    const word = m.bus.peek(a.address, 4);
    const value = (word[0] | (word[1] << 8) | (word[2] << 16) | (word[3] << 24)) >>> 0;
    if (value !== (RETURN_TRAP | 1) >>> 0) return null;
    return { pc: a.pc, ...m.describe(a.pc) };
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
          rule: e.rule,
          message: e.message,
          kind,
          pc: e.pc,
          ...where,
          address: e.address,
          size: e.size,
          access: e.access,
          region: m.bus.regionOf(e.address),
        });
      }
      if (e instanceof AllocatorCallError) {
        const f0 = e.fault;
        const budget = e.result.stop === 'budget';
        const where = budget ? m.describe(m.cpu.pc) : {};
        this.fail({
          rule: budget ? 'liveness' : 'faults',
          message: (budget && explainBudget?.()) || e.message,
          kind,
          ...(budget ? { pc: m.cpu.pc, ...where } : {}),
          ...(f0
            ? { pc: f0.pc, symbol: f0.symbol, source: f0.source, address: f0.address, size: f0.size, access: f0.access, region: f0.region }
            : {}),
        });
      }
      throw e;
    }
  }

  fail(v: Omit<SessionViolation, 'operation'>): never {
    if (this.probing)
      v = { ...v, message: `${v.message} (found while measuring the largest allocatable block after operation ${this.operations})` };
    this.violation = { operation: this.operations, ...v };
    throw new ViolationError(this.violation);
  }
}
