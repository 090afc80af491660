// Profiles as rows of feature flags: a core is described by what it has, and the decoder and
// the CPU follow the flags, not the architecture name. The reference for the hypothetical
// core below is the ARMv8-M ARM's Baseline (the Cortex-M23's architecture): ARMv6-M plus
// LDREX/STREX (and the byte/halfword forms, CLREX) and SDIV/UDIV, still without the 32-bit
// data-processing encodings of ARMv7-M (MOV.W is UNDEFINED there).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../emulator/cpu.ts';
import { InstructionFault } from '../emulator/fault.ts';
import { decode32, decodeTables } from '../emulator/isa/decoder.ts';
import { getProfile, type Profile } from '../emulator/profiles.ts';

const LDREX = 0xe851_0f00; // ldrex r0, [r1]
const CLREX = 0xf3bf_8f2f; // clrex
const SDIV = 0xfb91_f0f2; // sdiv r0, r1, r2
const MOVW = 0xf04f_0005; // mov.w r0, #5

const name = (isa: Parameters<typeof decodeTables>[0], word: number): string | undefined =>
  decode32(decodeTables(isa), word >>> 16, word & 0xffff)?.enc.name;

describe('profile feature flags', () => {
  const m0 = getProfile('cortex-m0');
  // The Cortex-M0's row with two flags turned on (and its cycle model, which is looked up by name).
  const baseline: Profile = { ...m0, hasExclusives: true, hasDivide: true };

  it('a core with exclusives and divide but no Thumb-2 decodes just those', () => {
    expect(name(baseline, LDREX)).toBe('LDREX');
    expect(name(baseline, CLREX)).toBe('CLREX');
    expect(name(baseline, SDIV)).toBe('SDIV');
    expect(name(baseline, MOVW)).toBeUndefined();
  });

  it('the architectures keep their instruction sets', () => {
    for (const w of [LDREX, CLREX, SDIV, MOVW]) expect(name('v6m', w)).toBeUndefined();
    expect(name(getProfile('cortex-m3'), LDREX)).toBe('LDREX');
    expect(name(getProfile('cortex-m3'), MOVW)).toBe('MOV (immediate, T2)');
  });

  it('an exclusive on a core without them faults as no-cas, any other 32-bit miss as UNDEFINED', () => {
    const kindOf = (p: Profile, word: number): string | null => {
      const cpu = new Cpu(p);
      cpu.bus.load(0, new Uint8Array([(word >>> 16) & 0xff, word >>> 24, word & 0xff, (word >>> 8) & 0xff]));
      cpu.pc = 0;
      const e = cpu.stepOne();
      return e instanceof InstructionFault ? e.kind : e === null ? null : 'memory';
    };
    expect(kindOf(m0, LDREX)).toBe('no-cas');
    expect(kindOf(m0, CLREX)).toBe('no-cas');
    expect(kindOf(m0, SDIV)).toBe('undefined');
    expect(kindOf(baseline, SDIV)).toBe(null);
  });

  it('cpu.ts does not import the instruction handlers (the encoding rows own them)', () => {
    const src = readFileSync(new URL('../emulator/cpu.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/from '\.\/instructions\//);
  });
});
