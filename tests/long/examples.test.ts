// The multi-file example built and checked the way the docs say, in a copy laid out as a user's
// project (package.json, node_modules/sramlab as npm ci leaves it): the build and check lines of
// examples/ci/github-actions.yml and gitlab-ci.yml run as written, `run --step` and `trace` take
// the ELF by path and show mem.c's memcpy/memmove/memset as checked allocator code, a bug planted
// in memcpy is caught, and firmware/README.md's harness build links and passes.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseYaml, type Yaml } from '../support/mini-yaml.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'multi-file-allocator');
const GCC = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function needGcc(ctx: { skip: () => void }): void {
  if (GCC) return;
  if (process.env.CI) expect.fail('arm-none-eabi-gcc is required in CI (apt-get install gcc-arm-none-eabi)');
  ctx.skip();
}

/** A copy of the example as the root of a project that has run `npm ci` with sramlab in it. */
function project(name: string): string {
  const dir = join(tmp, name);
  const built = join(EXAMPLE, 'build'); // a local build, not part of the example
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => src !== built && !src.startsWith(`${built}/`) });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, devDependencies: { sramlab: 'git+https://example.invalid/sramlab.git' } }),
  );
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'sramlab'));
  symlinkSync('../sramlab/bin/sramlab.js', join(dir, 'node_modules', '.bin', 'sramlab'));
  return dir;
}

function sh(cwd: string, line: string) {
  const { CI: _, ...env } = process.env; // colours and progress as on a runner's log either way
  return spawnSync('sh', ['-ec', line], { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, maxBuffer: 256 << 20 });
}

/** The job's command lines, without the two that install (the compiler, and sramlab by npm ci). */
function jobLines(file: string): string[] {
  const doc = parseYaml(readFileSync(join(ROOT, 'examples', 'ci', file), 'utf8')) as { [k: string]: Yaml };
  const lines =
    file === 'github-actions.yml'
      ? (doc.jobs as { sramlab: { steps: { run?: string }[] } }).sramlab.steps.flatMap((s) => (s.run ? [s.run] : []))
      : (() => {
          const j = doc.sramlab as { before_script: string[]; script: string[] };
          return [...j.before_script, ...j.script];
        })();
  const installs = lines.filter((l) => /apt-get install|^npm ci$/.test(l));
  expect(installs).toHaveLength(2);
  return lines.filter((l) => !installs.includes(l));
}

/** testcase names and the suite's counts from a JUnit file. */
function junit(path: string) {
  const xml = readFileSync(path, 'utf8');
  const suite = /<testsuite [^>]*tests="(\d+)" failures="(\d+)"/.exec(xml)!;
  return {
    tests: Number(suite[1]),
    failures: Number(suite[2]),
    cases: [...xml.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]),
    xml,
  };
}

describe('examples/ci jobs on the multi-file example', () => {
  for (const file of ['github-actions.yml', 'gitlab-ci.yml']) {
    it(`${file}: its build and check lines run as written and the JUnit report says every scenario passed`, (ctx) => {
      needGcc(ctx);
      const dir = project(file.replace('.yml', ''));
      for (const line of jobLines(file)) {
        const r = sh(dir, line);
        expect(r.status, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
      }
      const report = junit(join(dir, 'sramlab.xml'));
      expect(report.failures).toBe(0);
      expect(report.cases).toHaveLength(report.tests);
      expect(report.cases).toEqual(expect.arrayContaining(['smoke', 'random-actions', 'alignment', 'isr-reentrancy', 'fill-and-drain']));
    });
  }
});

describe('the multi-file example, beyond check', () => {
  it('builds for the Cortex-M3 too and passes there', (ctx) => {
    needGcc(ctx);
    const dir = project('m3');
    const r = sh(dir, './build.sh cortex-m3 && npx sramlab check build/fw.elf --mcu cortex-m3');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\d+ scenarios: (\d+) passed, 0 failed/);
  });

  it('run --step and trace take ./build/fw.elf; trace shows mem.c as checked allocator code', (ctx) => {
    needGcc(ctx);
    const dir = project('run-trace');
    expect(sh(dir, './build.sh').status).toBe(0);
    const step = sh(dir, 'npx sramlab run smoke --alloc ./build/fw.elf --step');
    expect(step.status, step.stderr).toBe(0);
    expect(step.stdout).toMatch(/── op 1: alloc\(1, 1\) → 0x2000/);
    expect(step.stdout).toMatch(/live 1 B in 1 block/);
    // sl_init clears the bins with memset; random-actions' reallocs copy with memcpy and move
    // down with memmove (realloc.c), which hands a downward move to memcpy after saving its
    // registers. Each is traced with its source line in mem.c.
    const init = sh(dir, 'npx sramlab trace smoke --alloc ./build/fw.elf --op 0');
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/memset\+0x[0-9a-f]+\s+mem\.c:\d+\s+store 1/);
    const ops = sh(dir, 'npx sramlab trace random-actions --alloc ./build/fw.elf --ops 200 --first 200');
    expect(ops.status, ops.stderr).toBe(0);
    expect(ops.stdout).toMatch(/memcpy\+0x[0-9a-f]+\s+mem\.c:\d+\s+store 4/);
    expect(ops.stdout).toMatch(/memmove(\+0x[0-9a-f]+)?\s+mem\.c:\d+\s+/);
  });

  it('a memcpy that drops the last word is caught by the contents rule, in mem.c', (ctx) => {
    needGcc(ctx);
    const dir = project('broken-memcpy');
    const mem = join(dir, 'mem.c');
    const src = readFileSync(mem, 'utf8');
    expect(src).toContain('for (size_t i = 0; i < n / 4; i++) d[i] = s[i];');
    writeFileSync(
      mem,
      src.replace('for (size_t i = 0; i < n / 4; i++) d[i] = s[i];', 'for (size_t i = 0; i + 1 < n / 4; i++) d[i] = s[i];'),
    );
    const r = sh(dir, './build.sh && npx sramlab check build/fw.elf --mcu cortex-m0 --junit sramlab.xml || echo "exit $?"');
    expect(r.stdout).toMatch(/exit 1\n$/);
    const report = junit(join(dir, 'sramlab.xml'));
    expect(report.failures).toBeGreaterThan(0);
    expect(report.xml).toMatch(/<failure message="[^"]*" type="contents"/);
  });
});

describe("firmware/README.md's harness build", () => {
  it('runs as written on the multi-file example and the image passes check from its reset handler', (ctx) => {
    needGcc(ctx);
    const readme = readFileSync(join(ROOT, 'firmware', 'README.md'), 'utf8');
    const at = readme.indexOf("**With this folder's startup and harness**");
    expect(at).toBeGreaterThan(0);
    const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    const dir = project('harness');
    const build = sh(dir, block);
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const r = sh(dir, 'npx sramlab check build/fw-harness.elf --mcu cortex-m0');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/from its reset handler/);
    expect(r.stdout).toMatch(/isr-reentrancy/);
  });
});
