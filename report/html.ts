// The HTML report of a compare (sramlab compare --html FILE): one self-contained page — inline
// CSS and inline SVG, no script, no fonts or images fetched — that a CI job can keep as an
// artifact and anyone can open offline. It holds the results table, the cycles per operation
// as distributions (each profile on one axis per allocator), utilisation at the first failed
// allocation, the largest block after the workload, and heap maps drawn to scale.
//
// Every piece of text from the data goes through the html`` tag below, which escapes whatever
// it interpolates unless it is already Html; so a violation message or a file name with '<' or
// '&' in it can never become markup. The page carries no wall-clock time: the same results
// give the same bytes.

import type { CompareReport } from '../scenarios/compare.ts';
import { bytes, type HeapMap, type HeapSpan, type SpanKind } from '../scenarios/heap-map.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import type { Summary } from '../scenarios/metrics.ts';
import type { OpKind } from '../scenarios/session.ts';
import type { HeapMapView } from './heap-maps.ts';

// ---- safe markup ----------------------------------------------------------------------------

/** Markup that is already safe: built by html``, never from raw data. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string { return this.text; }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function partText(p: Part): string {
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return p.map(partText).join('');
  if (p === null || p === undefined || p === false || p === true) return '';
  return escapeHtml(String(p));
}

/** A boolean attribute (open, hidden): present or absent. */
const flag = (on: boolean, name: string): Html => new Html(on ? ` ${name}` : '');

/** Template tag: literal text is markup, every interpolated value is escaped (Html passes as is). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => { out += partText(v) + strings[i + 1]!; });
  return new Html(out);
}

// ---- numbers and names ----------------------------------------------------------------------

const OP_KINDS: readonly OpKind[] = ['alloc', 'dealloc', 'realloc'];

/** "M0", "M0+", "M3": what a chart row calls a profile. */
export function shortProfile(mcu: string): string {
  return mcu.replace(/^cortex-/, '').replace(/plus$/, '+').toUpperCase();
}

/** One colour per profile, the same in every chart; rows are labelled too, so colour is never the only cue. */
const PROFILE_COLOURS: Readonly<Record<string, string>> = {
  'cortex-m0': '#3b6fb6', 'cortex-m0plus': '#2a9d8f', 'cortex-m3': '#e07a1f', 'cortex-m4': '#8e5bb5',
};
const colourOf = (mcu: string): string => PROFILE_COLOURS[mcu] ?? '#666666';

const num = (n: number): string => n.toLocaleString('en');

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** A round axis end at or above v and a step giving about five ticks (1, 2 or 5 × 10^k). */
export function niceScale(v: number): { max: number; step: number } {
  if (!(v > 0)) return { max: 1, step: 1 };
  const raw = v / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  return { max: Math.ceil(v / step - 1e-9) * step, step };
}

/** The same for byte counts: a power-of-two step, so ticks read 2 KiB, 4 KiB rather than 1.95 KiB. */
export function niceBytesScale(v: number): { max: number; step: number } {
  if (!(v > 0)) return { max: 1, step: 1 };
  const step = Math.max(1, 2 ** Math.ceil(Math.log2(v / 5)));
  return { max: Math.ceil(v / step) * step, step };
}

/** Distinct values in first-seen order: the compare's own order of allocators, profiles, scenarios. */
const distinct = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The compare's results, looked up by allocator, profile and scenario. */
class Results {
  readonly allocators: string[];
  readonly mcus: string[];
  readonly scenarios: string[];
  private readonly byKey = new Map<string, ScenarioResult>();

  constructor(readonly report: CompareReport) {
    const rs = report.results;
    this.allocators = distinct(rs.map((r) => r.allocator));
    this.mcus = distinct(rs.map((r) => r.mcu));
    this.scenarios = distinct(rs.map((r) => r.scenario));
    for (const r of rs) this.byKey.set(Results.key(r.allocator, r.mcu, r.scenario), r);
  }

  private static key(a: string, m: string, s: string): string { return JSON.stringify([a, m, s]); }

  get(allocator: string, mcu: string, scenario: string): ScenarioResult | undefined {
    return this.byKey.get(Results.key(allocator, mcu, scenario));
  }

  /** The results of one scenario, allocator by allocator, profile by profile. */
  ofScenario(scenario: string): ScenarioResult[] {
    return this.allocators.flatMap((a) => this.mcus.map((m) => this.get(a, m, scenario)).filter((r): r is ScenarioResult => !!r));
  }
}

/** An id for a result's footnote: stable, and only [a-z0-9-] whatever the names hold. */
const footnoteId = (r: ScenarioResult): string =>
  'broken-' + [r.allocator, r.mcu, r.scenario].map((x) => x.toLowerCase().replace(/[^a-z0-9]+/g, '-')).join('--');

// ---- the page -------------------------------------------------------------------------------

/** The whole page for a compare report and the heap maps collected beside it. */
export function renderCompareHtml(report: CompareReport, heapMaps: readonly HeapMapView[] = []): string {
  const res = new Results(report);
  const failed = report.results.filter((r) => !r.ok).length;
  const title = `sramlab compare: ${res.allocators.length} allocators × ${res.mcus.length} profiles × ${res.scenarios.length} scenarios`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sramlab (schema ${report.schema})">
<title>${title}</title>
<style>${new Html(CSS)}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p class="summary">${report.results.length} runs with every check on; ${failed === 0 ? 'every rule held in every run' : `${failed} broke a rule`}.
Seed ${report.seed}, ${report.ops} operations per counted scenario, heap ${report.heap === null ? 'the default (16 KiB, or the whole region where smaller)' : bytes(report.heap)}.
Cycles are emulated, from the Technical Reference Manuals' timing tables: the same on every machine.</p>
<p class="replay">Run again: <code>${replayCommand(report, res)}</code></p>
<nav><a href="#results">results</a> · <a href="#cycles">cycles per operation</a> · <a href="#utilisation">utilisation</a> · <a href="#fragmentation">fragmentation</a> · <a href="#heap-maps">heap maps</a></nav>
</header>
<main>
${resultsSection(res)}
${cyclesSection(res)}
${utilisationSection(res)}
${fragmentationSection(res)}
${heapMapsSection(heapMaps)}
</main>
<footer>sramlab · ${report.schema} · this page is self-contained: it loads nothing.</footer>
</body>
</html>
`.text;
}

function replayCommand(report: CompareReport, res: Results): string {
  const heap = report.heap === null ? '' : ` --heap ${report.heap}`;
  return `sramlab compare --alloc ${res.allocators.join(',')} --mcu ${res.mcus.join(',')} --scenario ${res.scenarios.join(',')} ` +
    `--seed ${report.seed} --ops ${report.ops}${heap} --html report.html`;
}

// ---- the results table ----------------------------------------------------------------------

function resultsSection(res: Results): Html {
  const broken = res.report.results.filter((r) => !r.ok);
  return html`<section id="results">
<h2>Results</h2>
<p class="note">✓ n: every check held, n = median alloc cycles. ✓ caught: a scenario made to break a rule, and the rule caught it. ✗ rule: the first rule that broke (details below the table).</p>
<div class="table-wrap"><table class="results">
<thead><tr><th scope="col">allocator</th><th scope="col">profile</th>${res.scenarios.map((s) => html`<th scope="col">${s}</th>`)}<th scope="col" title="flash bytes of allocator code / RAM bytes of allocator state">code / state</th></tr></thead>
<tbody>
${res.allocators.flatMap((a) => res.mcus.map((m) => resultRow(res, a, m)))}
</tbody>
</table></div>
${broken.length ? brokenList(broken) : html`<p class="all-held">Every rule held in every run.</p>`}
</section>`;
}

function resultRow(res: Results, allocator: string, mcu: string): Html {
  const rs = res.scenarios.map((s) => res.get(allocator, mcu, s));
  const fp = rs.find((r) => r)?.footprint;
  return html`<tr data-allocator="${allocator}" data-mcu="${mcu}"><th scope="row">${allocator}</th><td class="mcu">${mcu}</td>${rs.map((r, i) => resultCell(r, res.scenarios[i]!))}<td class="num">${fp ? `${num(fp.flashBytes)} / ${num(fp.ramBytes)}` : '—'}</td></tr>
`;
}

function resultCell(r: ScenarioResult | undefined, scenario: string): Html {
  if (!r) return html`<td class="missing" data-scenario="${scenario}">—</td>`;
  if (!r.ok) {
    const v = r.violation;
    const rule = v?.rule ?? 'failed';
    return html`<td class="fail" data-scenario="${scenario}" title="${v?.message ?? ''}"><a href="#${footnoteId(r)}">✗ ${rule}</a></td>`;
  }
  if (r.caught) return html`<td class="pass" data-scenario="${scenario}" title="${r.caught.message}">✓ caught ${r.caught.rule}</td>`;
  const median = r.stats.alloc.cycles.median;
  return html`<td class="pass" data-scenario="${scenario}">✓ ${median || ''}</td>`;
}

/** Past this many, the list of broken rules starts folded, so the charts stay near the top. */
const BROKEN_OPEN_MAX = 8;

function brokenList(broken: readonly ScenarioResult[]): Html {
  return html`<details class="broken"${flag(broken.length <= BROKEN_OPEN_MAX, 'open')}>
<summary>Broken rules (${broken.length})</summary>
<ol class="broken">
${broken.map((r) => {
    const v = r.violation;
    const where = v?.pc !== undefined ? ` at pc 0x${v.pc.toString(16).padStart(8, '0')}${v.symbol ? ` (${v.symbol})` : ''}` : '';
    return html`<li id="${footnoteId(r)}"><strong>${r.allocator} on ${r.mcu}, ${r.scenario}</strong>: rule <em>${v?.rule ?? '?'}</em> at operation ${v?.operation ?? '?'}${where}: ${v?.message ?? ''}<br><code>${r.replay}</code></li>
`;
  })}
</ol>
</details>`;
}

// ---- cycles per operation: one chart per allocator, every profile on one axis --------------

/** The scenario whose charts are open: a mixed workload where the compare has one. */
function headlineScenario(scenarios: readonly string[]): string | undefined {
  return ['random-actions', 'chunk-bench', 'heap-exhaustion'].find((s) => scenarios.includes(s)) ?? scenarios[0];
}

function cyclesSection(res: Results): Html {
  const open = headlineScenario(res.scenarios);
  return html`<section id="cycles">
<h2>Cycles per operation</h2>
<p class="note">For each allocator and kind of operation, one row per profile on the same axis (the axis is shared by every allocator in a scenario).
<span class="box-key"></span> bar: min → p99 · <span class="tick-key"></span> median · whisker to max. A run that broke a rule counts the operations before it.</p>
${res.scenarios.map((s) => html`<details class="scenario" data-scenario="${s}"${flag(s === open, 'open')}>
<summary>${s}</summary>
<div class="grid">${res.allocators.map((a) => cyclesFigure(res, a, s, cyclesScaleOf(res, s)))}</div>
</details>
`)}
</section>`;
}

/** The x scale of a scenario's cycles charts: shared so the allocators compare by eye. */
function cyclesScaleOf(res: Results, scenario: string): { max: number; step: number } {
  let top = 0;
  for (const r of res.ofScenario(scenario)) for (const k of OP_KINDS) top = Math.max(top, r.stats[k].cycles.max);
  return niceScale(top);
}

/** Geometry of a cycles chart: labels, plot, then room for the four figures of each row. */
const CY = { width: 640, label: 48, plot: 300, rowH: 16, headH: 18, gap: 6, axisH: 24 } as const;

function cyclesFigure(res: Results, allocator: string, scenario: string, scale: { max: number; step: number }): Html {
  const runs = res.mcus.map((m) => res.get(allocator, m, scenario)).filter((r): r is ScenarioResult => !!r);
  const kinds = OP_KINDS.filter((k) => runs.some((r) => r.stats[k].cycles.count > 0));
  const x = (v: number) => CY.label + (v / scale.max) * CY.plot;
  const parts: Html[] = [];
  let y = 4;
  for (const k of kinds) {
    parts.push(html`<text class="op" x="0" y="${y + 12}">${k}</text>`);
    y += CY.headH;
    for (const r of runs) {
      parts.push(distributionRow(r, k, y, x));
      y += CY.rowH;
    }
    y += CY.gap;
  }
  const broken = runs.filter((r) => !r.ok);
  // The axis first, so its gridlines lie under the bars.
  const body = html`${axis(x, scale, y, CY.label, CY.plot, num)}${parts}`;
  const height = kinds.length ? y + CY.axisH : 24;
  return html`<figure class="chart cycles" data-allocator="${allocator}" data-scenario="${scenario}">
<figcaption><strong>${allocator}</strong> · ${scenario} · cycles per call</figcaption>
<svg class="cycles-chart" data-allocator="${allocator}" data-scenario="${scenario}" width="${CY.width}" height="${height}" viewBox="0 0 ${CY.width} ${height}" role="img" aria-label="${`cycles per operation of ${allocator} in ${scenario}`}">${kinds.length ? body : html`<text x="0" y="16" class="empty">no operations</text>`}</svg>
${broken.length ? html`<p class="chart-note fail">✗ ${broken.map((r) => `${shortProfile(r.mcu)}: ${r.violation?.rule ?? '?'} at operation ${r.violation?.operation ?? '?'}`).join('; ')}</p>` : ''}
</figure>
`;
}

/** One box-plot-like row: a bar from min to p99, a tick at the median, a whisker on to max. */
function distributionRow(r: ScenarioResult, kind: OpKind, y: number, x: (v: number) => number): Html {
  const c = r.stats[kind].cycles;
  const label = html`<text class="profile" x="10" y="${y + 11}">${shortProfile(r.mcu)}</text>`;
  if (c.count === 0) return html`<g class="dist" data-mcu="${r.mcu}" data-op="${kind}">${label}<text class="empty" x="${CY.label}" y="${y + 11}">no calls</text></g>`;
  const colour = colourOf(r.mcu);
  const mid = y + CY.rowH / 2;
  return html`<g class="dist" data-mcu="${r.mcu}" data-op="${kind}"><title>${describeSummary(r, kind, c)}</title>${label}<line x1="${x(c.min)}" y1="${mid}" x2="${x(c.max)}" y2="${mid}" stroke="${colour}" stroke-width="1"/><line x1="${x(c.max)}" y1="${mid - 4}" x2="${x(c.max)}" y2="${mid + 4}" stroke="${colour}" stroke-width="1"/><rect class="box" x="${x(c.min)}" y="${mid - 5}" width="${Math.max(2, x(c.p99) - x(c.min))}" height="10" fill="${colour}" fill-opacity="0.3" stroke="${colour}"/><line class="median" x1="${x(c.median)}" y1="${mid - 7}" x2="${x(c.median)}" y2="${mid + 7}" stroke="#222" stroke-width="2"/><text class="figures" x="${CY.label + CY.plot + 10}" y="${y + 11}">${`min ${num(c.min)} · med ${num(c.median)} · p99 ${num(c.p99)} · max ${num(c.max)}`}</text></g>`;
}

function describeSummary(r: ScenarioResult, kind: OpKind, c: Summary): string {
  return `${r.allocator} on ${r.mcu}, ${kind}: ${num(c.count)} calls; cycles min ${num(c.min)}, median ${num(c.median)}, p99 ${num(c.p99)}, max ${num(c.max)}, mean ${c.mean.toFixed(1)}`;
}

/** Gridlines and tick labels along the bottom of a plot area. */
function axis(x: (v: number) => number, scale: { max: number; step: number }, y: number, left: number, width: number, label: (v: number) => string): Html {
  const ticks: number[] = [];
  for (let v = 0; v <= scale.max + scale.step / 2; v += scale.step) ticks.push(v);
  return html`<g class="axis"><line x1="${left}" y1="${y}" x2="${left + width}" y2="${y}"/>${ticks.map((v) => html`<line class="grid" x1="${x(v)}" y1="0" x2="${x(v)}" y2="${y}"/><text x="${x(v)}" y="${y + 14}" text-anchor="middle">${label(v)}</text>`)}</g>`;
}

// ---- utilisation and fragmentation: one bar per allocator × profile ------------------------

interface MetricRow { result: ScenarioResult; value: number | null }

const BAR = { width: 560, label: 150, plot: 280, rowH: 18, axisH: 24 } as const;

/** A horizontal bar chart of one metric over a scenario's runs; null values say why in words. */
function metricChart(id: string, scenario: string, rows: readonly MetricRow[], scale: { max: number; step: number }, fmt: (v: number) => string, whenNull: (r: ScenarioResult) => string): Html {
  const x = (v: number) => BAR.label + (Math.min(v, scale.max) / scale.max) * BAR.plot;
  let y = 4;
  const bars = rows.map(({ result: r, value }) => {
    const label = html`<text class="profile" x="0" y="${y + 13}">${`${r.allocator} · ${shortProfile(r.mcu)}`}</text>`;
    const g = value === null
      ? html`<g class="metric-row" data-allocator="${r.allocator}" data-mcu="${r.mcu}">${label}<text class="empty" x="${BAR.label + 4}" y="${y + 13}">${whenNull(r)}</text></g>`
      : html`<g class="metric-row" data-allocator="${r.allocator}" data-mcu="${r.mcu}"><title>${`${r.allocator} on ${r.mcu}: ${fmt(value)}`}</title>${label}<rect class="bar" x="${BAR.label}" y="${y + 3}" width="${Math.max(1, x(value) - BAR.label)}" height="12" fill="${colourOf(r.mcu)}"/><text class="figures" x="${x(value) + 6}" y="${y + 13}">${fmt(value)}${r.ok ? '' : ` (✗ ${r.violation?.rule ?? ''})`}</text></g>`;
    y += BAR.rowH;
    return g;
  });
  const height = y + BAR.axisH;
  return html`<figure class="chart metric" data-scenario="${scenario}">
<figcaption>${scenario}</figcaption>
<svg class="${id}-chart" data-scenario="${scenario}" width="${BAR.width}" height="${height}" viewBox="0 0 ${BAR.width} ${height}" role="img" aria-label="${`${id} in ${scenario}`}">${axis(x, scale, y, BAR.label, BAR.plot, fmt)}${bars}</svg>
</figure>
`;
}

function utilisationSection(res: Results): Html {
  const charts = res.scenarios.flatMap((s) => {
    const rows = res.ofScenario(s).map((r) => ({ result: r, value: r.utilisationAtFirstFailure }));
    if (rows.every((r) => r.value === null)) return [];
    return [metricChart('utilisation', s, rows, { max: 1, step: 0.25 }, (v) => `${Math.round(v * 100)} %`, (r) => r.ok ? 'no allocation failed' : `✗ ${r.violation?.rule ?? ''} before any failed`)];
  });
  return html`<section id="utilisation">
<h2>Utilisation at the first failed allocation</h2>
<p class="note">Bytes in live blocks over the heap size when an allocation first returned NULL: how much of its heap an allocator can hand out before it says no. Higher is better.</p>
${charts.length ? html`<div class="grid">${charts}</div>` : html`<p class="empty">No allocation failed in these scenarios.</p>`}
</section>`;
}

function fragmentationSection(res: Results): Html {
  const charts = res.scenarios.flatMap((s) => {
    const rows = res.ofScenario(s).map((r) => ({ result: r, value: r.largestBlockAfter }));
    if (rows.every((r) => r.value === null)) return [];
    const top = Math.max(...rows.map((r) => r.value ?? 0));
    return [metricChart('fragmentation', s, rows, niceBytesScale(top), bytes, (r) => r.ok ? 'not measured' : `✗ ${r.violation?.rule ?? ''}: not measured`)];
  });
  return html`<section id="fragmentation">
<h2>Largest block after the workload</h2>
<p class="note">The largest block the allocator would still serve at the end of the workload, with the workload's blocks live: the less fragmented, the larger. Higher is better; the scale is each chart's own.</p>
${charts.length ? html`<div class="grid">${charts}</div>` : html`<p class="empty">None of these scenarios measures it (fragmentation and random-actions do).</p>`}
</section>`;
}

// ---- heap maps: to scale, a few rows per heap ------------------------------------------------

const HM = { width: 1000, label: 64, rows: 4, rowH: 22, gap: 4 } as const;

const KIND_FILL: Readonly<Record<SpanKind, string>> = {
  live: '#4e79a7', metadata: '#f28e2b', free: '#d4d4d4', untouched: '#f6f6f6', violation: '#d62728',
};
/** Every other live block a shade lighter, so two blocks that touch stay two. */
const LIVE_ALT = '#86a8d0';

const KIND_WORDS: Readonly<Record<SpanKind, string>> = {
  live: 'live block', metadata: 'allocator metadata', free: 'free (written once, in no block now)', untouched: 'never written', violation: 'where a rule broke',
};

function heapMapsSection(views: readonly HeapMapView[]): Html {
  if (views.length === 0) return html`<section id="heap-maps"><h2>Heap maps</h2><p class="empty">No heap maps in this report.</p></section>`;
  const { scenario, mcu } = views[0]!;
  return html`<section id="heap-maps">
<h2>Heap maps: ${scenario} on ${mcu}</h2>
<p class="note">Each heap in use drawn to scale, lowest address top left, in ${HM.rows} rows of equal bytes. Hover a span for its address and size.</p>
<p class="legend">${(Object.keys(KIND_FILL) as SpanKind[]).map((k) => html`<span class="swatch" style="background:${KIND_FILL[k]}"></span> ${KIND_WORDS[k]} `)}</p>
${views.map(heapMapFigure)}
</section>`;
}

function heapMapFigure(v: HeapMapView): Html {
  if (!v.map) {
    return html`<figure class="heap" data-allocator="${v.allocator}"><figcaption><strong>${v.allocator}</strong>: ${v.moment}</figcaption></figure>\n`;
  }
  const m = v.map;
  const size = m.heapEnd - m.heapStart;
  const rowBytes = Math.ceil(size / HM.rows);
  const height = HM.rows * (HM.rowH + HM.gap);
  const width = HM.label + HM.width;
  return html`<figure class="heap" data-allocator="${v.allocator}">
<figcaption><strong>${v.allocator}</strong> · ${bytes(size)} at 0x${m.heapStart.toString(16)} · ${v.moment}</figcaption>
<svg class="heap-map" data-allocator="${v.allocator}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="${`heap map of ${v.allocator}`}">${rowLabels(rowBytes)}${heapSpans(m, rowBytes)}${rowFrames(size, rowBytes)}</svg>
<p class="chart-note">${kindTotals(m)}${m.violation ? html` · <span class="fail">✗ ${m.violation.rule}: ${m.violation.message}</span>` : ''}</p>
</figure>
`;
}

function rowLabels(rowBytes: number): Html[] {
  return Array.from({ length: HM.rows }, (_, i) =>
    html`<text class="offset" x="0" y="${i * (HM.rowH + HM.gap) + 15}">${`+0x${(i * rowBytes).toString(16).padStart(4, '0')}`}</text>`);
}

/** An outline around each row's bytes, so never-written bytes (near white) still show where the heap ends. */
function rowFrames(size: number, rowBytes: number): Html[] {
  return Array.from({ length: HM.rows }, (_, i) => {
    const w = (Math.min(rowBytes, size - i * rowBytes) / rowBytes) * HM.width;
    return w > 0 ? html`<rect class="frame" x="${HM.label}" y="${i * (HM.rowH + HM.gap)}" width="${w.toFixed(2)}" height="${HM.rowH}"/>` : html``;
  });
}

/** The spans as rectangles, a span that crosses a row's end split in two; scale = px per byte. */
function heapSpans(m: HeapMap, rowBytes: number): Html[] {
  const perByte = HM.width / rowBytes;
  const out: Html[] = [];
  let liveIndex = 0;
  for (const s of m.spans) {
    const fill = s.kind === 'live' ? (liveIndex++ % 2 ? LIVE_ALT : KIND_FILL.live) : KIND_FILL[s.kind];
    const tip = spanTitle(s);
    for (let a = s.start - m.heapStart; a < s.end - m.heapStart;) {
      const row = Math.floor(a / rowBytes);
      const end = Math.min(s.end - m.heapStart, (row + 1) * rowBytes);
      const x = HM.label + (a - row * rowBytes) * perByte;
      out.push(html`<rect class="span ${s.kind}" x="${x.toFixed(2)}" y="${row * (HM.rowH + HM.gap)}" width="${((end - a) * perByte).toFixed(2)}" height="${HM.rowH}" fill="${fill}"><title>${tip}</title></rect>`);
      a = end;
    }
  }
  return out;
}

function spanTitle(s: HeapSpan): string {
  const range = `0x${s.start.toString(16)}–0x${(s.end - 1).toString(16)}, ${bytes(s.end - s.start)}`;
  const made = s.op !== undefined ? `, made by op ${s.op}` : '';
  return `${KIND_WORDS[s.kind]}: ${range}${made}${s.label ? ` (${s.label})` : ''}`;
}

function kindTotals(m: HeapMap): string {
  const total = (k: SpanKind) => m.spans.filter((s) => s.kind === k).reduce((n, s) => n + s.end - s.start, 0);
  const blocks = m.spans.filter((s) => s.kind === 'live').length;
  return `live ${bytes(total('live'))} in ${blocks} block${blocks === 1 ? '' : 's'} · metadata ${bytes(total('metadata'))} · free ${bytes(total('free'))} · never written ${bytes(total('untouched'))}`;
}

// ---- style ----------------------------------------------------------------------------------

/** System fonts only: the page must render offline exactly as it does online. */
const CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --dim: #5f6368; --line: #d0d4da; --pass: #1a7f37; --fail: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 16px; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
details.broken { margin: 12px 0; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
nav a { color: #1f5fbf; }
.summary, .note, .chart-note, footer { color: var(--dim); }
.note { max-width: 100ch; }
.table-wrap { overflow-x: auto; }
table.results { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.results th, table.results td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; white-space: nowrap; }
table.results thead th { background: #f3f4f6; }
table.results tbody th { font-weight: 600; }
td.pass { color: var(--pass); }
td.fail { color: var(--fail); background: #fdecea; font-weight: 600; }
td.fail a { color: inherit; text-decoration: none; }
td.num { text-align: right; }
.fail { color: var(--fail); }
ol.broken li { margin: 4px 0; }
details.scenario { margin: 8px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; }
details.scenario > summary, details.broken > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
.grid { display: flex; flex-wrap: wrap; gap: 12px 28px; }
figure { margin: 8px 0; }
figcaption { margin-bottom: 4px; }
/* A chart's notes wrap within its own width, so charts still sit side by side. */
figure.cycles { width: 640px; max-width: 100%; }
figure.metric { width: 560px; max-width: 100%; }
svg { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg text { fill: var(--fg); }
svg text.op { font-weight: 600; }
svg text.empty, p.empty, .chart-note { color: var(--dim); fill: var(--dim); font-style: italic; }
svg text.figures, svg .axis text, svg text.offset { fill: var(--dim); font-variant-numeric: tabular-nums; }
svg .axis line { stroke: #999; }
svg .axis line.grid { stroke: #eceef1; }
svg rect.span { stroke: none; }
svg rect.frame { fill: none; stroke: #b8bcc2; stroke-width: 1; }
figure.heap svg { width: 100%; }
.box-key, .tick-key, .swatch { display: inline-block; vertical-align: middle; }
.box-key { width: 22px; height: 10px; background: rgba(59, 111, 182, 0.3); border: 1px solid #3b6fb6; }
.tick-key { width: 2px; height: 14px; background: #222; }
.swatch { width: 14px; height: 14px; border: 1px solid #aaa; margin-left: 10px; }
footer { margin-top: 32px; padding-bottom: 24px; font-size: 12px; }
`;
