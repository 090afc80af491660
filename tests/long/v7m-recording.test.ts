// The recorded ARMv7-M cases (tests/support/v7m-recorded.ts) against their two references:
// Unicorn 2.0.1, which the expectations were recorded from, and GNU as, which made the bytes.
// tests/cpu-v7m.test.ts runs the same cases on sramlab in `npm test`; this file proves the
// recording is still what the references say.

import { describe, expect, it } from 'vitest';
import { openUnicorn, unicornAvailable } from '../../emulator/engines/unicorn.ts';
import { getProfile } from '../../emulator/profiles.ts';
import { assemble, gnuAsAvailable } from '../support/gnu-as.ts';
import { CASES, expected, onUnicorn } from '../support/v7m-recorded.ts';

describe('the ARMv7-M recording', () => {
  it.skipIf(!unicornAvailable() && !process.env.CI)('is still what Unicorn does', () => {
    const m3 = openUnicorn(getProfile('cortex-m3'))!;
    const m4 = openUnicorn(getProfile('cortex-m4'))!;
    try {
      const stale = CASES.filter((c) => JSON.stringify(onUnicorn(c.m4 ? m4 : m3, c)) !== JSON.stringify(expected(c)));
      expect(stale.map((c) => c.name)).toEqual([]);
    } finally {
      m3.close();
      m4.close();
    }
  });

  it.skipIf(!gnuAsAvailable() && !process.env.CI)('has the bytes GNU as makes of the source', () => {
    // One assembler run per CPU for every case: each line is labelled, so each case's bytes
    // are read back exactly (tests/support/gnu-as.ts). Each case starts word-aligned, as it
    // does alone: PC-relative literal offsets depend on the address modulo 4.
    const lines = CASES.flatMap((c) => ['.balign 4', ...c.asm, 'bx lr'].map((asm) => ({ asm, cpu: c.m4 ? 'cortex-m4' : 'cortex-m3' })));
    const bytes = assemble(lines).map((e) => e.bytes);
    let at = 0;
    const wrong = CASES.filter((c) => {
      const n = c.asm.length + 2;
      const code = bytes.slice(at + 1, at + n).join('');
      at += n;
      return code !== c.code;
    });
    expect(wrong.map((c) => c.name)).toEqual([]);
  });
});
