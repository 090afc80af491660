// The hostile-firmware corpus (tests/hostile/, built by its build.sh for every profile): programs
// that break every rule they can, run with `sramlab exec`, and allocators whose sl_alloc does
// something hostile, run with `sramlab check`. Whatever the firmware does, sramlab must answer
// with a verdict: exit 0/1 (or the firmware's own status for exec) and a short report on stderr,
// never 70 (internal error), a stack trace or a hang. What each program must end in is written
// at the top of its source, from the ARM ARM; the table below restates it per profile.
//
// Every image runs in-process through cli.ts main() (the code the binary runs, without the half
// second a spawn costs); two run through bin/sramlab.js itself, as a user meets them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MCUS, MISDEEDS, PROGRAMS, V7 } from './hostile/expected.ts';
import { sramlab } from './support/cli-in-process.ts';
import { spawnSramlab } from './support/cli-spawn.ts';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'tests', 'hostile');

/** The rules every answer keeps, whatever the verdict. */
function expectAVerdict(r: { status: number; out: string; err: string }): void {
  expect([0, 1, 2, 3, 4, 5]).toContain(r.status);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
}

describe('hostile programs through sramlab exec, on every profile', () => {
  for (const [program, expected] of Object.entries(PROGRAMS)) {
    it(program, async () => {
      for (const mcu of MCUS) {
        const r = await sramlab('exec', join(DIR, `${program}-${mcu}.elf`), '--mcu', mcu, '--max-cycles', '200k');
        expectAVerdict(r);
        const [status, line] = expected(mcu);
        expect({ mcu, status: r.status }).toEqual({ mcu, status });
        expect(r.err.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
        expect(r.err.trim()).toMatch(line);
      }
    });
  }

  it('the semihosting faults name the BKPT, the address and the region in --json', async () => {
    for (const mcu of MCUS) {
      const r = await sramlab('exec', join(DIR, `sh-write0-${mcu}.elf`), '--mcu', mcu, '--json');
      expect(r.status).toBe(1);
      const doc = JSON.parse(r.out);
      expect(doc.stop).toBe('fault');
      expect(doc.faults).toHaveLength(1);
      expect(doc.faults[0]).toMatchObject({
        kind: 'semihosting',
        address: 0x60000000,
        access: 'load',
        region: 'unmapped',
        disassembly: 'bkpt #171',
      });
    }
  });

  it('ARMv7-M sets HFSR.VECTTBL for a vector that cannot be read (--json keeps every fault on the way)', async () => {
    for (const mcu of MCUS.filter(V7)) {
      const doc = JSON.parse((await sramlab('exec', join(DIR, `vtor-unmapped-${mcu}.elf`), '--mcu', mcu, '--json')).out);
      expect(doc.stop).toBe('lockup');
      expect(doc.faults.map((f: { kind: string; exception?: string }) => `${f.kind}:${f.exception ?? ''}`)).toEqual([
        'undefined:UsageFault',
        'unmapped:HardFault',
        'lockup:',
      ]);
    }
  });
});

describe('hostile allocators through sramlab check, on every profile', () => {
  for (const [misdeed, expected] of Object.entries(MISDEEDS)) {
    it(misdeed, async () => {
      for (const mcu of MCUS) {
        const r = await sramlab('check', join(DIR, `alloc-${misdeed}-${mcu}.elf`), '--mcu', mcu, '--scenario', 'smoke', '--json');
        expectAVerdict(r);
        expect({ mcu, status: r.status }).toEqual({ mcu, status: 1 });
        const doc = JSON.parse(r.out);
        expect(doc.failed).toBe(1);
        expect(doc.scenarios[0].result.violation.message).toMatch(expected(mcu));
      }
    });
  }
});

describe('the binary itself', () => {
  it('exits 1 with one line for the semihosting example of issue 9 and for a check of a VTOR scribbler', async () => {
    const [exec, check] = await Promise.all([
      spawnSramlab('exec', join(DIR, 'sh-write0-cortex-m0.elf'), '--mcu', 'cortex-m0'),
      spawnSramlab('check', join(DIR, 'alloc-vtor-cortex-m3.elf'), '--mcu', 'cortex-m3', '--scenario', 'smoke'),
    ]);
    expect(exec.status).toBe(1);
    expect(exec.stderr.trim().split('\n')).toHaveLength(1);
    expect(exec.stderr).toMatch(/SYS_WRITE0: the string at 0x60000000 \(unmapped\)/);
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/FAIL smoke/);
    expect(check.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
