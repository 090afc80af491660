// The long conformance campaign: 100,000 cases per profile of sramlab's CPU against Unicorn
// (conformance/). `npm test` runs a seeded sample of each profile (tests/conformance.test.ts).
// Unicorn is required here: without it every case fails, in CI and out, so the campaign can
// never pass by skipping its reference.

import { describe, expect, it } from 'vitest';
import { formatMismatch, runConformance } from '../../conformance/compare.ts';
import { EXCLUSIVE_SEQ, KNOWN_DEVIATIONS } from '../../conformance/generate.ts';
import { unicornAvailable, unicornUnavailableReason } from '../../emulator/engines/unicorn.ts';
import { getProfile } from '../../emulator/profiles.ts';

const COUNT = 100_000;

describe.each([
  ['cortex-m0', 1],
  ['cortex-m0plus', 2],
  ['cortex-m3', 3],
  ['cortex-m4', 4],
])('sramlab against Unicorn on %s (seed %i)', (mcu, seed) => {
  it(`${COUNT.toLocaleString('en')} cases (single instructions; on ARMv7-M also IT blocks and LDREX/STREX sequences): no mismatch`, () => {
    expect(unicornAvailable(), `the Unicorn reference is required: ${unicornUnavailableReason()}`).toBe(true);
    const s = runConformance({ mcu, count: COUNT, seed, show: 10 });
    expect(s.count).toBe(COUNT);
    expect(s.mismatches, s.first.map(formatMismatch).join('\n')).toBe(0);
    const known = new Set(KNOWN_DEVIATIONS.map((d) => d.id));
    for (const id of Object.keys(s.deviationCounts)) expect(known).toContain(id);
    if (getProfile(mcu).arch !== 'v6m') {
      // The programs are in the mix, and were compared, not only checked on sramlab alone.
      expect(s.classCounts['it-block']).toBeGreaterThan(COUNT / 100);
      expect(s.classCounts[EXCLUSIVE_SEQ]).toBeGreaterThan(COUNT / 100);
    }
  });
});
