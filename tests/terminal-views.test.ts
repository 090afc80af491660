// Terminal views at 80 and 120 columns: every line fits (display width, ANSI codes not counted),
// and what the compact layout drops from the full table is still said in words.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../runners/compare.ts';
import { renderCompare } from '../views/compare-table.ts';
import { displayWidth, terminalColumns, wrapWords } from '../views/text-width.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');

function sramlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('displayWidth and terminalColumns', () => {
  it('counts code points, not bytes or colour codes', () => {
    expect(displayWidth('\x1b[32m✓ 396\x1b[39m')).toBe(5);
    expect(displayWidth('0x20001000 +00000 │ab│')).toBe(22);
  });
  it("a terminal's own width; piped, COLUMNS or 80", () => {
    expect(terminalColumns({ isTTY: true, columns: 132 }, { COLUMNS: '80' })).toBe(132);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: '100' })).toBe(100);
    expect(terminalColumns({ isTTY: false }, {})).toBe(80);
    expect(terminalColumns({ isTTY: false }, { COLUMNS: 'wide' })).toBe(80);
  });
  it('wrapWords keeps every line within the width', () => {
    const lines = wrapWords('the quick brown fox jumps over the lazy dog'.split(' '), 12, '  ');
    expect(lines).toEqual(['the quick', '  brown fox', '  jumps over', '  the lazy', '  dog']);
  });
});

describe('sramlab compare fits the screen', () => {
  const args = [
    'compare',
    '--alloc',
    'galloc,basic,galloc-upstream',
    '--mcu',
    'cortex-m0,cortex-m3',
    '--ops',
    '60',
    '--quiet',
    '--workers',
    '2',
  ];
  const json = JSON.parse(sramlab([...args, '--json']).stdout) as CompareReport;
  const scenarios = [...new Set(json.results.map((r) => r.scenario))];
  const broken = json.results.filter((r) => !r.ok);

  it('the runs have broken rules to show (else this test shows nothing)', () => {
    expect(broken.length).toBeGreaterThan(3);
    expect(scenarios.length).toBeGreaterThan(10);
  });

  // The real command prints the 80-column layout; 120 columns and --wide are the same view
  // (views/compare-table.ts) laid out from the same results, without two more full runs.
  const text80 = sramlab(args, { COLUMNS: '80' });
  const laidOut = (width: number, wide: boolean) =>
    renderCompare({ scenarios, results: json.results, secs: 1, wide, width, invocation: 'sramlab' }).join('\n');

  for (const width of [80, 120]) {
    it(`at ${width} columns: every line ≤ ${width}, every scenario named, every broken rule said under its profile`, () => {
      const out = width === 80 ? text80.stdout : laidOut(width, false);
      if (width === 80) expect(text80.status).toBe(1);
      const lines = out.trimEnd().split('\n');
      for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(width);
      const text = lines.join('\n');
      scenarios.forEach((s, i) => {
        expect(text).toContain(`${i + 1} ${s}`);
      });
      for (const mcu of ['cortex-m0', 'cortex-m3']) {
        const block = text
          .slice(text.indexOf(`\n${mcu}`), mcu === 'cortex-m0' ? text.indexOf('\ncortex-m3') : undefined)
          .replace(/\n\s+/g, ' ');
        for (const b of broken.filter((x) => x.mcu === mcu))
          expect(block).toMatch(new RegExp(`✗ ${b.allocator}:[^✗]*${b.scenario} \\(${b.violation!.rule}\\)`));
      }
      expect(text).toContain(`${json.results.length} runs, ${broken.length} with a broken rule`);
    });
  }

  it('--wide prints the full table: a column per scenario, a row per allocator / mcu, wider than 120', () => {
    const lines = laidOut(80, true).split('\n');
    const head = lines[0]!;
    for (const s of scenarios) expect(head).toContain(s);
    expect(displayWidth(head)).toBeGreaterThan(120);
    const galloc = lines.find((l) => l.startsWith('galloc / cortex-m0'))!;
    const smoke = json.results.find((x) => x.allocator === 'galloc' && x.mcu === 'cortex-m0' && x.scenario === 'smoke')!;
    expect(galloc).toContain(`✓ ${smoke.stats.alloc.cycles.median}`);
  });
});

describe('run isr-reentrancy explains a deadlock in a few lines', () => {
  it('who holds the lock, which PC spins, why it never ends, what works instead — the facts as --json has them', () => {
    const args = ['run', 'isr-reentrancy', '--alloc', 'linked-list', '--mcu', 'cortex-m0'];
    const r = sramlab(args, { COLUMNS: '80' });
    const v = JSON.parse(sramlab([...args, '--json']).stdout).violation;
    expect(r.status).toBe(1);
    expect(v.rule).toBe('liveness');
    const start = r.stdout.indexOf('Why this is a deadlock:');
    expect(start).toBeGreaterThan(0);
    const lines = r.stdout.slice(start).split('\n');
    const why = lines
      .slice(
        0,
        lines.findIndex((l) => /^ {2}alloc /.test(l)),
      )
      .join('\n');
    for (const l of why.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    const flat = why.replace(/\n\s+/g, ' ');
    const resumed = /interrupted at (0x[0-9a-f]{8} \([^)]+\))/.exec(v.message)![1]!;
    expect(flat).toContain(
      `Who holds the lock: operation ${v.operation}, the thread-mode sl_alloc(64, 8). It took the allocator's lock, and IRQ 0 interrupted it at ${resumed}.`,
    );
    expect(flat).toContain(
      `Who spins: IRQ 0's handler calls sl_alloc(32, 4), which waits for that lock at 0x${v.pc.toString(16).padStart(8, '0')} ${v.symbol} ${v.source}.`,
    );
    expect(flat).toMatch(/Why it never ends: the handler runs at a higher priority than thread mode/);
    expect(flat).toMatch(/What works instead: an allocator that masks interrupts \(PRIMASK\).*lock-free/);
  });

  it('is not printed when the allocator passes, nor for another rule', () => {
    expect(sramlab(['run', 'isr-reentrancy', '--alloc', 'slab']).stdout).not.toContain('Why this is a deadlock');
    const other = sramlab(['run', 'smoke', '--alloc', 'emballoc']);
    expect(other.status).toBe(1);
    expect(other.stdout).not.toContain('Why this is a deadlock');
  });
});
