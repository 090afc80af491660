// Cycle rules that depend on the instruction before (the rest of the model is emulator/cycles.ts).

import type { Cpu } from '../cpu.ts';

/**
 * Cycles of a single load or store. On the Cortex-M3 and M4, neighbouring load/store single
 * instructions pipeline their address and data phases, so one that directly follows another
 * costs a cycle less (M3 TRM 18.3, M4 TRM 3.3.2: "LDR R0,[R1]; LDR R2,[R3]" takes 3 cycles).
 * sramlab does not model the exception the TRMs make when the second address depends on the
 * first load's result. The M0 and M0+ do not pipeline: always `base`.
 */
export function singleAccessCycles(cpu: Cpu, base: number): number {
  const follows = cpu.lastSingleAccess === cpu.instructions;
  cpu.lastSingleAccess = cpu.instructions + 1;
  return follows && cpu.t.pipelinedAccess ? base - 1 : base;
}
