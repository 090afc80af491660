// The terminal view of `sramlab compare`: the full table (a column per scenario) when it fits the
// screen or --wide asks for it; otherwise one block per MCU profile, scenarios numbered as
// columns with a legend, so that 80 or 120 columns hold it. Pure: results and a width in,
// lines out.

import type { ScenarioResult } from '../scenarios/index.ts';
import { displayWidth, wrapWords } from './text-width.ts';

export interface CompareView {
  /** The scenarios in column order. */
  scenarios: string[];
  results: ScenarioResult[];
  /** Seconds the runs took. */
  secs: number;
  /** Columns of the screen. */
  width: number;
  /** The full table whatever the width. */
  wide?: boolean;
  /** How the user invoked sramlab ("npx sramlab"), for the hint under the table. */
  invocation: string;
  /** Colours: ok text green, failed red, headings bold (identity by default). */
  paint?: { ok(t: string): string; bad(t: string): string; bold(t: string): string; dim(t: string): string };
}

const PLAIN = { ok: (t: string) => t, bad: (t: string) => t, bold: (t: string) => t, dim: (t: string) => t };

export function renderCompare(v: CompareView): string[] {
  const full = fullTable(v);
  if (v.wide || full.every((l) => displayWidth(l) <= v.width)) return [...full, ...footer(v, v.wide ? Infinity : v.width)];
  return [...profileBlocks(v), ...footer(v, v.width)];
}

function fullCell(r: ScenarioResult): string {
  return r.ok && r.caught
    ? `✓ caught ${r.caught.rule}`
    : r.ok
      ? `✓ ${r.stats.alloc.cycles.median || ''}`.trimEnd()
      : `✗ ${r.violation!.rule}`;
}

/** One row per allocator / mcu, one column per scenario, columns as wide as what they hold. */
function fullTable(v: CompareView): string[] {
  const p = v.paint ?? PLAIN;
  const colWidth = Math.max(10, ...v.scenarios.map((s) => s.length), ...v.results.map((r) => fullCell(r).length)) + 1;
  const rows = new Map<string, ScenarioResult[]>();
  for (const r of v.results) {
    const key = `${r.allocator} / ${r.mcu}`;
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  const keyWidth = Math.max(28, ...[...rows.keys()].map((k) => k.length + 2));
  const lines = [p.bold('allocator / mcu'.padEnd(keyWidth)) + v.scenarios.map((s) => p.bold(s.padEnd(colWidth))).join('')];
  for (const [key, rs] of rows) {
    const cells = v.scenarios.map((sc) => {
      const r = rs.find((x) => x.scenario === sc)!;
      const padded = fullCell(r).padEnd(colWidth);
      return r.ok ? p.ok(padded) : p.bad(padded);
    });
    lines.push((key.padEnd(keyWidth) + cells.join('')).trimEnd());
  }
  lines.push(
    ...wrapWords(
      `✓ n: every check held; n = median alloc cycles. ✗ rule: the rule that broke.`.split(' '),
      v.wide ? Infinity : v.width,
    ).map((l) => p.dim(l)),
  );
  return lines;
}

/**
 * Per profile: a row per allocator, a column per scenario (numbered; the legend names them),
 * each cell as wide as the screen allows — the median alloc cycles and the rule's name when
 * 7 columns a cell fit, a mark alone otherwise — and under it every broken rule in words.
 */
function profileBlocks(v: CompareView): string[] {
  const p = v.paint ?? PLAIN;
  const mcus = [...new Set(v.results.map((r) => r.mcu))];
  const allocators = [...new Set(v.results.map((r) => r.allocator))];
  const keyWidth = Math.max(10, ...allocators.map((a) => a.length + 2), ...mcus.map((m) => m.length + 2));
  const n = v.scenarios.length;
  const cell = [7, 4, 3].find((w) => keyWidth + n * w <= v.width) ?? 3;
  const lines = wrapWords(['scenarios:', ...v.scenarios.map((s, i) => `${i + 1}\u00a0${s}`)], v.width, '  ').map((l) =>
    l.replaceAll('\u00a0', ' '),
  );
  lines.push(
    ...wrapWords(
      (cell >= 7
        ? '✓ n: every check held, n = median alloc cycles · ✓ c: the rule the scenario exists to catch was caught · ✗ rule: a rule broke (listed under the block)'
        : '✓ every check held · c the rule the scenario exists to catch was caught · ✗ a rule broke (listed under the block)'
      ).split(' '),
      v.width,
      '  ',
    ).map((l) => p.dim(l)),
  );
  for (const mcu of mcus) {
    lines.push('');
    lines.push(p.bold(mcu.padEnd(keyWidth) + v.scenarios.map((_, i) => String(i + 1).padStart(cell)).join('')));
    for (const a of allocators) {
      const rs = v.scenarios.map((sc) => v.results.find((r) => r.mcu === mcu && r.allocator === a && r.scenario === sc));
      if (rs.every((r) => r === undefined)) continue;
      const cells = rs.map((r) => {
        const t = r === undefined ? '' : compactCell(r, cell - 1).padStart(cell);
        return r === undefined ? ' '.repeat(cell) : r.ok ? p.ok(t) : p.bad(t);
      });
      lines.push((a.padEnd(keyWidth) + cells.join('')).trimEnd());
    }
    for (const a of allocators) {
      const broken = v.results.filter((r) => r.mcu === mcu && r.allocator === a && !r.ok);
      if (broken.length === 0) continue;
      const words = [`  ✗ ${a}:`, ...broken.map((r, i) => `${r.scenario}\u00a0(${r.violation!.rule})${i + 1 < broken.length ? ',' : ''}`)];
      lines.push(...wrapWords(words, v.width, '      ').map((l) => p.bad(l.replaceAll('\u00a0', ' '))));
    }
  }
  return lines;
}

/** A cell of at most `room` columns. */
function compactCell(r: ScenarioResult, room: number): string {
  if (room < 6) return r.ok && r.caught ? 'c' : r.ok ? '✓' : '✗';
  if (r.ok && r.caught) return '✓ c';
  if (r.ok) return `✓ ${r.stats.alloc.cycles.median || ''}`.trimEnd().slice(0, room);
  return `✗ ${r.violation!.rule}`.slice(0, room);
}

function footer(v: CompareView, width: number): string[] {
  const p = v.paint ?? PLAIN;
  const failed = v.results.filter((r) => !r.ok).length;
  return [
    ...wrapWords(
      `${v.invocation} run <scenario> --alloc A --mcu P shows one run; --json has each run's replay; --wide the full table.`.split(' '),
      width,
    ).map((l) => p.dim(l)),
    `${v.results.length} runs, ${failed} with a broken rule, in ${v.secs.toFixed(1)} s`,
  ];
}
