// Cycle classes: what each encoding row costs, as data the row declares (`cycles` in
// encodings.ts and encodings-v7m.ts). A class names a line of the TRM timing tables quoted in
// emulator/cycles.ts; classCycles() turns it into cycles for one core, given the facts only
// known when the instruction runs (registers transferred, branch taken, the access before).
// The handlers charge the same figures themselves (instructions/); tests/cycle-class.test.ts
// runs every row through the interpreter and checks that the two agree.

import type { Timing } from '../cycles.ts';

/** One-line definitions, by class (docs/cycles.md has the table). */
export const CYCLE_CLASSES = {
  alu: '1; t.branchTaken when it writes the PC (ADD/MOV to PC)',
  mul: 't.mul: MULS, MUL.W and the ARMv7E-M DSP multiplies (single-cycle on the Cortex-M4)',
  mla: 't.mla: MLA, MLS',
  'long-mul': 't.longMul to t.longMul + t.longMulEarly, by operand size: SMULL, UMULL',
  'long-mul-acc': 't.longMulAcc to t.longMulAcc + t.longMulEarly, by operand size: SMLAL, UMLAL',
  div: '2 to t.divMax, by quotient size: SDIV, UDIV',
  load: 't.load, one less right after a single load/store on a pipelining core; t.load + t.branchTaken - 1 to the PC',
  store: 't.store, one less right after a single load/store on a pipelining core',
  multiple: 't.multipleBase + N; t.popPcBase + N with the PC loaded: LDM, STM, PUSH, POP, LDRD, STRD',
  branch: 't.branchTaken: B, B.W, BX, BLX (register)',
  'branch-cond': 't.branchTaken taken, t.branchNotTaken not: B<c>, B<c>.W, CBZ, CBNZ',
  'table-branch': "t.branchTaken + 1 (the TRM's 2 + P): TBB, TBH",
  bl: 't.bl',
  'msr-mrs': 't.msrMrs',
  barrier: 't.barrier: DSB, DMB, ISB',
  hint: "1: NOP, YIELD, WFE, WFI, SEV, PLD, PLI (time asleep is not the instruction's)",
  exception: "1 when a host hook serves it: SVC, BKPT (an exception it raises is the core's t.exceptionEntry)",
  undefined: "0: UDF, coprocessor; never completes (the fault's entry is the core's t.exceptionEntry)",
} as const;

export type CycleClass = keyof typeof CYCLE_CLASSES;

/** The classes whose cost depends on the operands' values: classCycles() gives a range. */
export const DATA_DEPENDENT: readonly CycleClass[] = ['long-mul', 'long-mul-acc', 'div'];

/** What the cost depends on beyond the class, known once the instruction has run. */
export interface CycleFacts {
  /** Registers transferred (the TRMs' N): LDM/STM/PUSH/POP list length, 2 for LDRD/STRD. */
  transfers?: number;
  /** The instruction wrote the PC: a taken branch, a load or pop of the PC, ADD/MOV to the PC. */
  taken?: boolean;
  /** The instruction before was a single load or store (M3/M4 pipeline the pair). */
  followsAccess?: boolean;
}

/** Cycles as a range: min === max except for the DATA_DEPENDENT classes. */
export interface CycleRange {
  min: number;
  max: number;
}

const exactly = (n: number): CycleRange => ({ min: n, max: n });

/** Cycles of one instruction of class `cls` on a core with timing `t`. */
export function classCycles(cls: CycleClass, t: Timing, f: CycleFacts = {}): CycleRange {
  const single = (base: number): number => (f.followsAccess && t.pipelinedAccess ? base - 1 : base);
  switch (cls) {
    case 'alu':
      return exactly(f.taken ? t.branchTaken : 1);
    case 'mul':
      return exactly(t.mul);
    case 'mla':
      return exactly(t.mla);
    case 'long-mul':
      return { min: t.longMul, max: t.longMul + t.longMulEarly };
    case 'long-mul-acc':
      return { min: t.longMulAcc, max: t.longMulAcc + t.longMulEarly };
    case 'div':
      return { min: 2, max: t.divMax };
    case 'load':
      // A load of the PC refills the pipeline and is not pipelined with its neighbour.
      return exactly(f.taken ? t.load + t.branchTaken - 1 : single(t.load));
    case 'store':
      return exactly(single(t.store));
    case 'multiple':
      return exactly((f.taken ? t.popPcBase : t.multipleBase) + (f.transfers ?? 0));
    case 'branch':
      return exactly(t.branchTaken);
    case 'branch-cond':
      return exactly(f.taken ? t.branchTaken : t.branchNotTaken);
    case 'table-branch':
      return exactly(t.branchTaken + 1);
    case 'bl':
      return exactly(t.bl);
    case 'msr-mrs':
      return exactly(t.msrMrs);
    case 'barrier':
      return exactly(t.barrier);
    case 'hint':
    case 'exception':
      return exactly(1);
    case 'undefined':
      return exactly(0);
  }
}
