// The block translator (emulator/translator.ts) against the interpreter: the same programs on
// both executors must leave byte-identical state (registers, flags, memory, cycles, instruction
// count, every checker call, fault reports, stop reasons). The interpreter is the reference:
// it is the executor the conformance suite checks against Unicorn instruction by instruction.
// Larger campaigns (the whole scenario matrix, thousands of programs) are in tests/long/.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ExecutorName, makeExecutor } from '../emulator/executors.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';
import { runScenario } from '../scenarios/index.ts';
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
