// The HTML report of `sramlab compare --html`: written by the CLI for a small compare, opened
// in a real headless Chromium (playwright-core, Debian's chromium) to see that the table, the
// charts and the heap maps render and that the page fetches nothing; and, without a browser,
// that the markup nests properly and no data string turns into markup.
//
// Without Chromium the browser tests are skipped on a developer's machine and fail in CI
// (CI sets CI=true), so a CI image that lost the package cannot pass silently.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapMapView, type HeapMapView } from '../report/heap-maps.ts';
import { renderCompareHtml } from '../report/html.ts';
import { compare, type CompareReport } from '../scenarios/compare.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ALLOCATORS = ['galloc', 'emballoc'];
const MCUS = ['cortex-m0', 'cortex-m3'];
const SCENARIOS = ['smoke', 'fragmentation', 'fill-and-drain'];

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-html-'));

function sramlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report of the small compare, written once by the CLI as a user would. */
let reportPath = '';
function reportFile(): string {
  if (reportPath) return reportPath;
  const path = join(tmp, 'report.html');
  const r = sramlab('compare', '--alloc', ALLOCATORS.join(','), '--mcu', MCUS.join(','), '--scenario', SCENARIOS.join(','), '--workers', '2', '--quiet', '--html', path);
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
    report = await compare({ allocators: ['galloc', 'emballoc'], mcus: ['cortex-m0'], scenarios: ['smoke', 'fill-and-drain'], seed: 1, ops: 200, workers: 1 });
    maps = [heapMapView('fragmentation', 'galloc', 'cortex-m0', { seed: 1, ops: 200 })];
  });

  it('nests every element it opens, and has the main structure', () => {
    const { problems, seen } = nesting(renderCompareHtml(report, maps));
    expect(problems).toEqual([]);
    for (const el of ['html', 'head', 'body', 'main', 'section', 'table', 'thead', 'tbody', 'svg', 'figure', 'details']) expect(seen).toContain(el);
  });

  it('escapes every string from the data, wherever it lands', () => {
    const hostile: CompareReport = {
      ...report,
      results: report.results.map((r) => ({
        ...r, allocator: `${r.allocator}${HOSTILE}`, scenario: `${r.scenario}${HOSTILE}`, replay: HOSTILE,
        violation: r.violation && { ...r.violation, message: HOSTILE, symbol: HOSTILE },
      })),
    };
    const m = maps[0]!;
    const hostileMap: HeapMapView = {
      ...m, allocator: HOSTILE, moment: HOSTILE,
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

describe('sramlab compare --html', () => {
  it('writes the report by a rename: nothing but the report is left in its folder', () => {
    reportFile();
    expect(readdirSync(tmp).filter((f) => f.includes('report'))).toEqual(['report.html']);
  });

  it('refuses a path whose folder does not exist, in one line with status 2, before running anything', () => {
    const r = sramlab('compare', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--scenario', 'smoke', '--html', join(tmp, 'no-such-folder', 'r.html'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--html .*no folder/);
    expect(r.stdout).toBe('');
  });
});

// ---- in a real browser -------------------------------------------------------------------

const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium && !process.env.CI)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const fetched: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI needs Chromium at ${CHROMIUM} for this test (Debian package: chromium)`);
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
    await page.goto(pathToFileURL(reportFile()).href);
  });

  afterAll(async () => { await browser?.close(); });

  it('renders the table: one row per allocator × profile, one cell per scenario', async () => {
    await expect(page.locator('table.results tbody tr').count()).resolves.toBe(ALLOCATORS.length * MCUS.length);
    await expect(page.locator('table.results thead th').count()).resolves.toBe(2 + SCENARIOS.length + 1);
    for (const row of await page.locator('table.results tbody tr').all()) {
      await expect(row.locator('td[data-scenario]').count()).resolves.toBe(SCENARIOS.length);
    }
    const cell = page.locator('tr[data-allocator="emballoc"][data-mcu="cortex-m0"] td[data-scenario="fill-and-drain"]');
    await expect(cell.getAttribute('class')).resolves.toBe('fail');
    await expect(cell.innerText()).resolves.toBe('✗ leak');
    const ok = page.locator('tr[data-allocator="galloc"][data-mcu="cortex-m3"] td[data-scenario="smoke"]');
    await expect(ok.innerText()).resolves.toMatch(/^✓ \d+$/);
  });

  it('draws the cycle distributions of every allocator on both profiles', async () => {
    // The headline scenario's charts are open; open the others too.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    for (const a of ALLOCATORS) {
      for (const s of SCENARIOS) {
        const svg = page.locator(`svg.cycles-chart[data-allocator="${a}"][data-scenario="${s}"]`);
        await expect(svg.count()).resolves.toBe(1);
        expect((await svg.boundingBox())!.width).toBeGreaterThan(200);
        for (const m of MCUS) {
          const widths = await svg.locator(`g.dist[data-mcu="${m}"] rect.box`).evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
          expect(widths.length, `${a} ${s} ${m}`).toBeGreaterThan(0);
          for (const w of widths) expect(w).toBeGreaterThan(0);
        }
      }
    }
  });

  it('draws utilisation and the largest block after the workload', async () => {
    const util = await page.locator('svg.utilisation-chart rect.bar').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
    expect(util).toHaveLength(2 * ALLOCATORS.length * MCUS.length); // fragmentation and fill-and-drain
    for (const w of util) expect(w).toBeGreaterThan(10);
    // Both measure their largest block in fragmentation; emballoc breaks the leak rule after that,
    // once the rest is freed (the rule runs at the end of the run).
    const frag = page.locator('svg.fragmentation-chart[data-scenario="fragmentation"]');
    await expect(frag.locator('rect.bar').count()).resolves.toBe(ALLOCATORS.length * MCUS.length);
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

  it('made no network request, and takes a screenshot', async () => {
    const shot = join(tmp, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(fetched).toEqual([]);
  });
});
