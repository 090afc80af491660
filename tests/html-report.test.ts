// The HTML report of `sramlab compare --html`: written by the CLI for a small compare, and
// rendered from a real compare of every scenario on two allocators × three profiles, opened in
// a real headless Chromium (playwright-core, Debian's chromium) at 1400 and 1000 pixels: no
// table or cell clipped, the profiles that agree shown once, microseconds that are the cycles
// over the clock of the part each profile names, no 0 % utilisation for a run that cannot have
// one, a legend for every colour, nothing fetched; and, without a browser, that the markup
// nests properly and no data string turns into markup.
//
// Without Chromium the browser tests are skipped on a developer's machine and fail in CI
// (CI sets CI=true), so a CI image that lost the package cannot pass silently.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpKind, SessionViolation } from '../checks/session.ts';
import { type HeapMapView, heapMapView, heapMapViews } from '../report/heap-maps.ts';
import { renderCompareHtml } from '../report/html.ts';
import { verdictOf } from '../report/verdicts.ts';
import { type CompareReport, compare } from '../runners/compare.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from './support/chromium.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');

/** The CLI's compare: small, for what only the CLI does (the file by a rename, bad paths). */
const CLI_ALLOCATORS = ['galloc', 'emballoc'];
const CLI_MCUS = ['cortex-m0', 'cortex-m3'];
const CLI_SCENARIOS = ['smoke', 'fragmentation', 'fill-and-drain'];

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-html-'));
// SRAMLAB_KEEP_REPORT=1 keeps the pages and screenshots, to look at them.
afterAll(() => {
  if (!process.env.SRAMLAB_KEEP_REPORT) rmSync(tmp, { recursive: true, force: true });
});

function sramlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report of the small compare, written once by the CLI as a user would. */
let reportPath = '';
function reportFile(): string {
  if (reportPath) return reportPath;
  const path = join(tmp, 'report.html');
  const r = sramlab(
    'compare',
    '--alloc',
    CLI_ALLOCATORS.join(','),
    '--mcu',
    CLI_MCUS.join(','),
    '--scenario',
    CLI_SCENARIOS.join(','),
    '--workers',
    '2',
    '--quiet',
    '--html',
    path,
  );
  // emballoc does not merge free neighbours: fragmentation and fill-and-drain break the leak rule.
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  reportPath = path;
  return path;
}

// ---- well-formedness, without a browser ---------------------------------------------------

/** Elements HTML never closes. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Checks that every element opened is closed, in order: a stack over the tags, skipping the
 * doctype, void elements, self-closing SVG elements and the text of <style>. Returns the
 * problems found (none when the nesting holds) and the element names seen.
 */
function nesting(page: string): { problems: string[]; seen: Set<string> } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const stack: string[] = [];
  const text = page.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>').replace(/^<!DOCTYPE html>/i, '');
  for (const m of text.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const [, close, rawName, rest] = m;
    const name = rawName!.toLowerCase();
    seen.add(name);
    if (close) {
      const top = stack.pop();
      if (top !== name) problems.push(`</${name}> at ${m.index} closes <${top ?? 'nothing'}>`);
    } else if (!VOID.has(name) && !rest!.trimEnd().endsWith('/')) {
      stack.push(name);
    }
  }
  if (stack.length) problems.push(`never closed: ${stack.join(' > ')}`);
  return { problems, seen };
}

/** Text that would be markup if a data string reached the page unescaped. */
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted'`;

describe('the HTML report, as text', () => {
  let report: CompareReport;
  let maps: HeapMapView[];

  beforeAll(async () => {
    report = await compare({
      allocators: ['galloc', 'emballoc'],
      mcus: ['cortex-m0'],
      scenarios: ['smoke', 'fill-and-drain'],
      seed: 1,
      ops: 200,
      workers: 1,
    });
    maps = [heapMapView('fragmentation', 'galloc', 'cortex-m0', { seed: 1, ops: 200 })];
  });

  it('nests every element it opens, and has the main structure', () => {
    const { problems, seen } = nesting(renderCompareHtml(report, maps));
    expect(problems).toEqual([]);
    for (const el of ['html', 'head', 'body', 'main', 'section', 'table', 'thead', 'tbody', 'svg', 'figure', 'details'])
      expect(seen).toContain(el);
  });

  it('escapes every string from the data, wherever it lands', () => {
    const hostile: CompareReport = {
      ...report,
      results: report.results.map((r) => ({
        ...r,
        allocator: `${r.allocator}${HOSTILE}`,
        scenario: `${r.scenario}${HOSTILE}`,
        replay: HOSTILE,
        violation: r.violation && { ...r.violation, message: HOSTILE, symbol: HOSTILE },
      })),
    };
    const m = maps[0]!;
    const hostileMap: HeapMapView = {
      ...m,
      allocator: HOSTILE,
      moment: HOSTILE,
      map: { ...m.map!, spans: m.map!.spans.map((s) => ({ ...s, label: HOSTILE })), violation: { rule: HOSTILE, message: HOSTILE } },
    };
    const page = renderCompareHtml(hostile, [hostileMap]);
    expect(page).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(nesting(page).problems).toEqual([]);
  });

  it('is self-contained and the same for the same results', () => {
    const page = renderCompareHtml(report, maps);
    // Links go to fragments of the page; nothing is loaded from anywhere.
    for (const m of page.matchAll(/\b(?:href|src|xlink:href)="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
    expect(page).not.toMatch(/<script|<link|@import|url\(/i);
    expect(renderCompareHtml(report, maps)).toBe(page);
  });
});

describe('which runs are the same finding', () => {
  // Hand-made runs in the shapes the rules report (scenarios/isr-reentrancy.ts, checkers.ts, session.ts).
  const run = (mcu: string, violation: SessionViolation) => ({ ok: false, mcu, violation }) as unknown as ScenarioResult;
  const deadlock = (pc: number, sym: string, resume: string): SessionViolation => ({
    operation: 7,
    rule: 'liveness',
    kind: 'alloc',
    pc,
    symbol: sym,
    source: 'lock.h:63',
    message: `deadlock: IRQ 0's sl_alloc spins at 0x${pc.toString(16).padStart(8, '0')} (${sym}) and never returns; the thread-mode sl_alloc it interrupted at ${resume} cannot run again until it does`,
  });
  const key = (r: ScenarioResult) => verdictOf(r).key;

  it('is one deadlock though each build spins and was interrupted at its own PC and symbol+offset', () => {
    const m0 = run('cortex-m0', deadlock(0xec, 'emballoc_alloc+0x2c', '0x00000150 (emballoc_alloc+0x90)'));
    const m3 = run('cortex-m3', deadlock(0xf4, 'emballoc_alloc+0x34', '0x00000148 (emballoc_alloc+0x88)'));
    expect(key(m0)).toBe(key(m3));
  });

  it("is one stack overflow though each build's SP fell to its own address", () => {
    const sp = (mcu: string, at: number) =>
      run(mcu, {
        operation: 3,
        rule: 'stack',
        kind: 'alloc',
        pc: 0x100,
        address: at,
        size: 0,
        access: 'sp',
        message: `SP fell to 0x${at.toString(16)}, below the stack limit 0x20007000`,
      });
    expect(key(sp('cortex-m0', 0x20006ff0))).toBe(key(sp('cortex-m3', 0x20006fe8)));
  });

  it('is two findings when the blocks differ, in the violation or only in its message', () => {
    const blocks = (at: number) =>
      run('cortex-m0', {
        operation: 9,
        rule: 'blocks',
        kind: 'alloc',
        address: at,
        size: 8,
        pc: 0x868,
        message: `alloc(size 8, align 8) returned 0x${at.toString(16)}, 4 bytes past the 8-byte boundary 0x${(at - 4).toString(16)}`,
      });
    expect(key(blocks(0x20004e24))).not.toBe(key(blocks(0x20004e34)));
    // The data addresses in a message count even when the violation's own fields agree.
    const contents = (at: string) =>
      run('cortex-m0', {
        operation: 5,
        rule: 'contents',
        kind: 'realloc',
        address: 0x20000100,
        size: 1,
        message: `realloc moved the block made by operation 2 from ${at} to 0x20000100 (8 → 16 bytes): 1 of the 8 bytes it had to keep differ`,
      });
    expect(key(contents('0x20000010'))).not.toBe(key(contents('0x20000020')));
  });
});

describe('sramlab compare --html', () => {
  it('writes the report by a rename: nothing but the report is left in its folder', () => {
    reportFile();
    expect(readdirSync(tmp).filter((f) => f.includes('report'))).toEqual(['report.html']);
  });

  it('shows a finding once for the profiles it showed on', () => {
    const page = readFileSync(reportFile(), 'utf8');
    // emballoc breaks the leak rule in fill-and-drain on both profiles: one cell, one finding.
    const row = /<tr data-allocator="emballoc">.*?<\/tr>/s.exec(page)![0];
    expect(row).toMatch(
      /<td class="verdict c-broke" data-scenario="fill-and-drain" data-runs="2" data-mcus="cortex-m0 cortex-m3">.*?✗ leak/,
    );
    expect(page.match(/<li id="finding-emballoc--fill-and-drain--\d+"/g)).toHaveLength(1);
  });

  it('refuses a path whose folder does not exist, in one line with status 2, before running anything', () => {
    const r = sramlab(
      'compare',
      '--alloc',
      'galloc',
      '--mcu',
      'cortex-m0',
      '--scenario',
      'smoke',
      '--html',
      join(tmp, 'no-such-folder', 'r.html'),
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--html .*no folder/);
    expect(r.stdout).toBe('');
  });
});

// ---- in a real browser -------------------------------------------------------------------

/** Every scenario on two allocators × three profiles, as a user's compare makes it (few ops: seconds). */
const ALLOCATORS = ['galloc-upstream', 'emballoc'];
const MCUS = ['cortex-m0', 'cortex-m0plus', 'cortex-m3'];
const ALL_SCENARIOS = SCENARIOS.map((s) => s.name);

/**
 * The clocks of the parts emulator/profiles.ts says each profile is like, from their datasheets:
 * STM32F091 48 MHz, SAMD21 48 MHz, LM3S6965 50 MHz. Written here, not read from the profiles,
 * so a page that divided by anything else would fail.
 */
const MHZ: Readonly<Record<string, number>> = { 'cortex-m0': 48, 'cortex-m0plus': 48, 'cortex-m3': 50 };

/** What the page should show for a figure, computed here from the JSON alone. */
function worstFromJson(
  report: CompareReport,
  allocator: string,
  mcu: string,
  kind: OpKind,
  stat: 'p99' | 'max',
  scenario?: string,
): number | undefined {
  const runs = report.results.filter(
    (r) =>
      r.allocator === allocator &&
      r.mcu === mcu &&
      (scenario === undefined || r.scenario === scenario) &&
      // Runs made to break a rule (stack-collision, no-cas on ARMv6-M) stop in their first call: not speed figures.
      r.expected === undefined &&
      r.stats[kind].cycles.count > 0,
  );
  return runs.length ? Math.max(...runs.map((r) => r.stats[kind].cycles[stat])) : undefined;
}

/** A "10.5 µs" text against the exact microseconds: right to the last digit it shows, and at least 2 digits. */
function microsMatch(text: string, exact: number): boolean {
  const m = /^(\d+(?:\.(\d+))?) µs$/.exec(text);
  if (!m) return false;
  const decimals = m[2]?.length ?? 0;
  const digits = m[1]!.replace('.', '').replace(/^0+/, '').length;
  return digits >= 2 && Math.abs(Number(m[1]) - exact) <= 0.5 * 10 ** -decimals + 1e-9;
}

interface TableFit {
  table: string;
  scrollWidth: number;
  wrapWidth: number;
  wrapScrolls: boolean;
  firstSticky: boolean;
}

/** Each table's width against the box it sits in, and the cells whose content is wider than the cell. */
async function layout(page: Page): Promise<{ tables: TableFit[]; clippedCells: string[]; pageWidth: number; viewport: number }> {
  return page.evaluate(() => {
    const tables = [...document.querySelectorAll('table')].map((t) => {
      const wrap = t.parentElement!;
      const firsts = [...t.querySelectorAll('tr > :first-child')].filter((c) => c.classList.contains('first'));
      return {
        table: `${t.className} ${t.getAttribute('data-scope') ?? ''}`.trim(),
        scrollWidth: t.scrollWidth,
        wrapWidth: wrap.clientWidth,
        wrapScrolls: ['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX),
        firstSticky: firsts.length > 0 && firsts.every((c) => getComputedStyle(c).position === 'sticky'),
      };
    });
    const clippedCells = [...document.querySelectorAll('td, th')]
      .filter((c) => c.scrollWidth > c.clientWidth)
      .map((c) => `${c.closest('table')!.className}: ${c.textContent}`);
    return { tables, clippedCells, pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth };
  });
}

/** Colours used in main outside the legends, and the colours the legends' keys show: chromatic ones only. */
async function colours(
  page: Page,
): Promise<{ usedClasses: string[]; legendClasses: string[]; usedColours: string[]; legendColours: string[] }> {
  return page.evaluate(() => {
    const chromatic = (css: string): string | null => {
      const m = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(css);
      if (!m || m[4] === '0') return null;
      const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // Greys (text, lines, table heads) carry no meaning of their own.
      return Math.max(r, g, b) - Math.min(r, g, b) > 14 ? `rgb(${r}, ${g}, ${b})` : null;
    };
    const inLegend = (e: Element) => !!e.closest('.legend');
    const classes = (es: Element[]) => [...new Set(es.flatMap((e) => [...e.classList].filter((c) => c.startsWith('c-'))))].sort();
    const shown = (es: Element[], skipLinks: boolean) =>
      [
        ...new Set(
          es.flatMap((e) => {
            const s = getComputedStyle(e);
            // A link's own colour says "link", not a finding.
            const props = [s.backgroundColor, s.fill, s.stroke, ...(skipLinks && e.closest('a') && !e.closest('td') ? [] : [s.color])];
            return props.map(chromatic).filter((c): c is string => c !== null);
          }),
        ),
      ].sort();
    const main = [...document.querySelectorAll('main *')].filter((e) => !inLegend(e));
    const keys = [...document.querySelectorAll('.legend .key, .legend .key *')];
    return { usedClasses: classes(main), legendClasses: classes(keys), usedColours: shown(main, true), legendColours: shown(keys, false) };
  });
}

describe.skipIf(!haveChromium && !process.env.CI)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let report: CompareReport;
  const fetched: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI needs Chromium at ${CHROMIUM} for this test (Debian package: chromium)`);
    report = await compare({ allocators: ALLOCATORS, mcus: MCUS, scenarios: ALL_SCENARIOS, seed: 1, ops: 50, workers: 1 });
    const file = join(tmp, 'full.html');
    writeFileSync(file, renderCompareHtml(report, heapMapViews(ALLOCATORS, MCUS[0]!, { seed: 1, ops: 50 })));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Every request is seen here: the page's own file is served, anything else is refused and recorded.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('clips no table and no cell at 1400 px, every scenario open, and keeps the first column in view', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.evaluate(() =>
      document.querySelectorAll('details').forEach((d) => {
        d.open = true;
      }),
    );
    const l = await layout(page);
    // The worst-case table and one per scenario; the allocator × scenario tables (verdicts,
    // utilisation, largest block) may be cut into bands of scenarios, but together each shows
    // every scenario once, in the compare's order.
    expect(l.tables.filter((t) => t.table.startsWith('timing')).length).toBe(1 + ALL_SCENARIOS.length);
    const columns = (cls: string) =>
      page.locator(`table.matrix.${cls} thead th[data-scenario]`).evaluateAll((ths) => ths.map((th) => th.getAttribute('data-scenario')));
    await expect(columns('verdicts')).resolves.toEqual(ALL_SCENARIOS);
    await expect(columns('utilisation')).resolves.toEqual(ALL_SCENARIOS);
    await expect(columns('fragmentation')).resolves.toEqual(
      ALL_SCENARIOS.filter((s) => report.results.some((r) => r.scenario === s && r.largestBlockAfter !== null)),
    );
    for (const t of l.tables) {
      expect(t.scrollWidth, t.table).toBeLessThanOrEqual(t.wrapWidth);
      expect(t.firstSticky, t.table).toBe(true);
    }
    expect(l.clippedCells).toEqual([]);
    expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
  });

  it('still fits 1400 px with three times as many scenarios', async () => {
    // Every scenario again under two new names: 42 columns' worth of verdicts and figures.
    const copies = [1, 2].flatMap((n) => report.results.map((r) => ({ ...r, scenario: `${r.scenario}-copy-${n}` })));
    const file = join(tmp, 'many.html');
    writeFileSync(file, renderCompareHtml({ ...report, results: [...report.results, ...copies] }));
    const other = await page.context().newPage();
    await other.goto(pathToFileURL(file).href);
    const l = await layout(other);
    await other.close();
    for (const t of l.tables.filter((x) => x.table.startsWith('matrix'))) expect(t.scrollWidth, t.table).toBeLessThanOrEqual(t.wrapWidth);
    expect(l.clippedCells).toEqual([]);
    expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
  });

  it('at 1000 and 600 px, a table too wide scrolls in its own box with the first column kept; the page does not', async () => {
    for (const width of [1000, 600]) {
      await page.setViewportSize({ width, height: 900 });
      const l = await layout(page);
      // Seven scenario columns of a band, or the timing table's eighteen figures, cannot fit 600 px.
      if (width === 600) expect(l.tables.some((t) => t.scrollWidth > t.wrapWidth)).toBe(true);
      for (const t of l.tables) {
        if (t.scrollWidth > t.wrapWidth) expect(t.wrapScrolls && t.firstSticky, `${width} px: ${t.table}`).toBe(true);
      }
      expect(l.clippedCells).toEqual([]);
      expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
    }
    await page.setViewportSize({ width: 1000, height: 900 });
    const shot = join(tmp, 'shot-1000.png');
    await page.evaluate(() =>
      document.querySelectorAll('details').forEach((d) => {
        d.open = false;
      }),
    );
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('shows a verdict once where the profiles agree, one line per group where they do not', async () => {
    // emballoc's forward-only merge breaks the leak rule in smoke the same way on every profile.
    const smoke = page.locator('table.verdicts tr[data-allocator="emballoc"] td[data-scenario="smoke"]');
    await expect(smoke.getAttribute('data-runs')).resolves.toBe(String(MCUS.length));
    await expect(smoke.innerText()).resolves.toBe('✗ leak');
    // no-cas is caught on ARMv6-M (the CAS build faults) and is an ordinary run on the M3.
    const noCas = page.locator('table.verdicts tr[data-allocator="emballoc"] td[data-scenario="no-cas"] > div');
    await expect(noCas.evaluateAll((ds) => ds.map((d) => d.getAttribute('data-mcus')))).resolves.toEqual([
      'cortex-m0 cortex-m0plus',
      'cortex-m3',
    ]);
    await expect(noCas.first().innerText()).resolves.toMatch(/^M0 M0\+\s+✓ caught faults$/);
  });

  it('lists each broken rule once with the profiles it showed on, though each profile spins at its own PC', async () => {
    const broken = report.results.filter((r) => !r.ok);
    // Distinct findings, counted from the JSON: allocator, scenario, rule, operation and address.
    // The messages are left out: they name each build's PCs and symbol+offsets. The address is
    // a data address here; a stack-rule address (the SP) is each build's own, and none broke so.
    expect(broken.filter((r) => r.violation!.access === 'sp')).toEqual([]);
    const distinctFindings = new Set(
      broken.map((r) => JSON.stringify([r.allocator, r.scenario, r.violation!.rule, r.violation!.operation, r.violation!.address ?? null])),
    );
    const items = await page.locator('ol.findings > li').evaluateAll((ls) =>
      ls.map((l) => ({
        allocator: l.getAttribute('data-allocator'),
        scenario: l.getAttribute('data-scenario'),
        mcus: l.getAttribute('data-mcus')!.split(' '),
        text: l.textContent!,
      })),
    );
    expect(items).toHaveLength(distinctFindings.size);
    expect(items.length).toBeLessThan(broken.length);
    expect(items.reduce((n, i) => n + i.mcus.length, 0)).toBe(broken.length);
    const deadlock = broken.filter((r) => r.allocator === 'galloc-upstream' && r.scenario === 'isr-reentrancy');
    expect(new Set(deadlock.map((r) => r.violation!.pc)).size).toBeGreaterThan(1);
    const item = items.filter((i) => i.allocator === 'galloc-upstream' && i.scenario === 'isr-reentrancy');
    expect(item).toHaveLength(1);
    expect(item[0]!.mcus).toEqual(MCUS);
    for (const r of deadlock) expect(item[0]!.text).toContain(`0x${r.violation!.pc!.toString(16).padStart(8, '0')}`);
  });

  it('gives the worst and p99 cycles per kind of call with their µs at the clock of the part each profile names', async () => {
    const cells = await page.locator('table.timing td[data-op]').evaluateAll((tds) =>
      tds.map((td) => ({
        scope: td.closest('table')!.getAttribute('data-scope')!,
        allocator: td.closest('tr')!.getAttribute('data-allocator')!,
        mcu: td.getAttribute('data-mcu')!,
        op: td.getAttribute('data-op') as OpKind,
        stat: td.getAttribute('data-stat') as 'p99' | 'max',
        cycles: td.querySelector('.cy')?.textContent ?? null,
        us: td.querySelector('.us')?.textContent ?? null,
        text: td.textContent,
        title: td.getAttribute('title'),
      })),
    );
    // Every allocator × profile × kind × (p99, worst), in the overall table and in each scenario's.
    expect(cells).toHaveLength((1 + ALL_SCENARIOS.length) * ALLOCATORS.length * MCUS.length * 3 * 2);
    let figures = 0;
    for (const c of cells) {
      const want = worstFromJson(report, c.allocator, c.mcu, c.op, c.stat, c.scope === 'worst' ? undefined : c.scope);
      const where = JSON.stringify(c);
      if (want === undefined) {
        expect(c.text, where).toBe('—');
        expect(c.title, where).toMatch(/^no \w+ call/);
        continue;
      }
      figures++;
      expect(Number(c.cycles!.replace(/,/g, '')), where).toBe(want);
      expect(microsMatch(c.us!, want / MHZ[c.mcu]!), `${where}: ${want} / ${MHZ[c.mcu]}`).toBe(true);
    }
    expect(figures).toBeGreaterThan(cells.length / 2);
    // The page says which clock it divided by, and where that clock comes from.
    for (const m of MCUS) await expect(page.locator(`#timing .clock[data-mcu="${m}"]`).innerText()).resolves.toContain(`${MHZ[m]} MHz`);
    await expect(page.locator('#timing').innerText()).resolves.toContain('emulator/profiles.ts');
  });

  it('gives the peak stack over the runs that are not made to break a rule', async () => {
    for (const a of ALLOCATORS) {
      for (const m of MCUS) {
        const want = Math.max(
          ...report.results
            .filter((r) => r.allocator === a && r.mcu === m && r.expected === undefined && r.operations > 0)
            .map((r) => r.peakStackBytes),
        );
        await expect(
          page.locator(`table.timing[data-scope="worst"] tr[data-allocator="${a}"][data-mcu="${m}"] td[data-stat="stack"]`).innerText(),
        ).resolves.toBe(`${want} B`);
      }
    }
  });

  it('shows no 0 % utilisation: a dash with its reason where a run cannot have one', async () => {
    const cells = await page.locator('table.utilisation td[data-scenario]').evaluateAll((tds) =>
      tds.map((td) => ({
        allocator: td.closest('tr')!.getAttribute('data-allocator')!,
        scenario: td.getAttribute('data-scenario')!,
        text: (td as HTMLElement).innerText,
        titles: [...td.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join(' | '),
      })),
    );
    expect(cells).toHaveLength(ALLOCATORS.length * ALL_SCENARIOS.length);
    for (const c of cells) expect(c.text, JSON.stringify(c)).not.toMatch(/(^|\s)0(\.0)? %/);
    for (const c of cells.filter((x) => x.scenario === 'stack-collision')) {
      expect(c.text).toBe('—');
      expect(c.titles).toMatch(/made to break the stack rule/);
    }
    // no-cas: made to break a rule on the M0s; on the M3 an ordinary run whose allocations all succeed.
    for (const c of cells.filter((x) => x.scenario === 'no-cas')) {
      expect(c.text).toBe('—');
      expect(c.titles).toMatch(/M0 M0\+: no-cas is made to break the faults rule.*; M3: (no allocation failed|the run broke)/);
    }
    // A run where every allocation succeeded says so; one that filled its heap shows the figure from the JSON.
    const smoke = cells.find((x) => x.allocator === 'galloc-upstream' && x.scenario === 'smoke')!;
    expect(smoke.text).toBe('—');
    expect(smoke.titles).toMatch(/no allocation failed/);
    const full = report.results.find((r) => r.allocator === 'emballoc' && r.scenario === 'heap-exhaustion')!;
    const shown = cells.find((x) => x.allocator === 'emballoc' && x.scenario === 'heap-exhaustion')!;
    expect(shown.text).toContain(`${(100 * full.utilisationAtFirstFailure!).toFixed(1)} %`);
  });

  it('has a legend for every colour it uses', async () => {
    const c = await colours(page);
    expect(c.usedClasses.length).toBeGreaterThan(5);
    expect(c.usedClasses.filter((x) => !c.legendClasses.includes(x))).toEqual([]);
    expect(c.usedColours.length).toBeGreaterThan(5);
    expect(c.usedColours.filter((x) => !c.legendColours.includes(x))).toEqual([]);
  });

  it('draws the cycle distributions of every allocator on every profile', async () => {
    await page.evaluate(() =>
      document.querySelectorAll('details').forEach((d) => {
        d.open = true;
      }),
    );
    for (const a of ALLOCATORS) {
      for (const s of ['smoke', 'fragmentation', 'fill-and-drain']) {
        const svg = page.locator(`svg.cycles-chart[data-allocator="${a}"][data-scenario="${s}"]`);
        await expect(svg.count()).resolves.toBe(1);
        expect((await svg.boundingBox())!.width).toBeGreaterThan(200);
        for (const m of MCUS) {
          const widths = await svg
            .locator(`g.dist[data-mcu="${m}"] rect.box`)
            .evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
          expect(widths.length, `${a} ${s} ${m}`).toBeGreaterThan(0);
          for (const w of widths) expect(w).toBeGreaterThan(0);
        }
      }
    }
  });

  it('draws a to-scale heap map per allocator', async () => {
    for (const a of ALLOCATORS) {
      const svg = page.locator(`svg.heap-map[data-allocator="${a}"]`);
      expect((await svg.boundingBox())!.width).toBeGreaterThan(800);
      // In SVG units each row is 1000 wide, and the spans tile the heap: 4 rows of 4 KiB (widths are
      // written to 0.01, so hundreds of spans may add up a unit or two off).
      const widths = await svg.locator('rect.span').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
      expect(widths.length).toBeGreaterThan(100);
      expect(Math.abs(widths.reduce((x, y) => x + y, 0) - 4000)).toBeLessThan(5);
      await expect(svg.locator('rect.span.live').count()).resolves.toBeGreaterThan(50);
    }
  });

  it('made no network request, and takes a screenshot at 1400 px', async () => {
    await page.evaluate(() =>
      document.querySelectorAll('details').forEach((d) => {
        d.open = false;
      }),
    );
    const shot = join(tmp, 'shot-1400.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(fetched).toEqual([]);
  });
});
