// `sramlab demo`: the first command a learner types. At 80 columns it must show both runs, the
// heap and the stack, the broken rule with where it broke — the same PC, symbol, line and
// address as `run --json` of the same run reports — and the next commands to try.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_RUNS } from '../cli/demo.ts';
import { displayWidth } from '../views/text-width.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');

function sramlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

describe('sramlab demo', () => {
  const demo = sramlab(['demo'], { COLUMNS: '80' });
  const text = demo.stdout;
  const [good, bad] = DEMO_RUNS.map((d) =>
    JSON.parse(
      sramlab([
        'run',
        d.scenario,
        '--alloc',
        d.allocator,
        '--mcu',
        'cortex-m0',
        '--seed',
        String(d.seed),
        '--ops',
        String(d.ops),
        '--heap',
        String(d.heap),
        '--json',
      ]).stdout,
    ),
  );

  it('exits 0 (the demo went as it shows) with nothing on stderr, every line ≤ 80 columns', () => {
    expect(demo.status).toBe(0);
    expect(demo.stderr).toBe('');
    for (const l of text.split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(80);
  });

  it('the first run holds, with the figures run --json gives', () => {
    expect(good.ok).toBe(true);
    expect(text).toContain(`HOLDS: ${good.operations} operations, every check held; alloc median ${good.stats.alloc.cycles.median} cycles`);
  });

  it('the second is caught: its rule, operation, PC, symbol, source line and address as run --json says', () => {
    const v = bad.violation;
    expect(v.rule).toBe('blocks');
    expect(text).toContain(`CAUGHT: rule blocks broke at operation ${v.operation}`);
    expect(text).toContain(`at pc ${hex(v.pc)} ${v.symbol} ${v.source}, address ${hex(v.address)}`);
    // The block is drawn in the heap with the violation mark, in the row of its address.
    // 4 KiB at 0x20001000, 512 B a row (its title says so).
    expect(text).toContain('heap 0x20001000–0x20001fff, 4 KiB: 32 cells a row, 1 cell = 16 B, 1 row = 512 B');
    const rowStart = 0x20001000 + Math.floor((v.address - 0x20001000) / 512) * 512;
    const row = text.split('\n').find((l) => l.startsWith(`${hex(rowStart)} +`))!;
    const cells = row.split('│')[1]!;
    expect(cells[Math.floor((v.address - rowStart) / 16)]).toBe('!');
    // The message is said once, under CAUGHT, not also (in part) under the heap.
    const tail = v.message.split(' ').slice(-3).join(' ');
    expect(text.replace(/\n\s*/g, ' ').split(tail)).toHaveLength(2);
  });

  it('draws two heaps, each with the stack beside it: top, SP, peak, limit', () => {
    expect(text.match(/^heap 0x20001000–/gm)).toHaveLength(2);
    expect(text.match(/stack 4 KiB, grows down/g)).toHaveLength(2);
    expect(text).toMatch(/0x20008000 top ◄ SP/);
    expect(text).toContain(`◄ peak ${good.peakStackBytes} B`);
    expect(text.match(/0x20007000 limit/g)).toHaveLength(2);
  });

  it('ends with three commands to try, each one the CLI accepts', () => {
    const next = text
      .slice(text.indexOf('Next, try:'))
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l))
      .map((l) => l.trim());
    expect(next).toHaveLength(3);
    // The speed figure stays, as one line, last.
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^Speed: \d+ MIPS, every load and store checked \(freelist\.c, 50 M instructions\)$/);
    for (const cmd of next) {
      const args = cmd.split(' ').slice(2); // after "node bin/sramlab.js"
      expect(['run', 'compare', 'trace', 'map']).toContain(args[0]);
      expect(sramlab([args[0]!, '--help']).status).toBe(0);
    }
  });
});
