// The benchmark's IT-heavy workload (bench/firmware/tlsf.c, built by bench/firmware/build.sh):
// its bench_main on sramlab returns the checksum that the same C source returns compiled for
// the host with gcc and run natively (a different compiler and instruction set: the reference),
// and it stays IT-heavy, the reason it is in the bench. bench/it-share.ts, which measures that,
// is checked on a hand-assembled IT block first. Runs are shortened through bench_iterations.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { itShare, measureIt } from '../bench/it-share.ts';
import { makeExecutor } from '../emulator/executors.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const SOURCE = fileURLToPath(new URL('../bench/firmware/tlsf.c', import.meta.url));
const ELF = readFileSync(new URL('../bench/firmware/tlsf-m3.elf', import.meta.url));
const ITERATIONS = 10_000;

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-bench-firmware-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** tlsf.c built and run natively: its main prints "tlsf: iterations=N checksum=XXXXXXXX errors=E". */
function hostRun(iterations: number): { checksum: number; errors: number } {
  // The firmware's semihosting calls, as stdio.
  writeFileSync(
    join(tmp, 'semihost.h'),
    [
      '#include <stdint.h>',
      '#include <stdio.h>',
      'static inline void sh_putc(char c) { putchar(c); }',
      'static inline void sh_puts(const char *s) { fputs(s, stdout); }',
      'static inline void sh_hex(uint32_t v) { printf("%08x", (unsigned)v); }',
      'static inline void sh_dec(uint32_t v) { printf("%u", (unsigned)v); }',
      '',
    ].join('\n'),
  );
  const exe = join(tmp, 'tlsf');
  const cc = spawnSync('gcc', ['-O2', '-std=c11', `-DBENCH_ITERATIONS=${iterations}u`, `-I${tmp}`, SOURCE, '-o', exe], {
    encoding: 'utf8',
  });
  if (cc.error) throw new Error(`host gcc is needed for this reference (Debian: apt-get install gcc): ${cc.error.message}`);
  expect(cc.status, cc.stderr).toBe(0);
  const run = spawnSync(exe, { encoding: 'utf8' });
  const m = /checksum=([0-9a-f]{8}) errors=(\d+)/.exec(run.stdout);
  expect(m, run.stdout + run.stderr).not.toBeNull();
  return { checksum: Number.parseInt(m![1], 16), errors: Number(m![2]) };
}

describe('tlsf-m3.elf, the IT-heavy bench workload', () => {
  it('returns the checksum the same source returns on the host, with no errors', () => {
    const host = hostRun(ITERATIONS);
    expect(host.errors).toBe(0);
    const m = new Machine(getProfile('cortex-m3'));
    m.cpu.executor = makeExecutor('interpreter');
    m.loadElf(ELF);
    m.reset();
    m.bus.poke32(m.symbol('bench_iterations')!, ITERATIONS);
    const r = m.call('bench_main', [], { maxCycles: 1e9 });
    expect(r.stop).toBe('returned');
    expect(r.r0 >>> 0).toBe(host.checksum);
    expect(m.bus.peek32(m.symbol('bench_errors')!)).toBe(0);
    expect(r.instructions).toBeGreaterThan(2_000_000); // the loop really ran
  });

  it('counts an IT block by hand: CMP; ITE EQ; MOV; MOV; BX is one IT and two instructions inside it', () => {
    const m = new Machine(getProfile('cortex-m3'));
    // cmp r0, r1 / ite eq (firstcond 0000, mask 1100) / moveq r0, #1 / movne r0, #2 / bx lr
    const code = [0x4288, 0xbf0c, 0x2001, 0x2002, 0x4770];
    m.bus.load(0x100, new Uint8Array(new Uint16Array(code).buffer));
    const s = measureIt(m, 0x101, 0x2000_1000);
    expect([s.instructions, s.it, s.inside, s.checksum]).toEqual([5, 1, 2, 1]); // r0 = r1 = 0: EQ
    expect(s.kinds.find(([k]) => k === 'IT')?.[1]).toBe(1);
  });

  it('stays IT-heavy: at least a quarter of what bench_main executes is IT or inside IT blocks (segfit: 8%)', () => {
    const s = itShare('cortex-m3', ELF, ITERATIONS);
    expect((s.it + s.inside) / s.instructions).toBeGreaterThanOrEqual(0.25);
    // Not only the fill and read-back loops: the allocator's own functions have IT blocks too.
    for (const name of ['tlsf_alloc', 'link_free', 'unlink_free']) {
      const f = s.functions.find((x) => x.name === name);
      expect(f?.itRelated, name).toBeGreaterThan(0.1 * f!.instructions);
    }
  });
});
