// The mutated-ELF fuzzer (fuzz/): its corpus is every committed image, its cases are seeded
// and replayable, its verdicts follow the CLI's exit rule (README: 0, 1, 2, or exec's firmware
// status; anything else is a bug), and a seeded sample of cases run through `exec` and `check`
// in-process crashes nothing. tests/long/elf-fuzz.test.ts runs a larger campaign.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classify, type Outcome, runCase } from '../fuzz/elf-case.ts';
import { KINDS, layoutOf, loadCorpus, makeCase, mcuOf } from '../fuzz/elf-mutate.ts';

const corpus = loadCorpus();
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-elf-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the fuzzer corpus and cases', () => {
  it('holds every committed image folder, each image with the profile its name says', () => {
    const dirs = new Set(corpus.map((c) => c.path.replace(/\/[^/]+$/, '')));
    for (const d of [
      'firmware/images',
      'firmware/images/cas',
      'tests/firmware',
      'tests/firmware-v7m',
      'tests/broken-allocators/images',
      'bench/firmware',
      'examples/c-allocator',
    ]) {
      expect(dirs, d).toContain(d);
    }
    expect(mcuOf('firmware/images/galloc-cortex-m0plus.elf')).toBe('cortex-m0plus');
    expect(mcuOf('firmware/images/galloc-cortex-m0.elf')).toBe('cortex-m0');
    expect(mcuOf('tests/firmware-v7m/busfaults-m4.elf')).toBe('cortex-m4');
    expect(mcuOf('tests/firmware/systick.elf')).toBe('cortex-m0');
    // A sane layout was read from each pristine image (the mutations aim with it).
    for (const c of corpus) expect(c.layout.sections.length, c.path).toBeGreaterThan(3);
  });

  it('builds the same case from the same seed and index, and another from another index', () => {
    const a = makeCase(corpus, 5, 17),
      b = makeCase(corpus, 5, 17),
      c = makeCase(corpus, 5, 18);
    expect({ ...b, bytes: null }).toEqual({ ...a, bytes: null });
    expect(Buffer.compare(b.bytes, a.bytes)).toBe(0);
    expect(Buffer.compare(a.bytes, corpus.find((x) => x.path === a.base)!.bytes)).not.toBe(0); // mutated
    expect(c.base !== a.base || c.kind !== a.kind || Buffer.compare(c.bytes, a.bytes) !== 0).toBe(true);
  });
});

describe('the verdict of one case (the CLI exit rule)', () => {
  it.each([
    ['check', 0, '', 'ok'],
    ['check', 1, '', 'fault'],
    ['check', 2, "sramlab: x.elf: no symbol 'sl_alloc': define it\n", 'refused'],
    ['check', 2, 'sramlab: one\ntwo\n', 'crash'],
    ['check', 2, '', 'crash'],
    ['check', 70, 'sramlab: internal error: boom\n', 'crash'],
    ['check', 3, '', 'crash'],
    ['exec', 70, 'sramlab: internal error: boom\n', 'crash'],
    ['exec', 2, '', 'status'], // the firmware's own SYS_EXIT status
    ['exec', 42, '', 'status'],
    ['exec', 1, 'sramlab: lockup: …\n', 'fault'],
  ] as const)('%s exiting %i with stderr %j is %s', (entry, status, stderr, outcome) => {
    expect(classify(entry, status, stderr).outcome).toBe(outcome);
  });
});

describe('a seeded sample through exec and check, in-process', () => {
  it('200 cases of seed 1: none crashes; every mutation kind, both commands, and loads past the ELF reader', async () => {
    const seen = { kinds: new Set<string>(), entries: new Set<string>(), outcomes: new Map<Outcome, number>() };
    const crashes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const c = makeCase(corpus, 1, i);
      const r = await runCase(c.entry, join(tmp, 'case.elf'), c.bytes, c.args);
      seen.kinds.add(c.kind);
      seen.entries.add(c.entry);
      seen.outcomes.set(r.outcome, (seen.outcomes.get(r.outcome) ?? 0) + 1);
      if (r.outcome === 'crash')
        crashes.push(
          `case ${i} (${c.kind} of ${c.base}, ${c.entry} ${c.args.join(' ')}): ${r.detail}\n  replay: npm run fuzz:elf -- --seed 1 --case ${i}`,
        );
    }
    expect(crashes).toEqual([]);
    expect([...seen.kinds].sort()).toEqual([...KINDS].sort());
    expect([...seen.entries].sort()).toEqual(['check', 'exec']);
    // Refused, faulted and passed cases all occur: the sample reaches the emulator and the scenarios.
    for (const o of ['refused', 'fault', 'ok'] as const) expect(seen.outcomes.get(o) ?? 0, o).toBeGreaterThan(10);
  });
});

/** Sets st_value of the named symbol in a copy of an image. */
function withSymbolValue(bytes: Uint8Array, name: string, value: number): Uint8Array {
  const b = bytes.slice();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sections = layoutOf(b).sections;
  const symtab = sections.find((s) => s.name === '.symtab')!;
  const strtab = sections.find((s) => s.name === '.strtab')!;
  const wanted = new TextEncoder().encode(`${name}\0`);
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 16) {
    const n = strtab.offset + view.getUint32(at, true);
    if (wanted.every((c, k) => b[n + k] === c)) {
      view.setUint32(at + 4, value, true);
      return b;
    }
  }
  throw new Error(`no symbol ${name}`);
}

describe('what the fuzzer found', () => {
  // Seed 20250101, case 71045: a symbol mutation of the slab image moved sl_slab_slot_size,
  // which the host sets before sl_init, outside memory; the host write threw a plain Error (exit 70).
  // (isr-reentrancy no longer writes the harness's sl_isr_request: emulator/host-irq.ts.)
  it.each([['firmware/images/cas/slab-cortex-m0.elf', 'sl_slab_slot_size', 'smoke']])(
    '%s with %s outside memory is refused in one line (exit 2) by check --scenario %s',
    async (image, symbol, scenario) => {
      const base = corpus.find((c) => c.path === image)!;
      const bytes = withSymbolValue(base.bytes, symbol, 0x8f2a_4cef);
      const r = await runCase('check', join(tmp, 'moved.elf'), bytes, ['--mcu', base.mcu, '--scenario', scenario, '--ops', '10']);
      expect(r, r.detail).toMatchObject({ outcome: 'refused', status: 2 });
      expect(r.detail).toMatch(/0x8f2a4cef/);
    },
  );
});

describe('what the fuzzer found (2)', () => {
  // Seed 20250101, case 18903 (second run): a heap array moved outside SRAM was not refused; the
  // host's fill of the first block threw a plain Error (exit 70).
  it('an image whose heap array is outside SRAM is refused in one line (exit 2)', async () => {
    const base = corpus.find((c) => c.path === 'tests/broken-allocators/images/leaky-cortex-m3.elf')!;
    const bytes = withSymbolValue(withSymbolValue(base.bytes, '__heap_start', 0x1d00_1000), '__heap_end', 0x1d00_5000);
    const r = await runCase('check', join(tmp, 'heap.elf'), bytes, ['--mcu', 'cortex-m3', '--scenario', 'smoke', '--ops', '14']);
    expect(r, r.detail).toMatchObject({ outcome: 'refused', status: 2 });
    expect(r.detail).toMatch(/heap array 0x1d001000.*not inside SRAM/);
  });
});
