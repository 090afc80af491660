// sramlab's CPU against the Unicorn reference, instruction by instruction (conformance/), and
// the generator that feeds it. Without Unicorn the comparison is skipped on a developer's
// machine but fails in CI, which must never pass by skipping its reference.

import { describe, expect, it } from 'vitest';
import { openUnicorn, unicornAvailable, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import { decode32, decodeTables, rowsFor } from '../emulator/isa/decoder.ts';
import { getProfile } from '../emulator/profiles.ts';
import { formatMismatch, runConformance } from '../conformance/compare.ts';
import { CaseGenerator, KNOWN_DEVIATIONS, type TestCase } from '../conformance/generate.ts';

const available = unicornAvailable();
const skipReference = !available && !process.env.CI;

function cases(mcu: string, seed: number, n: number): TestCase[] {
  const gen = new CaseGenerator(getProfile(mcu), seed);
  return Array.from({ length: n }, () => gen.next());
}

describe('conformance case generator', () => {
  it('gives the same cases for the same seed, and others for another', () => {
    const key = (c: TestCase) => JSON.stringify([c.word, c.state, c.prelude, Array.from(c.fill.bytes.subarray(0, 16))]);
    const a = cases('cortex-m0', 42, 300).map(key);
    expect(cases('cortex-m0', 42, 300).map(key)).toEqual(a);
    expect(cases('cortex-m0', 43, 300).map(key)).not.toEqual(a);
  });

  it('covers every encoding class of the architecture, and random words', () => {
    const seen = new Set(cases('cortex-m0', 1, 3000).map((c) => (c.source === 'random' ? 'random' : c.row!.enc.cls)));
    for (const row of rowsFor('v6m')) expect(seen, row.enc.cls).toContain(row.enc.cls);
    expect(seen).toContain('random');
  });

  it('marks as UNPREDICTABLE only words that sramlab decodes as UNDEFINED', () => {
    const t = decodeTables('v6m');
    const all = cases('cortex-m0', 7, 5000);
    const unpredictable = all.filter((c) => c.unpredictable);
    expect(unpredictable.length).toBeGreaterThan(50);
    for (const c of unpredictable) {
      const row = c.width === 16 ? t.rows16[c.word] : decode32(t, c.word >>> 16, c.word & 0xffff);
      expect(row, `0x${c.word.toString(16)}`).toBeUndefined();
    }
  });
});

describe.skipIf(skipReference)('Unicorn reference engine', () => {
  it('is available (CI installs libunicorn2)', () => {
    expect(available, unicornUnavailableReason()).toBe(true);
  });

  it('reports UNDEFINED, faults, SVC and BKPT as sramlab does, and runs whole functions', () => {
    const uc = openUnicorn(getProfile('cortex-m0'));
    if (!uc) throw new Error(unicornUnavailableReason());
    try {
      const stepAt = (bytes: number[], r0 = 0): string => {
        uc.writeMemory(0x1000, new Uint8Array(bytes));
        const s = uc.getState();
        s.r[0] = r0;
        s.r[15] = 0x1000;
        uc.setState(s);
        return uc.step().stop;
      };
      expect(stepAt([0x50, 0xe8, 0x00, 0x0f], 0x2000_0000)).toBe('undefined'); // ldrex r0, [r0]: no CAS on ARMv6-M
      expect(stepAt([0x00, 0x68], 0x2000_0002)).toBe('fault'); // ldr r0, [r0]: unaligned
      expect(stepAt([0x00, 0x60], 0x1000)).toBe('fault'); // str r0, [r0]: write to flash
      expect(stepAt([0x01, 0xdf])).toBe('svc');
      expect(stepAt([0x01, 0xbe])).toBe('bkpt');
      expect(stepAt([0x05, 0x20])).toBe('ok'); // movs r0, #5
      expect(uc.getState().r[0]).toBe(5);
      // adds r0, #1; bx lr
      uc.writeMemory(0x1100, new Uint8Array([0x01, 0x30, 0x70, 0x47]));
      expect(uc.callFunction(0x1100, 0x2000_1000, 1000)).toBe(6);
    } finally {
      uc.close();
    }
  });
});

describe.skipIf(skipReference).each([
  ['cortex-m0', 1],
  ['cortex-m0plus', 2],
])('sramlab against Unicorn on %s', (mcu, seed) => {
  it('100,000 single instructions: no mismatch', () => {
    if (!available) throw new Error(`the reference is required in CI: ${unicornUnavailableReason()}`);
    const s = runConformance({ mcu, count: 100_000, seed, show: 10 });
    expect(s.count).toBe(100_000);
    expect(s.mismatches, s.first.map(formatMismatch).join('\n')).toBe(0);
    const known = new Set(KNOWN_DEVIATIONS.map((d) => d.id));
    for (const id of Object.keys(s.deviationCounts)) expect(known).toContain(id);
  }, 300_000);
});
