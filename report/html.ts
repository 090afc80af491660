// The HTML report of a compare (sramlab compare --html FILE): one self-contained page — inline
// CSS and inline SVG, no script, no fonts or images fetched — that a CI job can keep as an
// artifact and anyone can open offline. It holds the verdicts (allocator × scenario, the
// profiles that agree shown once), the broken rules as findings, the worst-case and p99 cycles
// per call with their microseconds at each profile's clock and the peak stack, the cycles per
// operation as distributions (each profile on one axis per allocator), utilisation at the first
// failed allocation, the largest block after the workload, and heap maps drawn to scale.
//
// Every colour that means something has a legend on the page (see COLOURS), and every table
// fits a 1400-pixel window however many scenarios were compared (the allocator × scenario tables
// are cut into bands of at most MATRIX_COLUMNS scenarios); a narrower window scrolls a table
// sideways with its first column kept.
//
// Every piece of text from the data goes through the html`` tag below, which escapes whatever
// it interpolates unless it is already Html; so a violation message or a file name with '<' or
// '&' in it can never become markup. The page carries no wall-clock time: the same results
// give the same bytes.

import type { Summary } from '../checks/metrics.ts';
import type { OpKind } from '../checks/session.ts';
import type { CompareReport } from '../runners/compare.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import { bytes, type HeapMap, type HeapSpan, type SpanKind } from '../views/heap-map.ts';
import type { HeapMapView } from './heap-maps.ts';
import { clockMHz, formatMicros, type Measured, OP_KINDS, typicalPart, worstOf } from './timing.ts';
import { type Finding, findings, groupByVerdict, type Verdict, type VerdictGroup, type VerdictKind } from './verdicts.ts';

// ---- safe markup ----------------------------------------------------------------------------

/** Markup that is already safe: built by html``, never from raw data. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
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
  values.forEach((v, i) => {
    out += partText(v) + strings[i + 1]!;
  });
  return new Html(out);
}

// ---- numbers and names ----------------------------------------------------------------------

/** "M0", "M0+", "M3": what a chart row or a list of profiles calls a profile. */
export function shortProfile(mcu: string): string {
  return mcu
    .replace(/^cortex-/, '')
    .replace(/plus$/, '+')
    .toUpperCase();
}

const num = (n: number): string => n.toLocaleString('en');

/** A class name part that is only [a-z0-9-] whatever the data holds. */
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** A scenario name that may break after its hyphens, so narrow columns wrap instead of clip. */
const breakable = (name: string): Html[] => name.split(/(?<=-)/).map((part, i) => html`${i ? new Html('<wbr>') : ''}${part}`);

/**
 * Most scenario columns one allocator × scenario table holds. A column needs about 115 px at
 * worst (a split cell, "✓ caught containment" wrapped), the allocator column about 150, and the
 * page is 1352 px inside its margins: ten fit with room to spare.
 */
export const MATRIX_COLUMNS = 10;

/** The scenarios cut into as few bands of at most MATRIX_COLUMNS as will do, of even sizes (14: 7 + 7). */
export function matrixBands<T>(scenarios: readonly T[]): T[][] {
  const n = Math.max(1, Math.ceil(scenarios.length / MATRIX_COLUMNS));
  const size = Math.ceil(scenarios.length / n);
  return Array.from({ length: n }, (_, i) => scenarios.slice(i * size, (i + 1) * size)).filter((b) => b.length > 0);
}

/** A round axis end at or above v and a step giving about five ticks (1, 2 or 5 × 10^k). */
export function niceScale(v: number): { max: number; step: number } {
  if (!(v > 0)) return { max: 1, step: 1 };
  const raw = v / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  return { max: Math.ceil(v / step - 1e-9) * step, step };
}

/** Distinct values in first-seen order: the compare's own order of allocators, profiles, scenarios. */
const distinct = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The compare's results, looked up by allocator, profile and scenario. */
class Results {
  readonly allocators: string[];
  readonly mcus: string[];
  readonly scenarios: string[];
  readonly findings: Finding[];
  private readonly byKey = new Map<string, ScenarioResult>();
  private readonly findingOf = new Map<ScenarioResult, Finding>();

  constructor(readonly report: CompareReport) {
    const rs = report.results;
    this.allocators = distinct(rs.map((r) => r.allocator));
    this.mcus = distinct(rs.map((r) => r.mcu));
    this.scenarios = distinct(rs.map((r) => r.scenario));
    for (const r of rs) this.byKey.set(Results.key(r.allocator, r.mcu, r.scenario), r);
    this.findings = findings(this.allocators, this.scenarios, (a, s) => this.runs(a, s));
    for (const f of this.findings) for (const r of f.runs) this.findingOf.set(r, f);
  }

  private static key(a: string, m: string, s: string): string {
    return JSON.stringify([a, m, s]);
  }

  get(allocator: string, mcu: string, scenario: string): ScenarioResult | undefined {
    return this.byKey.get(Results.key(allocator, mcu, scenario));
  }

  /** One allocator × scenario on every profile compared, in profile order. */
  runs(allocator: string, scenario: string): ScenarioResult[] {
    return this.mcus.map((m) => this.get(allocator, m, scenario)).filter((r): r is ScenarioResult => !!r);
  }

  /** One allocator × profile in every scenario compared. */
  runsOn(allocator: string, mcu: string): ScenarioResult[] {
    return this.scenarios.map((s) => this.get(allocator, mcu, s)).filter((r): r is ScenarioResult => !!r);
  }

  finding(r: ScenarioResult): Finding | undefined {
    return this.findingOf.get(r);
  }
}

/** "M0, M0+, M3, M4", or "every profile" when that is all of them. */
function profilesText(res: Results, runs: readonly ScenarioResult[]): string {
  const names = runs.map((r) => shortProfile(r.mcu)).join(', ');
  return runs.length > 1 && runs.length === res.mcus.length ? `${names} (every profile)` : names;
}

/** A legend entry: a key drawn with the very class the page colours with, and its meaning. */
const key = (cls: string, words: string, sample = ''): Html =>
  html`<span class="entry"><span class="key ${cls}">${sample}</span> ${words}</span>`;

// ---- the page -------------------------------------------------------------------------------

/**
 * The whole page for a compare report and the heap maps collected beside it. command: the
 * compare as the caller ran it (a user's image by its path), when it knows better than the results.
 */
export function renderCompareHtml(report: CompareReport, heapMaps: readonly HeapMapView[] = [], command?: string): string {
  const res = new Results(report);
  const failed = report.results.filter((r) => !r.ok).length;
  const title = `sramlab compare: ${res.allocators.length} allocators × ${res.mcus.length} profiles × ${res.scenarios.length} scenarios`;
  const folded =
    failed === 0
      ? ''
      : res.mcus.length > 1
        ? `, ${res.findings.length} distinct finding${res.findings.length === 1 ? '' : 's'} once the profiles that agree are taken together`
        : '';
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
<p class="summary">${report.results.length} runs with every check on; ${failed === 0 ? 'every rule held in every run' : `${failed} broke a rule${folded}`}.
Seed ${report.seed}, ${report.ops} operations per counted scenario, heap ${report.heap === null ? 'the default (16 KiB, or the whole region where smaller)' : bytes(report.heap)}.
Cycles are emulated, from the Technical Reference Manuals' timing tables: the same on every machine.</p>
<p class="replay">Run again: <code>${command ?? replayCommand(report, res)}</code></p>
<nav><a href="#results">verdicts</a> · <a href="#findings">broken rules</a> · <a href="#timing">worst case and p99</a> · <a href="#cycles">cycles by scenario</a> · <a href="#utilisation">utilisation</a> · <a href="#fragmentation">fragmentation</a> · <a href="#heap-maps">heap maps</a></nav>
</header>
<main>
${resultsSection(res)}
${timingSection(res)}
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
  return (
    `sramlab compare --alloc ${res.allocators.join(',')} --mcu ${res.mcus.join(',')} --scenario ${res.scenarios.join(',')} ` +
    `--seed ${report.seed} --ops ${report.ops}${heap} --html report.html`
  );
}

// ---- verdicts: allocator × scenario, the profiles that agree shown once -------------------

const VERDICT_CLASS: Readonly<Record<VerdictKind, string>> = { held: 'c-held', caught: 'c-caught', broke: 'c-broke' };

/**
 * A verdict's words in pieces that never break inside ("✓ caught" | "stack"), so a narrow
 * column wraps between them and never splits a mark from its word.
 */
const verdictWords = (v: Verdict): string[] =>
  v.kind === 'held' ? ['✓'] : v.kind === 'caught' ? ['✓ caught', v.rule ?? '?'] : [`✗ ${v.rule}`];

function resultsSection(res: Results): Html {
  const several = res.mcus.length > 1;
  return html`<section id="results">
<h2>Verdicts</h2>
<p class="legend">${key('c-held', 'every check held', '✓')}${key('c-caught', 'a scenario made to break a rule, and that rule caught it', '✓ caught')}${key('c-broke', 'the first rule that broke (the list below says where)', '✗ rule')}</p>
${several ? html`<p class="note">One verdict per cell where every profile (${res.mcus.map(shortProfile).join(', ')}) agrees; otherwise a line per group of profiles that agree. The cycles, microseconds and stack are in the tables below.</p>` : ''}
${matrixBands(res.scenarios).map(
  (band) => html`<div class="table-wrap"><table class="matrix verdicts">
<thead><tr><th scope="col" class="first">allocator</th>${band.map((s) => html`<th scope="col" data-scenario="${s}">${breakable(s)}</th>`)}</tr></thead>
<tbody>
${res.allocators.map(
  (a) => html`<tr data-allocator="${a}"><th scope="row" class="first">${a}</th>${band.map((s) => verdictCell(res, a, s))}</tr>
`,
)}
</tbody>
</table></div>
`,
)}
${findingsList(res)}
</section>`;
}

function verdictCell(res: Results, allocator: string, scenario: string): Html {
  const groups = groupByVerdict(res.runs(allocator, scenario));
  if (groups.length === 0) return html`<td class="none" data-scenario="${scenario}" title="not run">—</td>`;
  const line = (g: VerdictGroup): Html => {
    const r = g.runs[0]!;
    const f = res.finding(r);
    const text = verdictWords(g.verdict).map((w, i) => html`${i ? ' ' : ''}<span class="word">${w}</span>`);
    const tip = `${profilesText(res, g.runs)}: ${r.violation?.message ?? r.caught?.message ?? 'every check held'}`;
    return f ? html`<a class="label" href="#${f.id}" title="${tip}">${text}</a>` : html`<span class="label" title="${tip}">${text}</span>`;
  };
  if (groups.length === 1) {
    const g = groups[0]!;
    return html`<td class="verdict ${VERDICT_CLASS[g.verdict.kind]}" data-scenario="${scenario}" data-runs="${g.runs.length}" data-mcus="${g.runs.map((r) => r.mcu).join(' ')}">${line(g)}</td>`;
  }
  return html`<td class="verdict split" data-scenario="${scenario}">${groups.map((g) => html`<div class="${VERDICT_CLASS[g.verdict.kind]}" data-runs="${g.runs.length}" data-mcus="${g.runs.map((r) => r.mcu).join(' ')}"><span class="profiles">${g.runs.map((r) => shortProfile(r.mcu)).join(' ')}</span> ${line(g)}</div>`)}</td>`;
}

/** Past this many, the list of findings starts folded, so the tables stay near the top. */
const FINDINGS_OPEN_MAX = 12;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function findingsList(res: Results): Html {
  const fs = res.findings;
  if (fs.length === 0) return html`<p class="all-held" id="findings">No rule broke in any run.</p>`;
  const runs = fs.reduce((n, f) => n + f.runs.length, 0);
  return html`<details class="findings" id="findings"${flag(fs.length <= FINDINGS_OPEN_MAX, 'open')}>
<summary>Broken rules: ${fs.length} finding${fs.length === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'}</summary>
<ol class="findings">
${fs.map((f) => findingItem(res, f))}
</ol>
</details>`;
}

/**
 * The finding's message; where the profiles' messages differ only in what names the code (the
 * PC where a call was interrupted, say), each one with the profiles that gave it.
 */
function findingMessages(f: Finding): Html {
  const byText = new Map<string, ScenarioResult[]>();
  for (const r of f.runs) {
    const m = r.violation?.message ?? '';
    byText.set(m, [...(byText.get(m) ?? []), r]);
  }
  if (byText.size === 1) return html`<div class="message">${[...byText.keys()][0]}</div>`;
  return html`${[...byText].map(([m, rs]) => html`<div class="message"><span class="profiles">${rs.map((r) => shortProfile(r.mcu)).join(' ')}:</span> ${m}</div>`)}`;
}

function findingItem(res: Results, f: Finding): Html {
  const first = f.runs[0]!;
  const v = first.violation;
  const at: string[] = [];
  if (v?.address !== undefined)
    at.push(
      `address ${hex(v.address)}${v.size ? `, ${v.size} byte${v.size === 1 ? '' : 's'}` : ''}${v.access ? ` ${v.access}` : ''}${v.region ? ` in ${v.region}` : ''}`,
    );
  // The code differs per architecture, so the PC is each profile's own.
  const pcs = f.runs
    .filter((r) => r.violation?.pc !== undefined)
    .map((r) => {
      const w = r.violation!;
      return `${shortProfile(r.mcu)} ${hex(w.pc!)}${w.symbol ? ` ${w.symbol}` : ''}${w.source ? ` (${w.source})` : ''}`;
    });
  return html`<li id="${f.id}" data-allocator="${f.allocator}" data-scenario="${f.scenario}" data-runs="${f.runs.length}" data-mcus="${f.runs.map((r) => r.mcu).join(' ')}"><strong>${f.allocator} · ${f.scenario}</strong>: rule <em class="c-broke">${v?.rule ?? '?'}</em> at operation ${v?.operation ?? '?'}${v?.kind ? ` (${v.kind})` : ''} on <span class="profiles">${profilesText(res, f.runs)}</span>.
${findingMessages(f)}
${at.length ? html`<div class="where">${at.join('; ')}</div>` : ''}${pcs.length ? html`<div class="where">pc: ${pcs.join(' · ')}</div>` : ''}
<code>${first.replay}</code>${
    f.runs.length > 1
      ? html` <span class="dim">(or --mcu ${f.runs
          .slice(1)
          .map((r) => r.mcu)
          .join(', ')})</span>`
      : ''
  }</li>
`;
}

// ---- worst case and p99, in cycles and microseconds ----------------------------------------

function clockNote(res: Results): Html {
  return html`<p class="note">Microseconds are cycles ÷ the profile's clock: ${res.mcus.map((m, i) => {
    const mhz = clockMHz(m);
    const part = typicalPart(m);
    return html`${i ? ' · ' : ''}<span class="clock" data-mcu="${m}" data-mhz="${mhz ?? ''}">${shortProfile(m)} ${mhz === undefined ? 'no clock known' : `${num(mhz)} MHz`}${part ? ` (${part})` : ''}</span>`;
  })}. Each is the top clock of the typical part its profile is modelled on, as sramlab's profiles declare it (emulator/profiles.ts). The cycle model is the TRMs' zero-wait-state timing, so a part running from flash with wait states at that clock takes longer.</p>`;
}

/** A cycles figure with its microseconds below it; a dash, with the reason, where there is none. */
function timeCell(mcu: string, kind: OpKind, stat: 'p99' | 'max', m: Measured | undefined, scope: string): Html {
  if (!m)
    return html`<td class="none" data-mcu="${mcu}" data-op="${kind}" data-stat="${stat}" title="${`no ${kind} call ${scope}`}">—</td>`;
  const mhz = clockMHz(mcu);
  const what = stat === 'max' ? `the slowest ${kind} call` : `the p99 of ${kind} calls`;
  return html`<td class="time" data-mcu="${mcu}" data-op="${kind}" data-stat="${stat}" data-cycles="${m.value}" title="${`${what}: ${num(m.value)} cycles, in ${m.scenario}`}"><span class="cy">${num(m.value)}</span><span class="us">${mhz === undefined ? '— µs' : `${formatMicros(m.value / mhz)} µs`}</span></td>`;
}

/** Rows allocator × profile: clock, p99 and worst per kind of call, peak stack (and, over every scenario, code and state). */
function timingTable(res: Results, scope: 'worst' | string, runsOf: (a: string, m: string) => ScenarioResult[]): Html {
  const overall = scope === 'worst';
  const inWhat = overall ? 'in these scenarios' : `in ${scope}`;
  const rows = res.allocators.flatMap((a) =>
    res.mcus.map((m, i) => {
      const runs = runsOf(a, m);
      const w = worstOf(runs);
      const fp = runs.find((r) => r.elf === undefined)?.footprint;
      const mhz = clockMHz(m);
      return html`<tr data-allocator="${a}" data-mcu="${m}">${i === 0 ? html`<th scope="rowgroup" class="first" rowspan="${res.mcus.length}">${a}</th>` : ''}<td class="mcu">${shortProfile(m)}</td><td class="num">${mhz === undefined ? '—' : `${num(mhz)} MHz`}</td>${OP_KINDS.flatMap((k) => [timeCell(m, k, 'p99', w.p99[k], inWhat), timeCell(m, k, 'max', w.max[k], inWhat)])}${w.peakStack ? html`<td class="num" data-stat="stack" title="${`in ${w.peakStack.scenario}`}">${num(w.peakStack.value)} B</td>` : html`<td class="none" title="no call made">—</td>`}${overall ? html`<td class="num">${fp ? `${num(fp.flashBytes)} / ${num(fp.ramBytes)}` : '—'}</td>` : ''}</tr>
`;
    }),
  );
  return html`<div class="table-wrap"><table class="timing" data-scope="${scope}">
<thead><tr><th scope="col" class="first" rowspan="2">allocator</th><th scope="col" rowspan="2">profile</th><th scope="col" rowspan="2">clock</th>${OP_KINDS.map((k) => html`<th scope="colgroup" colspan="2" class="kind">${k}</th>`)}<th scope="col" rowspan="2" title="most stack any allocator call used">peak stack</th>${overall ? html`<th scope="col" rowspan="2" title="flash bytes of allocator code / RAM bytes of allocator state">code / state</th>` : ''}</tr>
<tr>${OP_KINDS.map(() => html`<th scope="col" title="99th percentile (nearest rank)">p99</th><th scope="col" title="the slowest call">worst</th>`)}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

function timingSection(res: Results): Html {
  const expected = distinct(res.report.results.filter((r) => r.expected !== undefined).map((r) => r.scenario));
  return html`<section id="timing">
<h2>Worst case and p99 per call</h2>
<p class="note">Per allocator and profile, over every scenario of this compare: the highest p99 and the slowest call of each kind, in cycles and below them in microseconds, and the most stack any allocator call used (hover a figure for the scenario it comes from).
A run that broke a rule counts the calls before it${expected.length ? html`; ${expected.join(' and ')} ${expected.length === 1 ? 'is' : 'are'} left out where made to break a rule (${expected.length === 1 ? 'its' : 'their'} one call says nothing about speed)` : ''}. Each scenario's own figures are under “cycles by scenario”.</p>
${clockNote(res)}
${timingTable(res, 'worst', (a, m) => res.runsOn(a, m))}
</section>`;
}

// ---- cycles per operation: one chart per allocator, every profile on one axis --------------

/** The scenario whose details are open: a mixed workload where the compare has one. */
function headlineScenario(scenarios: readonly string[]): string | undefined {
  return ['random-actions', 'chunk-bench', 'heap-exhaustion'].find((s) => scenarios.includes(s)) ?? scenarios[0];
}

function profileLegend(res: Results): Html {
  return html`<p class="legend">${res.mcus.map((m) => key(`c-${slug(m)}`, `${shortProfile(m)} (${m})`))}${key('shape-box', 'bar: min → p99')}${key('shape-tick', 'median')}${key('shape-whisker', 'whisker to the slowest call')}</p>`;
}

function cyclesSection(res: Results): Html {
  const open = headlineScenario(res.scenarios);
  return html`<section id="cycles">
<h2>Cycles by scenario</h2>
<p class="note">For each scenario: the same table as above for that scenario alone, then per allocator and kind of call one row per profile on the same axis (shared by every allocator in the scenario). A run that broke a rule counts the calls before it.</p>
${profileLegend(res)}
${res.scenarios.map((s) => {
  const made = res.report.results.some((r) => r.scenario === s && r.expected !== undefined);
  return html`<details class="scenario" data-scenario="${s}"${flag(s === open, 'open')}>
<summary>${s}</summary>
${made ? html`<p class="note">${s} is made to break a rule on ${res.report.results.filter((r) => r.scenario === s && r.expected !== undefined).length === res.allocators.length * res.mcus.length ? 'every profile' : 'some profiles'}: those runs stop in their first calls, so their figures are left out.</p>` : ''}${timingTable(res, s, (a, m) => res.runs(a, s).filter((r) => r.mcu === m))}
<div class="grid">${res.allocators.map((a) => cyclesFigure(res, a, s, cyclesScaleOf(res, s)))}</div>
</details>
`;
})}
</section>`;
}

/** The x scale of a scenario's cycles charts: shared so the allocators compare by eye. */
function cyclesScaleOf(res: Results, scenario: string): { max: number; step: number } {
  let top = 0;
  for (const a of res.allocators)
    for (const r of res.runs(a, scenario)) for (const k of OP_KINDS) top = Math.max(top, r.stats[k].cycles.max);
  return niceScale(top);
}

/** Geometry of a cycles chart: labels, plot, then room for the four figures of each row. */
const CY = { width: 640, label: 48, plot: 300, rowH: 16, headH: 18, gap: 6, axisH: 24 } as const;

function cyclesFigure(res: Results, allocator: string, scenario: string, scale: { max: number; step: number }): Html {
  const runs = res.runs(allocator, scenario);
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
  const broken = groupByVerdict(runs).filter((g) => g.verdict.kind === 'broke');
  // The axis first, so its gridlines lie under the bars.
  const body = html`${axis(x, scale, y, CY.label, CY.plot, num)}${parts}`;
  const height = kinds.length ? y + CY.axisH : 24;
  return html`<figure class="chart cycles" data-allocator="${allocator}" data-scenario="${scenario}">
<figcaption><strong>${allocator}</strong> · ${scenario} · cycles per call</figcaption>
<svg class="cycles-chart" data-allocator="${allocator}" data-scenario="${scenario}" width="${CY.width}" height="${height}" viewBox="0 0 ${CY.width} ${height}" role="img" aria-label="${`cycles per operation of ${allocator} in ${scenario}`}">${kinds.length ? body : html`<text x="0" y="16" class="empty">no operations</text>`}</svg>
${broken.length ? html`<p class="chart-note c-broke">✗ ${broken.map((g) => `${g.runs.map((r) => shortProfile(r.mcu)).join(' ')}: ${g.verdict.rule} at operation ${g.runs[0]!.violation?.operation ?? '?'}`).join('; ')}</p>` : ''}
</figure>
`;
}

/** One box-plot-like row: a bar from min to p99, a tick at the median, a whisker on to max. */
function distributionRow(r: ScenarioResult, kind: OpKind, y: number, x: (v: number) => number): Html {
  const c = r.stats[kind].cycles;
  const label = html`<text class="profile" x="10" y="${y + 11}">${shortProfile(r.mcu)}</text>`;
  if (c.count === 0)
    return html`<g class="dist" data-mcu="${r.mcu}" data-op="${kind}">${label}<text class="empty" x="${CY.label}" y="${y + 11}">no calls</text></g>`;
  const mid = y + CY.rowH / 2;
  return html`<g class="dist c-${slug(r.mcu)}" data-mcu="${r.mcu}" data-op="${kind}"><title>${describeSummary(r, kind, c)}</title>${label}<line class="whisker" x1="${x(c.min)}" y1="${mid}" x2="${x(c.max)}" y2="${mid}"/><line class="whisker" x1="${x(c.max)}" y1="${mid - 4}" x2="${x(c.max)}" y2="${mid + 4}"/><rect class="box" x="${x(c.min)}" y="${mid - 5}" width="${Math.max(2, x(c.p99) - x(c.min))}" height="10"/><line class="median" x1="${x(c.median)}" y1="${mid - 7}" x2="${x(c.median)}" y2="${mid + 7}"/><text class="figures" x="${CY.label + CY.plot + 10}" y="${y + 11}">${`min ${num(c.min)} · med ${num(c.median)} · p99 ${num(c.p99)} · max ${num(c.max)}`}</text></g>`;
}

function describeSummary(r: ScenarioResult, kind: OpKind, c: Summary): string {
  return `${r.allocator} on ${r.mcu}, ${kind}: ${num(c.count)} calls; cycles min ${num(c.min)}, median ${num(c.median)}, p99 ${num(c.p99)}, max ${num(c.max)}, mean ${c.mean.toFixed(1)}`;
}

/** Gridlines and tick labels along the bottom of a plot area. */
function axis(
  x: (v: number) => number,
  scale: { max: number; step: number },
  y: number,
  left: number,
  width: number,
  label: (v: number) => string,
): Html {
  const ticks: number[] = [];
  for (let v = 0; v <= scale.max + scale.step / 2; v += scale.step) ticks.push(v);
  return html`<g class="axis"><line x1="${left}" y1="${y}" x2="${left + width}" y2="${y}"/>${ticks.map((v) => html`<line class="grid" x1="${x(v)}" y1="0" x2="${x(v)}" y2="${y}"/><text x="${x(v)}" y="${y + 14}" text-anchor="middle">${label(v)}</text>`)}</g>`;
}

// ---- utilisation and fragmentation: allocator × scenario, the profiles that agree once ------

/** A metric's cell for one run: its value, or why it has none. */
interface MetricShown {
  /** Fraction of the bar (0..1), when there is a value. */
  share?: number;
  text: string;
  title: string;
  /** The run went on to break a rule after the value was measured. */
  brokeLater?: string;
}

/** The cells of one allocator × scenario: the profiles showing the same thing taken together. */
function metricCell(res: Results, allocator: string, scenario: string, show: (r: ScenarioResult) => MetricShown): Html {
  const runs = res.runs(allocator, scenario);
  if (runs.length === 0) return html`<td class="none" data-scenario="${scenario}" title="not run">—</td>`;
  // Profiles showing the same figure (or the same dash) share a line; the reasons stay in its title.
  const groups: { shown: MetricShown; runs: ScenarioResult[]; titles: Map<string, string[]> }[] = [];
  for (const r of runs) {
    const shown = show(r);
    let g = groups.find((x) => x.shown.text === shown.text && x.shown.brokeLater === shown.brokeLater);
    if (!g) {
      g = { shown, runs: [], titles: new Map() };
      groups.push(g);
    }
    g.runs.push(r);
    g.titles.set(shown.title, [...(g.titles.get(shown.title) ?? []), shortProfile(r.mcu)]);
  }
  for (const g of groups) {
    if (g.titles.size > 1) g.shown = { ...g.shown, title: [...g.titles].map(([t, ps]) => `${ps.join(' ')}: ${t}`).join('; ') };
  }
  const body = (s: MetricShown): Html =>
    s.share === undefined
      ? html`<span class="dash" title="${s.title}">${s.text}</span>`
      : html`<span class="value" title="${s.title}"><span class="bar c-share" style="width:${(100 * Math.min(1, s.share)).toFixed(1)}%"></span>${s.text}${s.brokeLater ? html` <span class="c-broke" title="${`this run broke the ${s.brokeLater} rule later`}">✗</span>` : ''}</span>`;
  if (groups.length === 1) {
    const g = groups[0]!;
    return html`<td class="metric${g.shown.share === undefined ? ' none' : ''}" data-scenario="${scenario}" data-runs="${g.runs.length}">${body(g.shown)}</td>`;
  }
  return html`<td class="metric split" data-scenario="${scenario}">${groups.map((g) => html`<div data-runs="${g.runs.length}"><span class="profiles">${g.runs.map((r) => shortProfile(r.mcu)).join(' ')}</span> ${body(g.shown)}</div>`)}</td>`;
}

function metricTable(res: Results, id: string, scenarios: readonly string[], show: (r: ScenarioResult) => MetricShown): Html {
  return html`${matrixBands(scenarios).map(
    (band) => html`<div class="table-wrap"><table class="matrix ${id}">
<thead><tr><th scope="col" class="first">allocator</th>${band.map((s) => html`<th scope="col" data-scenario="${s}">${breakable(s)}</th>`)}</tr></thead>
<tbody>
${res.allocators.map(
  (a) => html`<tr data-allocator="${a}"><th scope="row" class="first">${a}</th>${band.map((s) => metricCell(res, a, s, show))}</tr>
`,
)}
</tbody>
</table></div>
`,
  )}`;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** Why a run made to break a rule has no figure of this kind. */
const madeToBreak = (r: ScenarioResult): string =>
  `${r.scenario} is made to break the ${r.expected} rule: it never fills the heap, so there is nothing to measure`;

function utilisationShown(r: ScenarioResult): MetricShown {
  const u = r.utilisationAtFirstFailure;
  if (r.expected !== undefined) return { text: '—', title: madeToBreak(r) };
  if (u === null) {
    return r.ok
      ? { text: '—', title: 'no allocation failed in this run, so there is no first failure to measure at' }
      : { text: '—', title: `the run broke the ${r.violation?.rule ?? '?'} rule before any allocation failed` };
  }
  // Nothing live: the allocator refused a request it cannot serve whatever the heap holds (an alignment, a size above its slot).
  if (u === 0)
    return {
      text: '—',
      title: 'an allocation failed with no block live: a request this allocator refuses whatever the heap holds, not a full heap',
    };
  return {
    share: u,
    text: pct(u),
    title: `${pct(u)} of the ${num(r.heap)}-byte heap was in live blocks when an allocation first returned NULL`,
    ...(r.ok ? {} : { brokeLater: r.violation?.rule ?? '?' }),
  };
}

function largestShown(r: ScenarioResult): MetricShown {
  const b = r.largestBlockAfter;
  if (r.expected !== undefined) return { text: '—', title: madeToBreak(r) };
  if (b === null)
    return r.ok
      ? { text: '—', title: 'this scenario does not measure it' }
      : { text: '—', title: `the run broke the ${r.violation?.rule ?? '?'} rule before the end of its workload, where it is measured` };
  return {
    share: b / r.heap,
    text: bytes(b),
    title: `${num(b)} bytes of the ${num(r.heap)}-byte heap, with the workload's blocks live`,
    ...(r.ok ? {} : { brokeLater: r.violation?.rule ?? '?' }),
  };
}

function metricLegend(): Html {
  return html`<p class="legend">${key('c-share', 'share of the heap')}${key('c-broke', 'the run broke a rule afterwards', '✗')}<span class="entry"><span class="dash">—</span> no figure: hover it for why</span></p>`;
}

function utilisationSection(res: Results): Html {
  return html`<section id="utilisation">
<h2>Utilisation at the first failed allocation</h2>
<p class="note">Bytes in live blocks over the heap size when an allocation first returned NULL: how much of its heap an allocator can hand out before it says no. Higher is better. One figure per cell where every profile agrees.</p>
${metricLegend()}
${metricTable(res, 'utilisation', res.scenarios, utilisationShown)}
</section>`;
}

function fragmentationSection(res: Results): Html {
  const measuring = res.scenarios.filter((s) => res.report.results.some((r) => r.scenario === s && r.largestBlockAfter !== null));
  return html`<section id="fragmentation">
<h2>Largest block after the workload</h2>
<p class="note">The largest block the allocator would still serve at the end of the workload, with the workload's blocks live: the less fragmented, the larger. Higher is better. Only the scenarios that measure it are shown (fragmentation and random-actions do).</p>
${measuring.length ? html`${metricLegend()}${metricTable(res, 'fragmentation', measuring, largestShown)}` : html`<p class="empty">None of these scenarios measures it.</p>`}
</section>`;
}

// ---- heap maps: to scale, a few rows per heap ------------------------------------------------

const HM = { width: 1000, label: 64, rows: 4, rowH: 22, gap: 4 } as const;

const KIND_WORDS: Readonly<Record<SpanKind, string>> = {
  live: 'live block',
  metadata: 'allocator metadata',
  free: 'free (written once, in no block now)',
  untouched: 'never written',
  violation: 'where a rule broke',
};
const SPAN_KINDS = Object.keys(KIND_WORDS) as SpanKind[];

function heapMapsSection(views: readonly HeapMapView[]): Html {
  if (views.length === 0)
    return html`<section id="heap-maps"><h2>Heap maps</h2><p class="empty">No heap maps in this report.</p></section>`;
  const { scenario, mcu } = views[0]!;
  return html`<section id="heap-maps">
<h2>Heap maps: ${scenario} on ${mcu}</h2>
<p class="note">Each heap in use drawn to scale, lowest address top left, in ${HM.rows} rows of equal bytes. Hover a span for its address and size.</p>
<p class="legend">${SPAN_KINDS.map((k) => (k === 'live' ? html`${key('c-live', 'live block')}${key('c-live-alt', 'the next live block (two shades, so blocks that touch stay two)')}` : key(`c-${k}`, KIND_WORDS[k])))}</p>
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
<p class="chart-note">${kindTotals(m)}${m.violation ? html` · <span class="c-broke">✗ ${m.violation.rule}: ${m.violation.message}</span>` : ''}</p>
</figure>
`;
}

function rowLabels(rowBytes: number): Html[] {
  return Array.from(
    { length: HM.rows },
    (_, i) =>
      html`<text class="offset" x="0" y="${i * (HM.rowH + HM.gap) + 15}">${`+0x${(i * rowBytes).toString(16).padStart(4, '0')}`}</text>`,
  );
}

/** An outline around each row's bytes, so never-written bytes (near white) still show where the heap ends. */
function rowFrames(size: number, rowBytes: number): Html[] {
  return Array.from({ length: HM.rows }, (_, i) => {
    const w = (Math.min(rowBytes, size - i * rowBytes) / rowBytes) * HM.width;
    return w > 0
      ? html`<rect class="frame" x="${HM.label}" y="${i * (HM.rowH + HM.gap)}" width="${w.toFixed(2)}" height="${HM.rowH}"/>`
      : html``;
  });
}

/** The spans as rectangles, a span that crosses a row's end split in two; scale = px per byte. */
function heapSpans(m: HeapMap, rowBytes: number): Html[] {
  const perByte = HM.width / rowBytes;
  const out: Html[] = [];
  let liveIndex = 0;
  for (const s of m.spans) {
    // Every other live block a shade lighter, so two blocks that touch stay two.
    const colour = s.kind === 'live' && liveIndex++ % 2 ? 'c-live-alt' : `c-${s.kind}`;
    const tip = spanTitle(s);
    for (let a = s.start - m.heapStart; a < s.end - m.heapStart; ) {
      const row = Math.floor(a / rowBytes);
      const end = Math.min(s.end - m.heapStart, (row + 1) * rowBytes);
      const x = HM.label + (a - row * rowBytes) * perByte;
      out.push(
        html`<rect class="span ${s.kind} ${colour}" x="${x.toFixed(2)}" y="${row * (HM.rowH + HM.gap)}" width="${((end - a) * perByte).toFixed(2)}" height="${HM.rowH}"><title>${tip}</title></rect>`,
      );
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

/**
 * Every colour that carries meaning is a c-* class, and each is drawn in a legend with that same
 * class; --c is the colour for whatever draws with it (an SVG fill or stroke, a legend key, a bar).
 */
const COLOURS: Readonly<Record<string, string>> = {
  'c-cortex-m0': '#3b6fb6',
  'c-cortex-m0plus': '#2a9d8f',
  'c-cortex-m3': '#e07a1f',
  'c-cortex-m4': '#8e5bb5',
  'c-live': '#4e79a7',
  'c-live-alt': '#86a8d0',
  'c-metadata': '#f28e2b',
  'c-free': '#d4d4d4',
  'c-untouched': '#f6f6f6',
  'c-violation': '#d62728',
  'c-share': '#7fa7d9',
};

/** System fonts only: the page must render offline exactly as it does online. */
const CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --dim: #5f6368; --line: #d0d4da; --head: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 16px; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--head); padding: 1px 4px; border-radius: 3px; word-break: break-all; }
nav a { color: #1f5fbf; }
.summary, .note, .chart-note, footer, .dim, .profiles, .where { color: var(--dim); }
.note { max-width: 110ch; }
${Object.entries(COLOURS)
  .map(([cls, c]) => `.${cls} { --c: ${c}; }`)
  .join('\n')}
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0; }
.legend .entry { white-space: nowrap; }
.key { display: inline-block; vertical-align: middle; min-width: 14px; height: 14px; border: 1px solid #aaa; background: var(--c, transparent); }
.key.c-held, .key.c-caught, .key.c-broke { height: auto; border: none; padding: 0 4px; font-weight: 600; }
/* After .key, so a legend key shows a verdict's background as the table does. */
.c-held { color: #1a7f37; }
.c-caught, .key.c-caught { color: #0b6e99; background: #e6f2f8; }
.c-broke, .key.c-broke { color: #c62828; background: #fdecea; }
.key.shape-box { width: 22px; height: 10px; background: #e2e4e8; border-color: #777; }
.key.shape-tick { min-width: 2px; width: 2px; border: none; background: #222; }
.key.shape-whisker { width: 22px; height: 1px; border: none; background: #777; }
/* Tables: wrapped in a box that scrolls sideways on a narrow window, the first column staying in view. */
.table-wrap { overflow-x: auto; max-width: 100%; margin: 8px 0; }
/* A shade at the right edge while more of the table is out of view (it scrolls away with the last column). */
.table-wrap { background: linear-gradient(to left, #fff 40%, rgba(255, 255, 255, 0)) right / 24px 100% no-repeat local, linear-gradient(to left, rgba(0, 0, 0, 0.18), rgba(0, 0, 0, 0)) right / 10px 100% no-repeat scroll; }
table { border-collapse: separate; border-spacing: 0; font-variant-numeric: tabular-nums; }
th, td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th.first { border-left: 1px solid var(--line); }
thead tr:first-child > * { border-top: 1px solid var(--line); }
thead th { background: var(--head); font-weight: 600; }
th.first { position: sticky; left: 0; z-index: 1; background: #fff; white-space: nowrap; }
thead th.first { background: var(--head); }
tbody th { font-weight: 600; }
table.matrix { width: 100%; }
table.matrix th, table.matrix td { padding: 4px 6px; }
table.matrix td.split { padding: 2px 3px; }
table.matrix thead th[data-scenario] { font-size: 13px; }
td.verdict { font-weight: 600; }
/* Compact cells, so the matrix fits 1400 px as scenarios are added: a verdict wraps between its
   words, and a group's profiles sit on their own line above its verdict. */
td.verdict .word { white-space: nowrap; }
td.verdict a { color: inherit; text-decoration: none; }
td.verdict a:hover { text-decoration: underline; }
td.split > div { padding: 1px 4px; margin: 1px 0; border-radius: 3px; }
td.split > div > .profiles { display: block; line-height: 1.2; }
td.split .profiles, td.metric .profiles { font-weight: 400; font-size: 12px; }
td.none, .dash { color: #9aa0a6; }
td.num, td.time { text-align: right; white-space: nowrap; }
td.time .cy, td.time .us { display: block; }
td.time .us { color: var(--dim); font-size: 12px; }
th.kind { text-align: center; }
td.metric .value { position: relative; display: inline-block; min-width: 64px; padding: 0 4px; }
td.metric .bar { position: absolute; left: 0; top: 0; bottom: 0; background: var(--c); opacity: 0.45; z-index: -1; }
td.metric .value { z-index: 0; }
details.findings { margin: 12px 0; }
ol.findings li { margin: 6px 0; }
ol.findings .message { margin: 2px 0; }
ol.findings em.c-broke { font-style: normal; font-weight: 600; padding: 0 3px; }
details.scenario { margin: 8px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; }
details.scenario > summary, details.findings > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
.grid { display: flex; flex-wrap: wrap; gap: 12px 28px; }
figure { margin: 8px 0; }
figcaption { margin-bottom: 4px; }
/* A chart's notes wrap within its own width, so charts still sit side by side. */
figure.cycles { width: 640px; max-width: 100%; }
.chart-note.c-broke { background: none; }
svg { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg text { fill: var(--fg); }
svg text.op { font-weight: 600; }
svg text.empty, p.empty, .chart-note { color: var(--dim); fill: var(--dim); font-style: italic; }
svg text.figures, svg .axis text, svg text.offset { fill: var(--dim); font-variant-numeric: tabular-nums; }
svg .axis line { stroke: #999; }
svg .axis line.grid { stroke: #eceef1; }
svg g.dist .whisker { stroke: var(--c, #666); stroke-width: 1; }
svg g.dist rect.box { fill: var(--c, #666); fill-opacity: 0.3; stroke: var(--c, #666); }
svg g.dist .median { stroke: #222; stroke-width: 2; }
svg rect.span { stroke: none; fill: var(--c); }
svg rect.frame { fill: none; stroke: #b8bcc2; stroke-width: 1; }
figure.heap svg { width: 100%; }
footer { margin-top: 32px; padding-bottom: 24px; font-size: 12px; }
`;
