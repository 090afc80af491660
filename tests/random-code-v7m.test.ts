// Bad input as code on the ARMv7-M profiles: random instruction words, half of them in the
// 32-bit Thumb-2 space and some inside IT blocks, must each step to a normal end, a MemFault
// or an InstructionFault; random blobs run as firmware must end in lockup, sleep or the
// cycle budget. Never a host exception (a TypeError in a handler, an out-of-range table
// index, an endless loop).
import { describe, expect, it } from 'vitest';
import { Bus } from '../emulator/bus.ts';
import { Cpu } from '../emulator/cpu.ts';
import { InstructionFault, MemFault } from '../emulator/fault.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile } from '../emulator/profiles.ts';
import { Prng } from '../runners/prng.ts';

/** The project's seeded PRNG: a failure reproduces. */
function words(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.u32();
}

const V7_PROFILES = ['cortex-m3', 'cortex-m4'];
const WORDS = 100_000;

describe.each(V7_PROFILES)('random instruction words on %s', (name) => {
  it(`${WORDS.toLocaleString('en')} random words each step to ok, a MemFault or UNDEFINED`, () => {
    const profile = getProfile(name);
    const bus = new Bus(profile);
    const cpu = new Cpu(profile, bus);
    cpu.onSvc = () => true;
    cpu.onBkpt = () => true;
    const rand = words(0x7e57 + name.length);
    const outcome = { ok: 0, memFault: 0, undefined: 0 };
    const at = 0x2000;
    const bytes = new Uint8Array(4);
    for (let k = 0; k < WORDS; k++) {
      // Half the words start with a 32-bit prefix (0xE800–0xFFFF), the rest are anything.
      const hw1 = k & 1 ? 0xe800 + (rand() % 0x1800) : rand() & 0xffff;
      const hw2 = rand() & 0xffff;
      bytes[0] = hw1;
      bytes[1] = hw1 >>> 8;
      bytes[2] = hw2;
      bytes[3] = hw2 >>> 8;
      bus.load(at, bytes);
      for (let r = 0; r < 13; r++) {
        const roll = rand() & 3;
        cpu.r[r] = roll === 0 ? SRAM_BASE + (rand() & 0x7ffc) : roll === 1 ? SRAM_BASE + (rand() & 0x7fff) : rand();
      }
      cpu.r[13] = SRAM_BASE + 0x4000;
      cpu.r[14] = rand();
      const flags = rand();
      cpu.fN = flags & 1;
      cpu.fZ = (flags >>> 1) & 1;
      cpu.fC = (flags >>> 2) & 1;
      cpu.fV = (flags >>> 3) & 1;
      cpu.fQ = (flags >>> 4) & 1;
      cpu.ge = (flags >>> 5) & 15;
      // One word in eight runs inside an IT block (a random firstcond, a one- to four-slot mask).
      cpu.itstate = (flags >>> 9) % 8 === 0 ? (((flags >>> 12) % 14) << 4) | (1 << ((flags >>> 16) & 3)) : 0;
      cpu.ccr = flags & 0x100000 ? 0x210 : 0x200; // DIV_0_TRP sometimes
      cpu.control = (flags >>> 21) & 1; // nPRIV sometimes
      cpu.ipsr = 0;
      cpu.tbit = 1;
      cpu.primask = 0;
      cpu.basepri = 0;
      cpu.faultmask = 0;
      cpu.clearExclusiveLocal();
      if ((flags >>> 22) & 1) cpu.setExclusiveMonitor(cpu.r[(flags >>> 23) & 7], 4);
      cpu.pc = at;
      cpu.stopReason = null;
      const e = cpu.stepOne();
      if (e === null) outcome.ok++;
      else if (e instanceof MemFault) outcome.memFault++;
      else if (e instanceof InstructionFault) outcome.undefined++;
      expect(Number.isInteger(cpu.cycles)).toBe(true);
    }
    expect(outcome.ok + outcome.memFault + outcome.undefined).toBe(WORDS);
    // Random words reach all three outcomes often.
    expect(outcome.ok).toBeGreaterThan(WORDS / 10);
    expect(outcome.undefined).toBeGreaterThan(WORDS / 100);
    expect(outcome.memFault).toBeGreaterThan(WORDS / 100);
    // Registers stay int32 (a handler writing a float or a too-wide value would show here).
    for (let r = 0; r < 16; r++) expect(cpu.r[r] | 0).toBe(cpu.r[r]);
  });

  it('random blobs run as firmware end in lockup, sleep or the cycle budget', () => {
    const profile = getProfile(name);
    const rand = words(0xb10b7 + name.length);
    const stops = new Map<string, number>();
    for (let k = 0; k < 200; k++) {
      const bus = new Bus(profile);
      const cpu = new Cpu(profile, bus);
      const blob = new Uint8Array(8192);
      for (let i = 0; i < blob.length; i += 2) {
        // Bias toward 32-bit instructions: every other halfword may be a Thumb-2 prefix.
        const hw = i & 2 && rand() & 1 ? 0xe800 + (rand() % 0x1800) : rand() & 0xffff;
        blob[i] = hw;
        blob[i + 1] = hw >>> 8;
      }
      // Initial SP in SRAM, reset vector at 0x101 (Thumb); every other vector is random.
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
