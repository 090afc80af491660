// The block translator (emulator/translator.ts) against the interpreter: the same programs on
// both executors must leave byte-identical state (registers, flags, memory, cycles, instruction
// count, every checker call, fault reports, stop reasons). The interpreter is the reference:
// it is the executor the conformance suite checks against Unicorn instruction by instruction.
// Larger campaigns (the whole scenario matrix, thousands of programs) are in tests/long/.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ExecutorName, makeExecutor } from '../emulator/executors.ts';
import { Machine } from '../emulator/machine.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile } from '../emulator/profiles.ts';
import { runScenario } from '../scenarios/index.ts';
import { sramlabWith } from './support/cli-in-process.ts';
import { observe, randomProgram, tracer } from './support/differential.ts';

const MCUS = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'];

describe.each(MCUS)('random programs on %s', (mcu) => {
  it('end in the same state on the interpreter and the translator', () => {
    const profile = getProfile(mcu);
    let instructions = 0;
    const stops = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const a = randomProgram(profile, seed, 'interpreter');
      const b = randomProgram(profile, seed, 'translator');
      expect(b, `seed ${seed}`).toEqual(a);
      instructions += a.instructions;
      for (const s of a.stops) stops.add(s);
      if (a.thrown) stops.add('thrown');
    }
    // The programs really ran: thousands of instructions, ending in more than one way.
    expect(instructions).toBeGreaterThan(10_000);
    expect(stops.size).toBeGreaterThan(1);
  });
});

describe.each(MCUS)('code in SRAM on %s', (mcu) => {
  it('runs as on the interpreter while its own stores rewrite it', () => {
    const profile = getProfile(mcu);
    let instructions = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const a = randomProgram(profile, seed, 'interpreter', 20_000, 'sram');
      expect(randomProgram(profile, seed, 'translator', 20_000, 'sram'), `seed ${seed}`).toEqual(a);
      instructions += a.instructions;
    }
    expect(instructions).toBeGreaterThan(5_000);
  });

  it('runs an instruction its loop has just stored over (hand-worked)', () => {
    // loop: adds r0,#1; strh r2,[r1]; patch: <r2>; eors r2,r6; subs r5,#1; bne loop; b .
    // r2 alternates between ADDS r4,#2 (0x3402) and ADDS r3,#1 (0x3301): ten passes leave
    // r0 = 10, r4 = 2 * 5, r3 = 5 — each pass runs what the store before it wrote.
    const run = (executor: ExecutorName) => {
      const m = new Machine(getProfile(mcu));
      m.cpu.executor = makeExecutor(executor, { warm: 0 });
      const at = SRAM_BASE + 0x100;
      const code = [0x3001, 0x800a, 0xbf00, 0x4072, 0x3d01, 0xd1f9, 0xe7fe];
      m.bus.load(at, new Uint8Array(new Uint16Array(code).buffer));
      const cpu = m.cpu;
      cpu.pc = at;
      cpu.r[1] = at + 4;
      cpu.r[2] = 0x3402;
      cpu.r[6] = 0x3402 ^ 0x3301;
      cpu.r[5] = 10;
      cpu.run(200);
      return { regs: Array.from(cpu.r.slice(0, 7)), cycles: cpu.cycles, instructions: cpu.instructions };
    };
    const a = run('interpreter');
    expect(a.regs.slice(0, 6)).toEqual([10, SRAM_BASE + 0x104, 0x3402, 5, 10, 0]);
    expect(run('translator')).toEqual(a);
  });
});

/** The benchmark's allocator loop, stopped by cycle budgets that fall anywhere inside blocks. */
function chunked(mcu: string, executor: ExecutorName, hook: boolean) {
  const elf = readFileSync(new URL(`../bench/firmware/freelist-${mcu === 'cortex-m0' ? 'm0' : 'm3'}.elf`, import.meta.url));
  const m = new Machine(getProfile(mcu));
  m.cpu.executor = makeExecutor(executor, { warm: 0 });
  m.loadElf(elf);
  m.reset();
  const trace = tracer(m);
  const entry = m.symbol('bench_main')!;
  let steps = 0;
  if (hook) {
    // A debugger's per-instruction hook: every instruction is a boundary.
    m.cpu.onInstruction = () => {
      if (++steps % 997 === 0) m.cpu.halt();
    };
  }
  return observe(
    m,
    () => {
      m.cpu.pc = entry & ~1;
      m.cpu.r[14] = 0xdeadbeef | 0;
      const stops: string[] = [];
      let budget = 1;
      for (let k = 0; k < (hook ? 30 : 200); k++) {
        budget = (budget * 7 + 13) % 1789; // budgets of 0..1788 cycles: stops land mid-block
        stops.push(m.cpu.run(budget + 1));
      }
      return stops;
    },
    trace,
  );
}

describe.each(['cortex-m0', 'cortex-m3'])('the allocator benchmark on %s', (mcu) => {
  it('stops at the same instruction boundaries for any cycle budget', () => {
    const a = chunked(mcu, 'interpreter', false);
    expect(a.instructions).toBeGreaterThan(50_000);
    expect(chunked(mcu, 'translator', false)).toEqual(a);
  });

  it('runs one instruction per hook call with a debugger hook set', () => {
    const a = chunked(mcu, 'interpreter', true);
    expect(a.stops).toContain('halt');
    expect(chunked(mcu, 'translator', true)).toEqual(a);
  });
});

describe('scenarios', () => {
  it.each([
    ['smoke', 'basic', 'cortex-m0'],
    ['fragmentation', 'galloc', 'cortex-m3'],
    ['stack-collision', 'basic', 'cortex-m4'],
  ])('%s on %s (%s) gives the same JSON on both executors', (scenario, allocator, mcu) => {
    const run = (executor: ExecutorName) => {
      const before = process.env.SRAMLAB_EXECUTOR;
      process.env.SRAMLAB_EXECUTOR = executor;
      try {
        return JSON.stringify(runScenario(scenario, allocator, mcu, { seed: 3, ops: 300 }));
      } finally {
        if (before === undefined) delete process.env.SRAMLAB_EXECUTOR;
        else process.env.SRAMLAB_EXECUTOR = before;
      }
    };
    const a = run('interpreter');
    expect(a).toContain('"cycles"');
    expect(run('translator')).toBe(a);
  });
});

describe("a user's image built to the ABI (tests/explore-allocators/pool.c)", () => {
  it.each([
    ['nolock', 'cortex-m3'],
    ['mask', 'cortex-m0'],
  ])('sramlab check of pool-%s on %s gives the same JSON and status on both executors', async (lock, mcu) => {
    const elf = fileURLToPath(new URL(`./explore-allocators/pool-${lock}-${mcu}.elf`, import.meta.url));
    const args = ['check', elf, '--mcu', mcu, '--scenario', 'isr-reentrancy', '--json'];
    const a = await sramlabWith({ SRAMLAB_EXECUTOR: 'interpreter' }, ...args);
    const b = await sramlabWith({ SRAMLAB_EXECUTOR: 'translator' }, ...args);
    // Every preemption point explored: the unlocked pool fails at its pop's window, the one that
    // masks interrupts passes (tests/explore.test.ts names the points).
    expect(a.status).toBe(lock === 'nolock' ? 1 : 0);
    expect(a.stdout).toContain('"schema": "sramlab.check/1"');
    expect(b.status).toBe(a.status);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('executor selection', () => {
  it('SRAMLAB_EXECUTOR picks the executor of new machines, and rejects unknown names', () => {
    const before = process.env.SRAMLAB_EXECUTOR;
    try {
      process.env.SRAMLAB_EXECUTOR = 'translator';
      expect(new Machine(getProfile('cortex-m0')).cpu.executor.name).toBe('translator');
      process.env.SRAMLAB_EXECUTOR = 'interpreter';
      expect(new Machine(getProfile('cortex-m0')).cpu.executor.name).toBe('interpreter');
      process.env.SRAMLAB_EXECUTOR = 'jit';
      expect(() => new Machine(getProfile('cortex-m0'))).toThrow(/SRAMLAB_EXECUTOR must be interpreter or translator/);
    } finally {
      if (before === undefined) delete process.env.SRAMLAB_EXECUTOR;
      else process.env.SRAMLAB_EXECUTOR = before;
    }
  });
});
