// The traps of README.md "The checks" that watch every data access: containment (allocator code
// touches only its heap array, its own state and the live stack) and the stack limit. Each is
// a plain function installed on the bus; a violation throws, which stops the run at the
// access with the machine state intact for the report.

import type { Checker } from '../emulator/bus.ts';
import type { Cpu } from '../emulator/cpu.ts';
import { hex } from '../emulator/elf.ts';
import type { AccessKind } from '../emulator/fault.ts';

/** Address ranges are [start, end). */
export interface Range {
  start: number;
  end: number;
}

export interface Layout {
  /** Allocator code: accesses made while the PC is here are checked. */
  code: Range;
  /** The heap array in use (the part sl_init was given). */
  heap: Range;
  /** The allocator's own state (.data and .bss of its sections). */
  state: Range;
  /** Highest stack address (initial SP) and the lowest SP allowed. */
  stackTop: number;
  stackLimit: number;
}

export type Rule = 'containment' | 'stack';

export class Violation extends Error {
  constructor(
    readonly rule: Rule,
    message: string,
    readonly pc: number,
    readonly address: number,
    readonly size: number,
    readonly access: AccessKind | 'sp',
  ) {
    super(message);
  }
}

/**
 * The last access allocator code made. After a call that returned with POP {…, PC} (what GCC
 * emits for any non-leaf function), it is the load of the return address, so its PC is the
 * instruction that returned: what a host-side finding about the returned block can point at.
 */
export interface LastAccess {
  pc: number;
  address: number;
  kind: AccessKind | null;
}

/**
 * Containment (check 1): while the PC is in allocator code, every access is in the heap, the
 * state or the live stack — or is a load from the allocator's own code (its literal pools).
 */
export function containmentChecker(cpu: Cpu, layout: Layout, last?: LastAccess): Checker {
  const codeStart = layout.code.start >>> 0,
    codeLen = (layout.code.end - layout.code.start) >>> 0;
  const heapStart = layout.heap.start >>> 0,
    heapEnd = layout.heap.end >>> 0;
  const stateStart = layout.state.start >>> 0,
    stateEnd = layout.state.end >>> 0;
  const stackTop = layout.stackTop >>> 0;
  const check: Checker = (pc, address, size, kind) => {
    if ((pc - codeStart) >>> 0 >= codeLen) return;
    if (last) {
      last.pc = pc;
      last.address = address;
      last.kind = kind;
    }
    const end = address + size;
    if (address >= heapStart && end <= heapEnd) return;
    if (kind === 'load' && (address - codeStart) >>> 0 < codeLen) return;
    if (address >= stateStart && end <= stateEnd) return;
    if (address >= cpu.r[13] >>> 0 && end <= stackTop) return;
    throw new Violation(
      'containment',
      `allocator code ${kind === 'load' ? 'read' : 'wrote'} ${size} byte(s) at ${hex(address)}, outside its heap array, its state and the live stack`,
      pc,
      address,
      size,
      kind,
    );
  };
  // The same rule as data: compiled code decides the passing accesses itself (emulator/bus.ts).
  check.shortcut = { pcStart: codeStart, pcLen: codeLen, heapStart, heapEnd, stateStart, stateEnd, stackTop, last: last ?? null };
  return check;
}

/** Stack (check 2): SP never goes below the stack limit. Costs nothing until SP reaches a new minimum. */
export function installStackLimit(cpu: Cpu, layout: Layout): () => void {
  cpu.stackLimit = layout.stackLimit >>> 0;
  cpu.onStackLimit = (sp) => {
    throw new Violation('stack', `SP fell to ${hex(sp)}, below the stack limit ${hex(layout.stackLimit)}`, cpu.pc, sp, 0, 'sp');
  };
  return () => {
    cpu.stackLimit = 0;
    cpu.onStackLimit = null;
  };
}
