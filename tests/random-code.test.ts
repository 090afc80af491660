// Bad input as code: random instruction words and random blobs must end in a structured
// fault, a lockup or the cycle budget, never a host exception or a hang.
import { describe, expect, it } from 'vitest';
import { Bus } from '../emulator/bus.ts';
import { Cpu } from '../emulator/cpu.ts';
import { InstructionFault, MemFault } from '../emulator/fault.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile } from '../emulator/profiles.ts';
import { Prng } from '../runners/prng.ts';

/** The project's seeded PRNG: a fixed seed keeps the test reproducible. */
function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.u32();
}

const PROFILES_V6M = ['cortex-m0', 'cortex-m0plus'];

describe.each(PROFILES_V6M)('random instruction words on %s', (name) => {
  it('100,000 random words each step to ok, a fault or UNDEFINED', () => {
    const profile = getProfile(name);
    const bus = new Bus(profile);
    const cpu = new Cpu(profile, bus);
    cpu.onSvc = () => true;
    const next = rng(0x5eed + name.length);
    const counts = { ok: 0, fault: 0, undefined: 0 };
    const code = 0x1000;
    for (let k = 0; k < 100_000; k++) {
      const word = next();
      bus.load(code, new Uint8Array([(word >>> 16) & 0xff, word >>> 24, word & 0xff, (word >>> 8) & 0xff]));
      for (let i = 0; i < 13; i++) cpu.r[i] = next() & 1 ? SRAM_BASE + (next() & 0x7ffc) : next();
      cpu.r[13] = SRAM_BASE + 0x4000;
      cpu.ipsr = 0;
      cpu.control = 0;
      cpu.tbit = 1;
      cpu.primask = 0;
      cpu.pc = code;
      cpu.stopReason = null;
      const e = cpu.stepOne();
      if (e === null) counts.ok++;
      else if (e instanceof MemFault) counts.fault++;
      else if (e instanceof InstructionFault) counts.undefined++;
    }
    expect(counts.ok + counts.fault + counts.undefined).toBe(100_000);
    // Sanity: random words exercise all three outcomes.
    expect(counts.ok).toBeGreaterThan(10_000);
    expect(counts.undefined).toBeGreaterThan(1_000);
    expect(counts.fault).toBeGreaterThan(1_000);
  });

  it('random blobs run as firmware end in lockup, a fault handled by random code, or the budget', () => {
    const profile = getProfile(name);
    const next = rng(0xb10b + name.length);
    const stops = new Map<string, number>();
    for (let k = 0; k < 300; k++) {
      const bus = new Bus(profile);
      const cpu = new Cpu(profile, bus);
      const blob = new Uint8Array(4096);
      for (let i = 0; i < blob.length; i += 4) {
        const w = next();
        blob[i] = w;
        blob[i + 1] = w >>> 8;
        blob[i + 2] = w >>> 16;
        blob[i + 3] = w >>> 24;
      }
      // A valid SP and reset vector, random handlers for everything else.
      blob.set([0x00, 0x40, 0x00, 0x20, 0x01, 0x01, 0x00, 0x00], 0);
      bus.load(0, blob);
      cpu.faultMode = 'vector';
      cpu.reset();
      const stop = cpu.run(200_000);
      expect(['lockup', 'budget', 'sleep', 'halt']).toContain(stop);
      stops.set(stop, (stops.get(stop) ?? 0) + 1);
    }
    expect(stops.get('lockup') ?? 0).toBeGreaterThan(0);
  });
});
