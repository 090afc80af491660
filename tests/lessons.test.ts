// The five lessons (docs/lessons/) cannot drift from the tool: each lesson's commands (its
// ```sh sramlab blocks) run in-process at 80 columns, piped (no terminal), and every line the
// lesson quotes (its ```text blocks, checked against the command before them) must be among
// the lines printed, in order. A quoted line "…" stands for lines left out; a line ending in
// "…" is the start of a printed line, one starting with "… " a part of one. Each lesson's
// playground preset names an MCU, allocator and scenario that exist, and the index and the
// README lead to every lesson.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../emulator/profiles.ts';
import { discoverAllocators } from '../firmware/allocators.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import { displayWidth, stripAnsi } from '../views/text-width.ts';
import { fencedBlocks, lessonCommands, lessonPreset } from '../web/lessons.ts';
import { sramlab, words } from './support/cli-in-process.ts';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'docs', 'lessons');
const LESSONS = readdirSync(DIR)
  .filter((f) => /^\d\d-.*\.md$/.test(f))
  .sort();

/**
 * The one kind of line allowed past 80 columns: a command alone on its line (a replay), which is
 * never broken so that it runs as pasted. Any other line past 80 columns fails the test.
 */
const NOT_WRAPPED = [/^ {4}(node \S*sramlab\.js|npx sramlab|sramlab) \S/];

/** Where a quoted chunk is missing from the output, or null when every chunk is there, in order. */
function missingQuote(quote: string[], printed: string[]): string | null {
  const matches = (q: string, line: string) => {
    if (q.startsWith('… ') && q.endsWith('…')) return line.includes(q.slice(2, -1).trimEnd());
    if (q.endsWith('…')) return line.startsWith(q.slice(0, -1));
    return line === q;
  };
  const chunks: string[][] = [[]];
  for (const q of quote) {
    if (q === '…') chunks.push([]);
    else chunks.at(-1)!.push(q);
  }
  let from = 0;
  for (const chunk of chunks.filter((c) => c.length > 0)) {
    let at = from;
    while (at + chunk.length <= printed.length && !chunk.every((q, k) => matches(q, printed[at + k]!))) at++;
    if (at + chunk.length > printed.length) return chunk.join('\n');
    from = at + chunk.length;
  }
  return null;
}

describe('the lessons', () => {
  // 80 columns, as a pipe: COLUMNS decides the width when stdout is no terminal.
  const saved = { columns: process.env.COLUMNS, tty: process.stdout.isTTY };
  beforeAll(() => {
    process.env.COLUMNS = '80';
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
  });
  afterAll(() => {
    if (saved.columns === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = saved.columns;
    Object.defineProperty(process.stdout, 'isTTY', { value: saved.tty, configurable: true });
  });

  it('are five, each linked from the index, and the index from the README', () => {
    expect(LESSONS).toHaveLength(5);
    const index = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const f of LESSONS) expect(index).toContain(`](${f})`);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/lessons/README.md)');
  });

  for (const file of LESSONS) {
    it(`${file}: its commands print every line it quotes, none wider than 80 columns`, async () => {
      const markdown = readFileSync(join(DIR, file), 'utf8');
      const blocks = fencedBlocks(markdown);
      expect(lessonCommands(markdown).length, 'a lesson runs at least one command').toBeGreaterThan(0);
      expect(blocks[0]?.info, 'the first block is a command').toBe('sh sramlab');
      let printed: string[] = [];
      let command = '';
      for (const block of blocks) {
        if (block.info === 'sh sramlab') {
          command = lessonCommands(`\`\`\`sh sramlab\n${block.lines.join('\n')}\n\`\`\``)[0]!;
          const r = await sramlab(...words(command));
          // 0: every check held (or the rule the scenario exists for caught it); 1: a rule broke, as a lesson may show.
          expect([0, 1], `${command}: ${r.err}`).toContain(r.status);
          expect(r.err, command).toBe('');
          printed = stripAnsi(r.out).split('\n');
          const wide = printed.filter((l) => displayWidth(l) > 80 && !NOT_WRAPPED.some((re) => re.test(l)));
          expect(wide, `${command}: lines wider than 80 columns`).toEqual([]);
        } else if (block.info === 'text') {
          for (const q of block.lines) expect(displayWidth(q), `${file} quotes a line wider than 80: ${q}`).toBeLessThanOrEqual(80);
          expect(missingQuote(block.lines, printed), `${file} quotes what '${command}' does not print`).toBeNull();
        }
      }
    });
  }

  it('each has a playground preset of an MCU, allocator and scenario that exist', () => {
    const allocators = discoverAllocators().map((a) => a.name);
    for (const file of LESSONS) {
      const p = lessonPreset(readFileSync(join(DIR, file), 'utf8'));
      expect(Object.keys(PROFILES), file).toContain(p.mcu);
      expect(allocators, file).toContain(p.alloc);
      expect(
        SCENARIOS.map((s) => s.name),
        file,
      ).toContain(p.scenario);
    }
  });

  it('finds a quote only where the tool printed it (the matcher itself)', () => {
    const printed = ['a', 'b', 'c long line', 'd'];
    expect(missingQuote(['a', 'b'], printed)).toBeNull();
    expect(missingQuote(['a', '…', 'd'], printed)).toBeNull();
    expect(missingQuote(['c long…', 'd'], printed)).toBeNull();
    expect(missingQuote(['… long …'], printed)).toBeNull();
    expect(missingQuote(['a', 'c long line'], printed)).toBe('a\nc long line'); // not consecutive
    expect(missingQuote(['d', '…', 'a'], printed)).toBe('a'); // out of order
    expect(missingQuote(['b '], printed)).toBe('b '); // exact, to the last space
  });
});
