// examples/rust-allocator built by its build.sh with Debian 12's own Rust toolchain (rustc 1.63,
// rust-src, Debian's compiler_builtins source; offline, no rustup target) for thumbv6m and
// thumbv7m, then `sramlab check`ed on the Cortex-M0 and the Cortex-M3. The toolchain is
// required in CI (process.env.CI: its absence fails every test here); elsewhere the tests skip
// without it. No ELF of the example is committed, so nothing runs without the toolchain.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { AllocatorImage } from '../../runners/image.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sramlab.js');
const EXAMPLE = join(ROOT, 'examples', 'rust-allocator');
const BUILD = join(EXAMPLE, 'build.sh');
/** What `sramlab check` runs on an image without the harness (cli/check.ts). */
const DEFAULT_SCENARIOS = [
  'smoke',
  'random-actions',
  'heap-exhaustion',
  'chunk-bench',
  'vec-growth',
  'fragmentation',
  'alignment',
  'zero-size',
  'contract-edges',
  'isr-reentrancy',
  'fill-and-drain',
];

/** build.sh --check: exit 0 with the whole toolchain, else 2 and the apt-get line for what is missing. */
const probe = spawnSync('sh', [BUILD, '--check'], { encoding: 'utf8' });
const missing = probe.status === 0 ? null : (probe.stderr || probe.error?.message || 'build.sh --check failed').trim();

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-rust-'));
const out = join(tmp, 'out');
const elf = (profile: string) => join(out, `rust-allocator-${profile}.elf`);
let built: { status: number | null; log: string; seconds: number } | null = null;

function needToolchain(ctx: TestContext) {
  if (missing) {
    if (process.env.CI) expect.fail(`the Rust example's toolchain is required in CI: ${missing}`);
    ctx.skip();
  }
  expect(built?.status, `examples/rust-allocator/build.sh failed:\n${built?.log}`).toBe(0);
}

function sramlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (missing) return;
  // A fresh cargo target dir: the sysroot (core, alloc, compiler_builtins) and the crate are
  // built from scratch, for both targets, as in CI.
  const t0 = performance.now();
  const r = spawnSync('sh', [BUILD, out], {
    encoding: 'utf8',
    env: { ...process.env, CARGO_TARGET_DIR: join(tmp, 'target'), CARGO_TERM_COLOR: 'never' },
  });
  built = { status: r.status, log: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`, seconds: (performance.now() - t0) / 1000 };
}, 900_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the Rust example, built offline with Debian 12 rustc', () => {
  it('builds for thumbv6m-none-eabi and thumbv7m-none-eabi into images with the sramlab ABI and no vector table', (ctx) => {
    needToolchain(ctx);
    for (const profile of ['cortex-m0', 'cortex-m3']) {
      const img = AllocatorImage.fromElf(readFileSync(elf(profile)), profile, { boot: 'auto' });
      expect(img.boot).toBe('segments');
      const [textStart, textEnd] = [img.address('__alloc_text_start'), img.address('__alloc_text_end')];
      for (const sym of ['sl_init', 'sl_alloc', 'sl_dealloc', 'sl_realloc']) {
        expect(img.address(sym), sym).toBeGreaterThanOrEqual(textStart);
        expect(img.address(sym), sym).toBeLessThan(textEnd);
      }
      // memory.x: a 20 KiB heap array on a page, the stack from its end to the top of 32 KiB of RAM.
      expect([img.address('__heap_start') % 4096, img.address('__heap_end') - img.address('__heap_start')]).toEqual([0, 20 * 1024]);
      expect([img.address('__stack_limit'), img.address('__stack_top')]).toEqual([img.address('__heap_end'), 0x2000_8000]);
    }
  });

  for (const [profile, target] of [
    ['cortex-m0', 'thumbv6m-none-eabi'],
    ['cortex-m3', 'thumbv7m-none-eabi'],
  ]) {
    it(`passes every default scenario of sramlab check on the ${profile} (${target})`, (ctx) => {
      needToolchain(ctx);
      const r = sramlab('check', elf(profile), '--mcu', profile, '--json');
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout);
      const failed = report.scenarios.filter((s: { ok: boolean }) => !s.ok);
      expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
      expect(report.scenarios.map((s: { name: string }) => s.name)).toEqual(DEFAULT_SCENARIOS);
      expect(report).toMatchObject({ ok: true, passed: DEFAULT_SCENARIOS.length, failed: 0, image: { boot: 'segments' } });
      expect(r.status).toBe(0);
    });
  }

  it('has its stack where the linker script says: stack-collision is caught by the stack rule', (ctx) => {
    needToolchain(ctx);
    const r = sramlab('check', elf('cortex-m0'), '--mcu', 'cortex-m0', '--scenario', 'stack-collision', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).scenarios[0].result.caught).toMatchObject({ rule: 'stack', symbol: 'sl_alloc' });
  });

  it("passes the allocator's host unit tests (cargo test --lib) with the same toolchain", (ctx) => {
    needToolchain(ctx);
    const host = /^host: (\S+)$/m.exec(spawnSync('/usr/bin/rustc', ['-vV'], { encoding: 'utf8' }).stdout ?? '')?.[1];
    expect(host).toBeTruthy();
    const r = spawnSync(process.env.CARGO ?? '/usr/bin/cargo', ['test', '--offline', '--lib', '--target', host!], {
      cwd: EXAMPLE,
      encoding: 'utf8',
      env: {
        ...process.env,
        RUSTC: process.env.RUSTC ?? '/usr/bin/rustc',
        CARGO_TARGET_DIR: join(tmp, 'target'),
        CARGO_TERM_COLOR: 'never',
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test result: ok\. 3 passed; 0 failed/);
  });
});
