// The whole hostile-firmware corpus (tests/hostile/) through the binary, as a user runs it:
// every program with `sramlab exec` and every allocator with `sramlab check` (all scenarios),
// on every profile. tests/hostile.test.ts runs the same images in-process in `npm test`; this
// adds the process boundary (exit status, stderr) for all 96 of them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MCUS, MISDEEDS, PROGRAMS } from '../hostile/expected.ts';
import { spawnSramlab } from '../support/cli-spawn.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'tests', 'hostile');

const sramlab = spawnSramlab;

/** Runs the jobs two at a time (the machine has two cores). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

describe('the hostile corpus through bin/sramlab.js', () => {
  it('every program, with sramlab exec, on every profile', async () => {
    const cases = Object.keys(PROGRAMS).flatMap((p) => MCUS.map((mcu) => ({ p, mcu })));
    const runs = await inPairs(
      cases.map(
        ({ p, mcu }) =>
          () =>
            sramlab('exec', join(DIR, `${p}-${mcu}.elf`), '--mcu', mcu, '--max-cycles', '200k'),
      ),
    );
    cases.forEach(({ p, mcu }, i) => {
      const [status, line] = PROGRAMS[p](mcu);
      const r = runs[i];
      expect({ p, mcu, status: r.status }).toEqual({ p, mcu, status });
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
      expect(r.stderr.trim()).toMatch(line);
    });
  }, 600_000);

  it('every allocator, with sramlab check and all its scenarios, on every profile', async () => {
    const cases = Object.keys(MISDEEDS).flatMap((m) => MCUS.map((mcu) => ({ m, mcu })));
    const runs = await inPairs(
      cases.map(
        ({ m, mcu }) =>
          () =>
            sramlab('check', join(DIR, `alloc-${m}-${mcu}.elf`), '--mcu', mcu, '--json'),
      ),
    );
    cases.forEach(({ m, mcu }, i) => {
      const r = runs[i];
      expect({ m, mcu, status: r.status }).toEqual({ m, mcu, status: 1 });
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      const doc = JSON.parse(r.stdout);
      expect(doc.passed).toBe(0);
      for (const s of doc.scenarios) expect(s.result.violation.message).toMatch(MISDEEDS[m](mcu));
    });
  }, 900_000);
});
