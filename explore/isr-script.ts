// What an explored interrupt handler does: sl_alloc(32, 4), a block it keeps past its return;
// then sl_alloc(16, 4), sl_realloc of that block to 48 bytes and sl_dealloc of the result — four
// calls in Handler mode, each checked as the session checks thread-mode calls: every block inside
// the heap, aligned, clear of every live block (the thread's, and those of a handler it
// preempted), and holding its contents across the realloc and until it is freed. The kept block
// is adopted by the session once the interrupted call has returned, so it is also checked against
// the block that call returns: an allocator that hands one block to both shows there. A check
// that fails throws the session's ViolationError from inside the run, which stops it there.

import type { Session } from '../checks/session.ts';
import { hex } from '../emulator/elf.ts';
import type { IsrActivation, IsrCall } from '../emulator/host-irq.ts';
import type { AllocatorImage } from '../runners/image.ts';

export const ISR_SIZE = 32,
  ISR_ALIGN = 4,
  ISR_SECOND = 16,
  ISR_REALLOC_TO = 48;

/** The handler's calls, in words (reports and docs). */
export const ISR_SCRIPT_TEXT = `sl_alloc(${ISR_SIZE}, ${ISR_ALIGN}) kept; sl_alloc(${ISR_SECOND}, ${ISR_ALIGN}), sl_realloc(it, ${ISR_REALLOC_TO}), sl_dealloc(it)`;

/** A block a handler holds. */
interface IsrBlock {
  ptr: number;
  size: number;
  salt: number;
}

/** The script's calls with their arguments, by step. */
const STEPS = [
  `sl_alloc(${ISR_SIZE}, ${ISR_ALIGN})`,
  `sl_alloc(${ISR_SECOND}, ${ISR_ALIGN})`,
  `sl_realloc(its block, ${ISR_SECOND} → ${ISR_REALLOC_TO})`,
  'sl_dealloc(its block)',
] as const;

/** The call a running activation is in (the step after its last result), with its arguments. */
export const stepCall = (a: IsrActivation): string => STEPS[Math.min(a.results.length, 3)]!;
/** The same, the function's name alone. */
export const stepName = (a: IsrActivation): string => stepCall(a).replace(/\(.*$/, '');

/** One handler's script for a session; one instance serves every activation (each has its blocks). */
/** The blocks every handler holds now, shared by the scripts of one run (a nested handler sees its preempted one's). */
export interface IsrBlocks {
  /**
   * The id of the block the interrupted call is reallocating: once it has copied the contents it
   * may free the old block before it returns, so a handler may be given those bytes while the
   * host still counts the old block live (the moved block's contents are checked on return).
   */
  reallocating: number | null;
  /**
   * The block each activation has handed to its sl_realloc: not counted in the overlap checks
   * (a preempting handler may be given the old bytes once they are copied), its contents checked
   * when the realloc returns.
   */
  held: Map<IsrActivation, IsrBlock>;
  /** The first block of each activation, kept past its return (adopted by the session later). */
  kept: Map<IsrActivation, IsrBlock>;
}

export const isrBlocks = (): IsrBlocks => ({ reallocating: null, held: new Map(), kept: new Map() });

export class IsrScript {
  private readonly blocks: IsrBlocks;
  private readonly held: Map<IsrActivation, IsrBlock>;
  private readonly kept: Map<IsrActivation, IsrBlock>;
  private addresses: { alloc: number; realloc: number; dealloc: number };

  constructor(
    private readonly s: Session,
    blocks: IsrBlocks,
    /** "IRQ 0", "IRQ 1", "SysTick": how messages name the handler. */
    readonly source: string,
  ) {
    this.blocks = blocks;
    this.held = blocks.held;
    this.kept = blocks.kept;
    const img: AllocatorImage = s.image;
    this.addresses = { alloc: img.address('sl_alloc'), realloc: img.address('sl_realloc'), dealloc: img.address('sl_dealloc') };
  }

  /** Forgets every block (the machine was restored to before the activations). */
  clear(): void {
    this.held.clear();
    this.kept.clear();
  }

  /** ScriptedIsr.next for activation a (the results are a's). */
  next(a: IsrActivation): IsrCall | null {
    const r = a.results;
    const A = this.addresses;
    if (r.length === 0) return { address: A.alloc, args: [ISR_SIZE, ISR_ALIGN] };
    if (r.length === 1) {
      if (r[0] !== 0) {
        const k = { ptr: r[0]!, size: ISR_SIZE, salt: 2 * a.takenAtInstruction };
        this.check(k, STEPS[0]);
        this.fill(k);
        this.kept.set(a, k);
      }
      return { address: A.alloc, args: [ISR_SECOND, ISR_ALIGN] };
    }
    if (r.length === 2) {
      if (r[1] === 0) return null; // NULL: nothing to reallocate
      const b = { ptr: r[1]!, size: ISR_SECOND, salt: 2 * a.takenAtInstruction + 1 };
      this.check(b, STEPS[1]);
      this.fill(b);
      // From here the block is in a call that may free it (realloc once it has copied, dealloc):
      // a handler preempting that call may be given its bytes, so it is no longer held.
      this.held.set(a, b);
      return { address: A.realloc, args: [b.ptr, ISR_SECOND, ISR_ALIGN, ISR_REALLOC_TO] };
    }
    if (r.length === 3) {
      const old = this.held.get(a)!;
      this.held.delete(a);
      const call = `sl_realloc(${hex(old.ptr)}, ${ISR_SECOND}, ${ISR_ALIGN}, ${ISR_REALLOC_TO})`;
      let b = old;
      if (r[2] === 0) this.verify(old, old.size, `${call} returned NULL, but`);
      else {
        b = { ptr: r[2]!, size: ISR_REALLOC_TO, salt: old.salt };
        this.check(b, call);
        this.verify(b, ISR_SECOND, `${call} returned ${hex(b.ptr)}, and`, old.salt);
        this.fill(b);
      }
      this.verify(b, b.size, `before sl_dealloc(${hex(b.ptr)}, ${b.size}, ${ISR_ALIGN})`);
      return { address: A.dealloc, args: [b.ptr, b.size, ISR_ALIGN] };
    }
    this.held.delete(a);
    return null;
  }

  /**
   * After the interrupted call returned: each kept block is checked against every live block
   * (now the call's own too) and its contents, then handed to the session, which tracks it like
   * its own and frees it with the rest.
   */
  adoptKept(): void {
    for (const k of this.kept.values()) {
      this.check(k, STEPS[0], 'after the interrupted call returned, ');
      this.verify(k, k.size, 'after the interrupted call returned,');
      this.s.adopt(k.ptr, k.size, ISR_ALIGN, 'alloc');
    }
    this.kept.clear();
  }

  /** Blocks (check 3) for a block a handler got: inside the heap, aligned, clear of every live block. */
  private check(b: IsrBlock, call: string, when = ''): void {
    const { start, end } = this.s.heap;
    const last = b.ptr + b.size - 1;
    const fail = (why: string) =>
      this.s.fail({
        rule: 'blocks',
        kind: 'alloc',
        address: b.ptr,
        size: b.size,
        message: `${when}${this.source}'s ${call} returned ${hex(b.ptr)}–${hex(last)}: ${why}`,
      });
    if (b.ptr < start || last >= end) fail(`outside the heap array ${hex(start)}–${hex(end - 1)}`);
    if (b.ptr % ISR_ALIGN !== 0) fail(`not ${ISR_ALIGN}-byte aligned`);
    const overlaps = (p: number, n: number) => b.ptr < p + Math.max(n, 1) && p < b.ptr + b.size;
    for (const o of this.s.live.values()) {
      if (o.id !== this.blocks.reallocating && overlaps(o.ptr, o.size))
        fail(
          `it overlaps ${o.op === undefined ? 'a block' : `the block made by operation ${o.op}`} at ${hex(o.ptr)} (${o.size} bytes), still live`,
        );
    }
    for (const o of this.kept.values()) {
      if (o !== b && overlaps(o.ptr, o.size)) fail(`it overlaps the block a handler holds at ${hex(o.ptr)} (${o.size} bytes)`);
    }
  }

  private static byte(salt: number, i: number): number {
    return ((Math.imul(salt + 1, 0x9e3779b1) >>> 24) ^ ((i * 13 + 0xa7) & 0xff)) & 0xff;
  }

  private fill(b: IsrBlock): void {
    const bytes = new Uint8Array(b.size);
    for (let i = 0; i < b.size; i++) bytes[i] = IsrScript.byte(b.salt, i);
    this.s.image.machine.bus.load(b.ptr, bytes);
  }

  /** Contents (check 4): the first n bytes still hold the handler's pattern. */
  private verify(b: IsrBlock, n: number, lead: string, salt = b.salt): void {
    const got = this.s.image.machine.bus.peek(b.ptr, n);
    for (let i = 0; i < n; i++) {
      if (got[i] !== IsrScript.byte(salt, i)) {
        this.s.fail({
          rule: 'contents',
          kind: 'realloc',
          address: b.ptr + i,
          size: 1,
          message: `${lead} the block ${this.source}'s handler holds at ${hex(b.ptr)} no longer holds what was written to it: offset ${i} (${hex(b.ptr + i)}) is ${hex(got[i]!)}, expected ${hex(IsrScript.byte(salt, i))}`,
        });
      }
    }
  }
}
