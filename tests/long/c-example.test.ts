// examples/c-allocator rebuilt by its build.sh with arm-none-eabi-gcc: the committed ELFs, which
// `npm test` checks with `sramlab check` (tests/check.test.ts), must be exactly what the source
// builds to. The compiler is required in CI; elsewhere the test skips without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'c-allocator');
const ELFS = ['bump-cortex-m0.elf', 'bump-cortex-m3.elf', 'bump-broken-overlap-cortex-m0.elf', 'bump-broken-bounds-cortex-m0.elf'];
const GCC = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-c-example-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the C example', () => {
  it('builds with arm-none-eabi-gcc (required in CI) to exactly the committed ELFs', (ctx) => {
    if (!GCC) {
      if (process.env.CI) expect.fail('arm-none-eabi-gcc is required in CI (apt-get install gcc-arm-none-eabi)');
      ctx.skip();
    }
    const r = spawnSync('sh', [join(EXAMPLE, 'build.sh'), tmp], { encoding: 'utf8' });
    expect(r.status, `examples/c-allocator/build.sh failed: ${r.stderr}`).toBe(0);
    for (const f of ELFS) {
      expect(
        Buffer.compare(readFileSync(join(tmp, f)), readFileSync(join(EXAMPLE, f))),
        `${f} differs from its source: run examples/c-allocator/build.sh`,
      ).toBe(0);
    }
  });
});
