// The long differential campaign (tests/translator.test.ts has the quick one): the whole
// scenario matrix, every scenario × allocator × profile, run on the interpreter and on the
// block translator must give byte-identical JSON, cycles included; and 1,000 random programs
// per profile must leave identical state.

import { describe, expect, it } from 'vitest';
import type { ExecutorName } from '../../emulator/executors.ts';
import { getProfile, PROFILES } from '../../emulator/profiles.ts';
import { compare } from '../../runners/compare.ts';
import { ALLOCATORS } from '../../runners/image.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import { randomProgram } from '../support/differential.ts';

async function matrix(executor: ExecutorName): Promise<string> {
  const before = process.env.SRAMLAB_EXECUTOR;
  process.env.SRAMLAB_EXECUTOR = executor; // worker threads take the environment as it is now
  try {
    const report = await compare({
      scenarios: SCENARIOS.map((s) => s.name),
      allocators: ALLOCATORS.map((a) => a.name),
      mcus: Object.keys(PROFILES),
      seed: 1,
      ops: 1000,
    });
    return JSON.stringify(report);
  } finally {
    if (before === undefined) delete process.env.SRAMLAB_EXECUTOR;
    else process.env.SRAMLAB_EXECUTOR = before;
  }
}

describe('translator against interpreter, at length', () => {
  it('the whole scenario matrix gives identical JSON', async () => {
    const a = await matrix('interpreter');
    expect(a.length).toBeGreaterThan(100_000);
    expect(await matrix('translator')).toBe(a);
  });

  it.each(Object.keys(PROFILES))('1,000 random programs on %s end in identical state', (mcu) => {
    const profile = getProfile(mcu);
    for (let seed = 1000; seed < 2000; seed++) {
      expect(randomProgram(profile, seed, 'translator'), `seed ${seed}`).toEqual(randomProgram(profile, seed, 'interpreter'));
    }
  });
});
