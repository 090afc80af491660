// The executor slot: what runs instructions for the Cpu. The Cpu owns the state, the events
// (exceptions, SysTick, scheduled interrupts, stops, the debugger hook) and the faults; an
// executor only runs instructions from cpu.pc until an event is due. The interpreter below
// is the only one today; a block translator would be a second, chosen per Cpu.

import type { Cpu } from './cpu.ts';
import { conditionPassed } from './isa/condition.ts';
import { is32bit } from './isa/encodings.ts';

export interface Executor {
  readonly name: string;
  /**
   * Runs at least one instruction, then more while cpu.cycles < cpu.eventAt (anything that
   * needs the Cpu's attention sets eventAt = 0). Faults are thrown (MemFault, InstructionFault)
   * with cpu.pc still the faulting instruction's.
   */
  run(cpu: Cpu): void;
  /** Runs exactly one instruction (the conformance harness steps with this). */
  step(cpu: Cpu): void;
}

/** Runs each instruction through the dispatch table the Cpu built from the encoding rows. */
export const interpreter: Executor = {
  name: 'interpreter',
  run(cpu: Cpu): void {
    if (cpu.itstate !== 0) {
      stepInITBlock(cpu);
      return;
    }
    const bus = cpu.bus;
    const h16 = cpu.dispatch16;
    do {
      const pc = cpu.pc;
      bus.pc = pc;
      const insn = bus.fetch16(pc);
      cpu.npc = pc + 2;
      h16[insn](cpu, insn);
      cpu.pc = cpu.npc;
      cpu.instructions++;
    } while (cpu.cycles < cpu.eventAt);
  },
  step(cpu: Cpu): void {
    if (cpu.itstate !== 0) {
      stepInITBlock(cpu);
      return;
    }
    const pc = cpu.pc;
    cpu.bus.pc = pc;
    const insn = cpu.bus.fetch16(pc);
    cpu.npc = pc + 2;
    cpu.dispatch16[insn](cpu, insn);
    cpu.pc = cpu.npc;
    cpu.instructions++;
  },
};

/**
 * Runs instructions while they run in a straight line: stops after the first that leaves it (a
 * branch taken, an exception return), when an event is due or an IT block begins. The
 * translator runs code that is not compiled yet with this, up to the next address it looks up.
 */
export function runStraight(cpu: Cpu): void {
  if (cpu.itstate !== 0) {
    stepInITBlock(cpu);
    return;
  }
  const bus = cpu.bus;
  const h16 = cpu.dispatch16;
  for (;;) {
    const pc = cpu.pc;
    bus.pc = pc;
    const insn = bus.fetch16(pc);
    cpu.npc = pc + 2;
    h16[insn](cpu, insn);
    const next = cpu.npc;
    cpu.pc = next;
    cpu.instructions++;
    if ((next - pc !== 2 && next - pc !== 4) || cpu.cycles >= cpu.eventAt || cpu.itstate !== 0) return;
  }
}

/**
 * One instruction of an IT block (ARMv7-M A7.3): skipped when its condition fails; a 16-bit
 * instruction that sets flags outside an IT block does not set them inside one. Kept off the
 * fast path: while ITSTATE is non-zero eventAt is 0, so every instruction comes through here.
 */
function stepInITBlock(cpu: Cpu): void {
  const pc = cpu.pc;
  cpu.bus.pc = pc;
  const insn = cpu.bus.fetch16(pc);
  const wide = is32bit(insn);
  cpu.npc = pc + (wide ? 4 : 2);
  if (!conditionPassed(cpu, (cpu.itstate >>> 4) & 15)) {
    cpu.cycles += 1;
  } else if (!wide && cpu.decode.rows16[insn]?.enc.flagsOutsideIT === true) {
    const n = cpu.fN,
      z = cpu.fZ,
      c = cpu.fC,
      v = cpu.fV;
    cpu.dispatch16[insn](cpu, insn);
    cpu.fN = n;
    cpu.fZ = z;
    cpu.fC = c;
    cpu.fV = v;
  } else {
    cpu.dispatch16[insn](cpu, insn);
  }
  cpu.pc = cpu.npc;
  cpu.instructions++;
  cpu.advanceIT();
  cpu.eventAt = 0;
}
