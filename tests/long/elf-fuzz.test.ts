// The mutated-ELF fuzzer at size: `npm run fuzz:elf` itself, on worker threads with its hang
// watchdog, over 10,000 cases of a fixed seed (npm test runs 200 in-process: tests/elf-fuzz.test.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const COUNT = 10_000;

describe('npm run fuzz:elf', () => {
  it(`${COUNT.toLocaleString('en')} mutated images through exec and check: no crash, no hang`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fuzz', 'elf.ts'), '--count', String(COUNT), '--seed', '424242'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`seed 424242: ${COUNT} cases`);
    const all = /^all\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(r.stdout);
    expect(all, r.stdout).not.toBeNull();
    const [ok, fault, status, refused, crash, hang] = all!.slice(1).map(Number);
    expect([crash, hang]).toEqual([0, 0]);
    expect(ok + fault + status + refused).toBe(COUNT);
  });

  it('refuses a bad argument in one line, exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fuzz', 'elf.ts'), '--count', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
