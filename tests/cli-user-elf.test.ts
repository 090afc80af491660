// A user's own ELF wherever an allocator name goes: run (--step, --show heap), trace, fuzz, map
// and compare (table, JSON, HTML), on a plain ABI image with no startup code — the example C
// allocator, copied to a folder whose name needs shell quoting. Facts come from binutils (nm)
// and from a second command, never from the code under test: the violating PC is the one a
// plain run reports, a trace's symbols are the functions nm puts around each PC, a map's heap
// is nm's __heap_start/__heap_end. Every printed replay is run again, split as sh splits it.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { invocation } from '../cli/common.ts';
import { sramlab, words } from './support/cli-in-process.ts';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(mkdtempSync(join(tmpdir(), 'sramlab-user-')), 'my allocs');
mkdirSync(DIR);
/** A correct bump allocator and one that writes past its heap (examples/c-allocator/bump.c, -DBROKEN_BOUNDS). */
const GOOD = join(DIR, 'bump.elf');
const BROKEN = join(DIR, 'broken.elf');
copyFileSync(join(ROOT, 'examples/c-allocator/bump-cortex-m0.elf'), GOOD);
copyFileSync(join(ROOT, 'examples/c-allocator/bump-broken-bounds-cortex-m0.elf'), BROKEN);
/** The same file name in another folder: a table could not tell the two apart. */
const TWIN = join(DIR, '..', 'bump.elf');
copyFileSync(GOOD, TWIN);
afterAll(() => rmSync(join(DIR, '..'), { recursive: true, force: true }));

/** Runs a replay printed in-process (it starts with `sramlab`), with --json added. */
async function replay(command: string) {
  const argv = words(command);
  expect(argv[0]).toBe('sramlab');
  const r = await sramlab(...argv.slice(1), '--json');
  return { status: r.status, doc: JSON.parse(r.out) };
}

const nmCache = new Map<string, Map<string, [number, number]>>();

/** Symbols of an ELF as nm gives them, with their sizes: name → [address, size]. */
function nm(elf: string): Map<string, [number, number]> {
  const known = nmCache.get(elf);
  if (known) return known;
  const syms = new Map<string, [number, number]>();
  nmCache.set(elf, syms);
  for (const l of execFileSync('arm-none-eabi-nm', ['-S', elf], { encoding: 'utf8' }).split('\n')) {
    const f = l.trim().split(/\s+/);
    if (f.length === 4) syms.set(f[3], [parseInt(f[0], 16), parseInt(f[1], 16)]);
    else if (f.length === 3) syms.set(f[2], [parseInt(f[0], 16), 0]);
  }
  return syms;
}

/** The function nm says holds an address (Thumb bit cleared). */
function functionAt(elf: string, pc: number): string | undefined {
  for (const [name, [a, size]] of nm(elf)) if (size > 0 && pc >= (a & ~1) && pc < (a & ~1) + size) return name;
  return undefined;
}

const verdict = (v: { rule: string; operation: number; message: string }) => ({ rule: v.rule, operation: v.operation, message: v.message });

describe('run on a user ELF', () => {
  it("--step draws the heap after every operation, each numbered, the first block inside nm's heap", async () => {
    const r = await sramlab('run', 'smoke', '--alloc', GOOD, '--heap', '1K', '--step', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.allocator).toBe('bump.elf');
    expect(doc.elf).toBe(GOOD);
    const steps: { description: string }[] = doc.heapView.steps;
    expect(steps.length).toBe(doc.operations);
    steps.forEach((s, i) => {
      expect(s.description).toMatch(new RegExp(`^op ${i + 1}: `));
    });
    const heapStart = nm(GOOD).get('__heap_start')![0];
    const first = /^op 1: alloc\(\d+, \d+\) → 0x([0-9a-f]+)$/.exec(steps[0].description);
    expect(first).not.toBeNull();
    const ptr = parseInt(first![1], 16);
    expect(ptr).toBeGreaterThanOrEqual(heapStart);
    expect(ptr).toBeLessThan(heapStart + 1024);

    const text = await sramlab('run', 'smoke', '--alloc', GOOD, '--heap', '1K', '--step');
    expect(text.out.match(/^── op \d+: /gm)!.length).toBe(doc.operations);
    expect(text.out).toMatch(/^PASS smoke · bump\.elf on cortex-m0 · heap 1024 B/m);
  });

  it('--show heap on a broken image: the rule, where it broke, and a replay that replays', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', BROKEN, '--show', 'heap');
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/^FAIL smoke · broken\.elf on cortex-m0/m);
    expect(r.out).toMatch(/^ {2}rule containment broken at operation \d+ \(alloc\)/m);
    expect(r.out).toMatch(/^── heap when rule containment broke, at operation \d+$/m);
    // The command follows its label, or (too wide for the screen) is alone on the next line.
    const line = /^ {2}replay:(?: |\n {4})(.*)$/m.exec(r.out)![1];
    expect(line).toContain(`--alloc '${BROKEN}'`);
    const json = JSON.parse((await sramlab('run', 'smoke', '--alloc', BROKEN, '--json')).out);
    expect(line).toBe(json.replay);
    // The PC is inside sl_alloc's code as nm sizes it.
    expect(functionAt(BROKEN, json.violation.pc)).toMatch(/^(sl_alloc|from_top)$/);
    const again = await replay(line);
    expect(again.status).toBe(1);
    expect(verdict(again.doc.violation)).toEqual(verdict(json.violation));
    expect(again.doc.violation.pc).toBe(json.violation.pc);
  });

  it('refuses what cannot run, in one line with status 2', async () => {
    for (const [argv, message] of [
      [['run', 'smoke', '--alloc', join(DIR, 'missing.elf')], /^sramlab: cannot read '.*missing\.elf': no such file\n$/],
      [['run', 'smoke', '--alloc', `${DIR}/`], /^sramlab: cannot read '.*': is a folder\n$/],
      [['run', 'no-cas', '--alloc', GOOD], /^sramlab: scenario 'no-cas' runs the project's own builds .*bump\.elf\n$/],
      [['run', 'smoke', '--alloc', GOOD, '--mcu', 'cortex-m3', '--heap', '99K'], /^sramlab: .*heap region.*\n$/],
      [['compare', '--alloc', `${GOOD},${TWIN}`], /would both be called 'bump\.elf'/],
      [['compare', '--alloc', `galloc,${GOOD}`, '--scenario', 'no-cas'], /^sramlab: scenario 'no-cas' cannot run on .*bump\.elf/],
      [['run', 'smoke', '--alloc', 'nope'], /unknown allocator 'nope' \(known: .*; or a path to your image/],
    ] as [string[], RegExp][]) {
      const r = await sramlab(...argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n').length).toBe(2);
    }
  });
});

describe('trace, fuzz and map on a user ELF', () => {
  it('trace: every access of the first operations is made by an allocator function nm places at its PC', async () => {
    const r = await sramlab('trace', 'smoke', '--alloc', GOOD, '--first', '3', '--json');
    expect(r.status).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const accesses = lines.filter((l) => l.type === 'access');
    expect(accesses.length).toBeGreaterThan(10);
    const [text0] = nm(GOOD).get('__alloc_text_start')!,
      [text1] = nm(GOOD).get('__alloc_text_end')!;
    for (const a of accesses) {
      expect(a.pc).toBeGreaterThanOrEqual(text0);
      expect(a.pc).toBeLessThan(text1);
      expect(a.symbol.replace(/\+0x[0-9a-f]+$/, '')).toBe(functionAt(GOOD, a.pc));
    }
    expect(lines.filter((l) => l.type === 'op' && l.phase === 'start').map((l) => l.op)).toEqual([1, 2, 3]);
  });

  it('fuzz --time finds the broken bound and prints a replay that breaks the same rule', async () => {
    const r = await sramlab('fuzz', '--alloc', BROKEN, '--time', '1s', '--json');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.violation.rule).toBe('containment');
    expect(doc.replay).toMatch(new RegExp(`^sramlab fuzz --alloc '${BROKEN}' --mcu cortex-m0 --heap 16384 --replay '`));
    const again = await replay(doc.replay);
    expect(again.status).toBe(1);
    expect(again.doc.violation.rule).toBe('containment');
  });

  it("map: --alloc takes the path; its heap band is nm's __heap_start to __heap_end", async () => {
    const r = await sramlab('map', '--alloc', GOOD, '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.image).toBe(GOOD);
    const heap = doc.bands.find((b: { kind: string }) => b.kind === 'heap');
    const syms = nm(GOOD);
    expect([heap.start, heap.end]).toEqual([syms.get('__heap_start')![0], syms.get('__heap_end')![0]]);
  });
});

describe('compare with a user ELF beside a built-in', () => {
  const argv = [
    'compare',
    '--alloc',
    `galloc,${BROKEN}`,
    '--mcu',
    'cortex-m0',
    '--scenario',
    'smoke,alignment',
    '--ops',
    '50',
    '--workers',
    '1',
  ];

  it('one table and one JSON document, the image by its file name, every failure replaying', async () => {
    const text = await sramlab(...argv);
    expect(text.status).toBe(1);
    expect(text.out).toMatch(/^galloc \/ cortex-m0 +✓ \d+ +✓ \d+/m);
    expect(text.out).toMatch(/^broken\.elf \/ cortex-m0 +✗ containment +✗ containment/m);

    const r = await sramlab(...argv, '--json');
    const doc = JSON.parse(r.out);
    expect(doc.results.map((x: { allocator: string; scenario: string }) => `${x.allocator}:${x.scenario}`)).toEqual([
      'galloc:smoke',
      'galloc:alignment',
      'broken.elf:smoke',
      'broken.elf:alignment',
    ]);
    const runAlone = JSON.parse((await sramlab('run', 'smoke', '--alloc', BROKEN, '--ops', '50', '--json')).out);
    const smoke = doc.results.find((x: { allocator: string; scenario: string }) => x.allocator === 'broken.elf' && x.scenario === 'smoke');
    expect(smoke.elf).toBe(BROKEN);
    expect(smoke.violation.pc).toBe(runAlone.violation.pc);
    for (const f of doc.results.filter((x: { ok: boolean }) => !x.ok)) {
      const again = await replay(f.replay);
      expect(again.status).toBe(1);
      expect(verdict(again.doc.violation)).toEqual(verdict(f.violation));
    }
  });

  it("--html: the image in the verdicts and heap maps by its file name, the page's command with its path", async () => {
    const file = join(DIR, 'report.html');
    const r = await sramlab(...argv, '--html', file, '--quiet');
    expect(r.status).toBe(1);
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('<tr data-allocator="broken.elf"><th scope="row" class="first">broken.elf</th>');
    expect(page).toContain('<svg class="heap-map" data-allocator="broken.elf"');
    const run = /Run again: <code>([^<]*)<\/code>/
      .exec(page)![1]
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    expect(words(run)).toEqual([
      'sramlab',
      'compare',
      '--alloc',
      `galloc,${BROKEN}`,
      '--mcu',
      'cortex-m0',
      '--scenario',
      'smoke,alignment',
      '--seed',
      '1',
      '--ops',
      '50',
      '--html',
      file,
    ]);
  });
});

describe('replay lines start the way sramlab was started', () => {
  it("the rule, from argv[1] and npm's environment", () => {
    expect(invocation('/p/node_modules/.bin/sramlab', { npm_command: 'exec' }, '/p')).toBe('npx sramlab');
    expect(invocation('/p/node_modules/.bin/sramlab', { npm_command: 'run' }, '/p')).toBe('npx sramlab');
    expect(invocation('/usr/local/bin/sramlab', { PATH: '/usr/bin:/usr/local/bin' }, '/p')).toBe('sramlab');
    expect(invocation('/p/node_modules/.bin/sramlab', { PATH: '/usr/bin' }, '/p')).toBe('node_modules/.bin/sramlab');
    expect(invocation('/p/bin/sramlab.js', { npm_command: 'exec' }, '/p')).toBe('node bin/sramlab.js');
    expect(invocation('/my tools/sramlab/bin/sramlab.js', {}, '/p')).toBe("node '/my tools/sramlab/bin/sramlab.js'");
    expect(invocation('/p/node_modules/vitest/vitest.mjs', {}, '/p')).toBe('sramlab');
  });

  // Spawned as a user runs it; the printed line is handed to sh as it is, from the same folder.
  const sh = (command: string) =>
    spawnSync('sh', ['-c', `${command} --json`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });

  it('node bin/sramlab.js check prints `node bin/sramlab.js check …` with the path quoted, and it replays', () => {
    const r = spawnSync(process.execPath, ['bin/sramlab.js', 'check', BROKEN, '--scenario', 'smoke', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    const s = JSON.parse(r.stdout).scenarios[0].result;
    expect(s.replay).toMatch(new RegExp(`^node bin/sramlab\\.js check '${BROKEN}' --mcu cortex-m0 --scenario smoke `));
    const again = sh(s.replay);
    expect(again.status).toBe(1);
    expect(verdict(JSON.parse(again.stdout).scenarios[0].result.violation)).toEqual(verdict(s.violation));
  }, 120_000);

  it('npx sramlab run prints `npx sramlab run …`, and it replays', () => {
    const r = spawnSync('npx', ['--yes', 'sramlab', 'run', 'smoke', '--alloc', BROKEN, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.replay).toMatch(new RegExp(`^npx sramlab run smoke --alloc '${BROKEN}' --mcu cortex-m0 `));
    const again = sh(doc.replay);
    expect(again.status).toBe(1);
    expect(verdict(JSON.parse(again.stdout).violation)).toEqual(verdict(doc.violation));
  }, 120_000);
});
