// The cycle model: one table of instruction timings per profile, from the processors'
// Technical Reference Manuals (zero-wait-state memory). N = registers transferred.
//
// Cortex-M0 TRM (DDI 0432C) table 3-1 and Cortex-M0+ TRM (DDI 0484C) table 3-1:
//   ALU, MOV, ADR, extend, REV, CPS, hints ........ 1            MULS ........ 1 (fast multiplier)
//   LDR*/STR* (any form) .......................... 2            LDM/STM, PUSH/POP ..... 1+N
//   B<cond> not taken ............................. 1            POP {…,PC} ............ M0 4+N, M0+ 3+N
//   B<cond> taken, B, BX, BLX, MOV/ADD to PC ..... M0 3, M0+ 2   BL ..................... M0 4, M0+ 3
//   MSR, MRS, DMB, DSB, ISB ....................... M0 4, M0+ 3   exception entry ........ M0 16, M0+ 15
// The M0/M0+ integer multiplier is configurable in silicon (1 or 32 cycles); sramlab models the
// single-cycle one, which common parts (STM32F0, SAMD21, nRF51, RP2040) implement.
// The TRMs give no exception-return figure; sramlab charges the entry latency for it as well
// (the frame is unstacked with the same number of bus transfers).

export interface Timing {
  /** A single load/store right after another costs a cycle less (M3/M4; instructions/timing.ts). */
  pipelinedAccess: boolean;
  mul: number;
  load: number;
  store: number;
  /** LDM/STM/PUSH/POP cost is base + N. */
  multipleBase: number;
  branchTaken: number;
  branchNotTaken: number;
  bl: number;
  /** POP with PC in the list: popPcBase + N. */
  popPcBase: number;
  msrMrs: number;
  barrier: number;
  exceptionEntry: number;
  exceptionReturn: number;
  // ---- ARMv7-M only (unused on ARMv6-M, which has none of these instructions) ----
  /** MLA, MLS. */
  mla: number;
  /** SMULL, UMULL: base cost, plus up to longMulEarly cycles by operand size (see multiply.ts). */
  longMul: number;
  /** SMLAL, UMLAL: base cost, plus up to longMulEarly cycles by operand size. */
  longMulAcc: number;
  /** Largest extra cost of the long multiplies' early termination (0: fixed cost). */
  longMulEarly: number;
  /** SDIV, UDIV: 2 to divMax cycles, by quotient size (see multiply.ts). */
  divMax: number;
}

const TIMINGS: Readonly<Record<string, Timing>> = {
  'cortex-m0': {
    pipelinedAccess: false, mul: 1, load: 2, store: 2, multipleBase: 1, branchTaken: 3, branchNotTaken: 1, bl: 4,
    popPcBase: 4, msrMrs: 4, barrier: 4, exceptionEntry: 16, exceptionReturn: 16,
    mla: 1, longMul: 1, longMulAcc: 1, longMulEarly: 0, divMax: 2,
  },
  'cortex-m0plus': {
    pipelinedAccess: false, mul: 1, load: 2, store: 2, multipleBase: 1, branchTaken: 2, branchNotTaken: 1, bl: 3,
    popPcBase: 3, msrMrs: 3, barrier: 3, exceptionEntry: 15, exceptionReturn: 15,
    mla: 1, longMul: 1, longMulAcc: 1, longMulEarly: 0, divMax: 2,
  },
  // Cortex-M3 TRM (DDI 0337I) table 18-1 and Cortex-M4 TRM (DDI 0439B) table 3-1: a pipeline
  // refill P ranges from 1 to 3 cycles; sramlab takes P = 2 (a 32-bit aligned target fetched
  // without early speculation). Entry 12 cycles, return 10 (not tail-chained).
  //   MUL 1, MLA/MLS 2 (both cores)       SDIV/UDIV 2–12 (both; early termination by quotient size)
  //   SMULL/UMULL: M3 3–5, M4 1           SMLAL/UMLAL: M3 4–7 (sramlab charges 4–6), M4 1
  //   DSP multiplies (M4) 1               LDRD/STRD 1+N, TBB/TBH 2+P, CBZ/CBNZ 1 or 1+P
  // How the variable figures are chosen is documented in instructions/v7m/multiply.ts.
  'cortex-m3': {
    pipelinedAccess: true, mul: 1, load: 2, store: 2, multipleBase: 1, branchTaken: 3, branchNotTaken: 1, bl: 3,
    popPcBase: 3, msrMrs: 2, barrier: 2, exceptionEntry: 12, exceptionReturn: 10,
    mla: 2, longMul: 3, longMulAcc: 4, longMulEarly: 2, divMax: 12,
  },
  'cortex-m4': {
    pipelinedAccess: true, mul: 1, load: 2, store: 2, multipleBase: 1, branchTaken: 3, branchNotTaken: 1, bl: 3,
    popPcBase: 3, msrMrs: 2, barrier: 2, exceptionEntry: 12, exceptionReturn: 10,
    mla: 2, longMul: 1, longMulAcc: 1, longMulEarly: 0, divMax: 12,
  },
};

export function timingFor(profileName: string): Timing {
  const t = TIMINGS[profileName];
  if (!t) throw new Error(`no cycle model for '${profileName}'`);
  return t;
}
