// ARMv7-M branches: B (T3, conditional) and B (T4) 32-bit, CBZ/CBNZ, IT (A5.3.4, A7.7.12,
// A7.7.21, A7.7.38). BL is the ARMv6-M handler.

import { conditionPassed } from '../../isa/condition.ts';
import type { Handler } from '../v6m.ts';
import { lastInITBlockOrOutside, notInITBlock } from './common.ts';

/** B<c>.W: imm32 = SignExtend(S:J2:J1:imm6:imm11:'0', 21); UNPREDICTABLE inside an IT block. */
export const B_T3: Handler = (cpu, w) => {
  notInITBlock(cpu, 'B<cond>');
  if (!conditionPassed(cpu, (w >>> 22) & 15)) {
    cpu.cycles += cpu.t.branchNotTaken;
    return;
  }
  const imm =
    (((w >>> 26) & 1) << 20) | (((w >>> 11) & 1) << 19) | (((w >>> 13) & 1) << 18) | (((w >>> 16) & 0x3f) << 12) | ((w & 0x7ff) << 1);
  cpu.npc = (cpu.pc + 4 + ((imm << 11) >> 11)) >>> 0;
  cpu.cycles += cpu.t.branchTaken;
};

/** B.W: imm32 = SignExtend(S:I1:I2:imm10:imm11:'0', 25), I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S). */
export const B_T4: Handler = (cpu, w) => {
  lastInITBlockOrOutside(cpu, 'B.W');
  const s = (w >>> 26) & 1,
    i1 = ~((w >>> 13) ^ s) & 1,
    i2 = ~((w >>> 11) ^ s) & 1;
  const imm = (s << 24) | (i1 << 23) | (i2 << 22) | (((w >>> 16) & 0x3ff) << 12) | ((w & 0x7ff) << 1);
  cpu.npc = (cpu.pc + 4 + ((imm << 7) >> 7)) >>> 0;
  cpu.cycles += cpu.t.branchTaken;
};

/** CBZ/CBNZ Rn, label: imm32 = ZeroExtend(i:imm5:'0'); UNPREDICTABLE inside an IT block. */
export const CBZ: Handler = (cpu, i) => {
  notInITBlock(cpu, 'CBZ/CBNZ');
  const nonzero = (i >>> 11) & 1;
  if ((cpu.r[i & 7] !== 0 ? 1 : 0) === nonzero) {
    cpu.npc = (cpu.pc + 4 + (((i >>> 3) & 0x40) | ((i >>> 2) & 0x3e))) >>> 0;
    cpu.cycles += cpu.t.branchTaken;
  } else {
    cpu.cycles += cpu.t.branchNotTaken;
  }
};

/** IT{x{y{z}}} firstcond: ITSTATE = firstcond:mask; the core runs the block (Cpu.stepInITBlock). */
export const IT: Handler = (cpu, i) => {
  notInITBlock(cpu, 'IT');
  cpu.startITBlock(i & 0xff);
  cpu.cycles += 1;
};
