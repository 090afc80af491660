// sramlab's CPU against the Unicorn reference, instruction by instruction (conformance/), and
// the generator that feeds it. Without Unicorn the comparison is skipped on a developer's
// machine but fails in CI, which must never pass by skipping its reference.

import { describe, expect, it } from 'vitest';
import { formatMismatch, runConformance } from '../conformance/compare.ts';
import { CaseGenerator, EXCLUSIVE_SEQ, KNOWN_DEVIATIONS, type TestCase, writesPc } from '../conformance/generate.ts';
import { openUnicorn, unicornAvailable, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import { decode32, decodeTables, rowsFor } from '../emulator/isa/decoder.ts';
import { getProfile } from '../emulator/profiles.ts';

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

  it.each([
    ['cortex-m0', 'v6m'],
    ['cortex-m3', 'v7m'],
    ['cortex-m4', 'v7em'],
  ] as const)('covers every encoding class of %s, and random words', (mcu, arch) => {
    const all = cases(mcu, 1, arch === 'v6m' ? 3000 : 20000);
    const seen = new Set(all.map((c) => c.cls));
    for (const row of rowsFor(arch)) expect(seen, row.enc.cls).toContain(row.enc.cls);
    expect(seen).toContain('random');
    if (arch === 'v6m') {
      expect(seen).not.toContain(EXCLUSIVE_SEQ);
      expect(all.some((c) => c.block)).toBe(false);
    } else {
      expect(seen).toContain(EXCLUSIVE_SEQ);
      expect(all.some((c) => c.block?.kind === 'it-block')).toBe(true);
    }
  });

  it.each([
    ['cortex-m0', 'v6m'],
    ['cortex-m3', 'v7m'],
    ['cortex-m4', 'v7em'],
  ] as const)('marks as UNPREDICTABLE on %s only words that sramlab decodes as UNDEFINED', (mcu, arch) => {
    const t = decodeTables(arch);
    const all = cases(mcu, 7, 5000);
    const unpredictable = all.filter((c) => c.unpredictable);
    expect(unpredictable.length).toBeGreaterThan(50);
    for (const c of unpredictable) {
      const row = c.width === 16 ? t.rows16[c.word] : decode32(t, c.word >>> 16, c.word & 0xffff);
      expect(row, `0x${c.word.toString(16)}`).toBeUndefined();
    }
  });

  it('builds IT blocks as the IT mask says, and LDREX/STREX sequences that end in two STREX', () => {
    const all = cases('cortex-m3', 5, 20000);
    const blocks = all.filter((c) => c.block?.kind === 'it-block');
    expect(blocks.length).toBeGreaterThan(100);
    for (const c of blocks) {
      const b = c.block!;
      const mask = c.word & 0xf;
      expect(b.insns.length - 1, `0x${c.word.toString(16)}`).toBe(4 - Math.log2(mask & -mask));
      expect(b.insns[0].address).toBe(c.state.r[15]);
      expect(b.end).toBe(c.state.r[15] + b.code.length);
      // Nothing but the last may write the PC, except the instructions marked UNPREDICTABLE there.
      b.insns.slice(1, -1).forEach((i) => {
        if (!i.special) expect(writesPc(i.row, i.fields), i.row.enc.name).toBe(false);
      });
    }
    const seqs = all.filter((c) => c.cls === EXCLUSIVE_SEQ);
    expect(seqs.length).toBeGreaterThan(100);
    for (const c of seqs) {
      const names = c.block!.insns.map((i) => i.row.enc.name);
      expect(names[0]).toMatch(/^LDREX/);
      expect(names.slice(-2).every((n) => n.startsWith('STREX'))).toBe(true);
      expect(c.unpredictable).toBe(false);
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

  it('on the Cortex-M3 model: NOCP is UNDEFINED, IT blocks run to an end address, setState opens the exclusive monitor', () => {
    const uc = openUnicorn(getProfile('cortex-m3'));
    if (!uc) throw new Error(unicornUnavailableReason());
    const hws = (...h: number[]) => new Uint8Array(h.flatMap((x) => [x & 0xff, x >>> 8]));
    try {
      const start = (code: Uint8Array, r: Record<number, number> = {}, z = 0): void => {
        uc.writeMemory(0x1000, code);
        const s = uc.getState();
        for (let k = 0; k < 13; k++) s.r[k] = r[k] ?? 0;
        s.r[13] = 0x2000_1000;
        s.r[15] = 0x1000;
        s.z = z;
        uc.setState(s);
      };
      start(hws(0xee00, 0x0a10)); // vmov s0, r0: no coprocessor 10 on the M3
      expect(uc.step().stop).toBe('undefined');
      // ite eq; movs r0, #1; movs r1, #2 (Z set: the first runs, the second is skipped)
      start(hws(0xbf0c, 0x2001, 0x2102), {}, 1);
      expect(uc.runTo(0x1006, 3).stop).toBe('ok');
      expect(uc.getState().r.slice(0, 2)).toEqual([1, 0]);
      // ittt eq; str r0, [r1] to unmapped memory; then nothing more runs: the fault stops at the STR
      start(hws(0xbf02, 0x6008, 0x2205, 0x2306), { 1: 0x6000_0000 }, 1);
      expect(uc.runTo(0x1008, 4).stop).toBe('fault');
      expect(uc.getState().r[15]).toBe(0x1002);
      expect(uc.getState().r.slice(2, 4)).toEqual([0, 0]);
      // ldrex r1, [r0]; then a new state: strex r2, r1, [r0] must fail (monitor open)
      start(hws(0xe850, 0x1f00), { 0: 0x2000_1000 });
      expect(uc.step().stop).toBe('ok');
      start(hws(0xe840, 0x1200), { 0: 0x2000_1000, 2: 7 });
      expect(uc.step().stop).toBe('ok');
      expect(uc.getState().r[2]).toBe(1);
    } finally {
      uc.close();
    }
  });
});

/** A seeded sample per profile; tests/long/conformance.test.ts runs 100,000 cases of each. */
const SAMPLE = 10_000;

describe.skipIf(skipReference).each([
  ['cortex-m0', 101],
  ['cortex-m0plus', 102],
  ['cortex-m3', 103],
  ['cortex-m4', 104],
])('sramlab against Unicorn on %s, a sample (seed %i)', (mcu, seed) => {
  it(`${SAMPLE.toLocaleString('en')} cases (single instructions; on ARMv7-M also IT blocks and LDREX/STREX sequences): no mismatch`, () => {
    if (!available) throw new Error(`the reference is required in CI: ${unicornUnavailableReason()}`);
    const s = runConformance({ mcu, count: SAMPLE, seed, show: 10 });
    expect(s.count).toBe(SAMPLE);
    expect(s.mismatches, s.first.map(formatMismatch).join('\n')).toBe(0);
    const known = new Set(KNOWN_DEVIATIONS.map((d) => d.id));
    for (const id of Object.keys(s.deviationCounts)) expect(known).toContain(id);
    if (getProfile(mcu).arch !== 'v6m') {
      // The programs are in the sample, and were compared, not only checked on sramlab alone.
      expect(s.classCounts['it-block']).toBeGreaterThan(SAMPLE / 100);
      expect(s.classCounts[EXCLUSIVE_SEQ]).toBeGreaterThan(SAMPLE / 100);
    }
  }, 300_000);
});
