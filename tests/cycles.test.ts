// Cycle counts against the TRMs' timing tables (expected values from the tables, not the emulator).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../emulator/cpu.ts';
import { getProfile } from '../emulator/profiles.ts';

/** Runs halfwords from 0x100 with r1 = r3 = an SRAM address; returns the cycles of the first n instructions. */
function cyclesOf(mcu: string, code: number[], n: number): number {
  const cpu = new Cpu(getProfile(mcu));
  const bytes = new Uint8Array(code.length * 2);
  code.forEach((h, i) => {
    bytes[2 * i] = h & 0xff;
    bytes[2 * i + 1] = h >>> 8;
  });
  cpu.bus.load(0x100, bytes);
  cpu.r[1] = 0x20000100;
  cpu.r[3] = 0x20000200;
  cpu.r[13] = 0x20001000;
  cpu.pc = 0x100;
  for (let k = 0; k < n; k++) expect(cpu.stepOne()).toBeNull();
  return cpu.cycles;
}

const LDR_R0_R1 = 0x6808,
  LDR_R2_R3 = 0x681a,
  STR_R2_R3 = 0x601a,
  ADDS_R4_1 = 0x3401;

describe('load/store timing', () => {
  it.each(['cortex-m0', 'cortex-m0plus'])('%s: every LDR and STR takes 2 cycles (no pipelining)', (mcu) => {
    expect(cyclesOf(mcu, [LDR_R0_R1, LDR_R2_R3], 2)).toBe(4);
    expect(cyclesOf(mcu, [LDR_R0_R1, STR_R2_R3], 2)).toBe(4);
  });

  it.each(['cortex-m3', 'cortex-m4'])('%s: neighbouring LDR/STR pipeline (LDR; LDR = 3 cycles)', (mcu) => {
    expect(cyclesOf(mcu, [LDR_R0_R1, LDR_R2_R3], 2)).toBe(3);
    expect(cyclesOf(mcu, [LDR_R0_R1, STR_R2_R3], 2)).toBe(3);
    expect(cyclesOf(mcu, [LDR_R0_R1, LDR_R2_R3, LDR_R0_R1], 3)).toBe(4);
  });

  it.each(['cortex-m3', 'cortex-m4'])('%s: an instruction in between breaks the pipeline', (mcu) => {
    expect(cyclesOf(mcu, [LDR_R0_R1, ADDS_R4_1, LDR_R2_R3], 3)).toBe(5);
  });
});
