// The playground page: the same machine, scenarios and checks as the CLI, run in the browser.
// A run records one frame per operation (the heap by owner, the stack's peak, the registers)
// and a last frame where it stopped, so the page steps through what happened; an uploaded ELF
// goes through the scenarios `sramlab check` runs, every check on. The Lessons panel opens one
// of docs/lessons/ beside the machine and runs its preset.

import { hex } from '../emulator/elf.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import { bytes, defaultCellBytes, type HeapMap, type HeapSpan } from '../views/heap-map.ts';
import type { BandKind, ImageMap } from '../views/image-map.ts';
import type { Catalogue } from './build.ts';
import { LESSON_TEXTS } from './lesson-texts.ts';
import { type LessonPreset, lessonPreset, lessonTitle } from './lessons.ts';
import type { Frame, InstructionTrace, Params, Run, Source } from './machine.ts';
import { renderMarkdown } from './markdown.ts';
import type { WorkerReply, WorkerRequest } from './worker.ts';

/** Scenarios a given image cannot run, or runs only on request (as cli/check.ts leaves them out). */
const CHECK_SKIPS: Readonly<Record<string, string>> = {
  'no-cas': "runs the project's own CAS builds, not a given image",
  'stack-collision': 'forces the stack into the heap to show the stack rule; says nothing about the allocator',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = (tag: string, text = '', cls = ''): HTMLElement => {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};

// ---- drawing -------------------------------------------------------------------------------

const KIND_COLOUR: Record<Exclude<HeapSpan['kind'], 'live'>, string> = {
  metadata: '#7a5cff',
  free: '#cfd8dc',
  untouched: '#f4f6f7',
  violation: '#e53935',
};
/** A live block's colour comes from the operation that made it, so it keeps it from frame to frame. */
const liveColour = (op: number | undefined) => (op === undefined ? '#888' : `hsl(${(op * 47) % 360} 65% 55%)`);

const COLUMNS = 64;
const CELL_PX = 10;

function drawHeap(map: HeapMap): void {
  const canvas = $<HTMLCanvasElement>('heap-canvas');
  const size = map.heapEnd - map.heapStart;
  const cell = defaultCellBytes(size, COLUMNS);
  const rows = Math.ceil(size / (cell * COLUMNS));
  canvas.width = COLUMNS * CELL_PX;
  canvas.height = rows * CELL_PX;
  const g = canvas.getContext('2d')!;
  let k = 0;
  let violationCell = -1;
  for (let i = 0; i < rows * COLUMNS; i++) {
    const from = map.heapStart + i * cell,
      to = Math.min(from + cell, map.heapEnd);
    if (from >= map.heapEnd) break;
    while (k < map.spans.length && map.spans[k]!.end <= from) k++;
    // In use wins over not in use, and a violation over everything (as the terminal grid draws it).
    let best: HeapSpan | undefined;
    for (let j = k; j < map.spans.length && map.spans[j]!.start < to; j++) {
      const s = map.spans[j]!;
      const rank = (x: HeapSpan) => ({ violation: 4, live: 3, metadata: 2, free: 1, untouched: 0 })[x.kind];
      if (!best || rank(s) > rank(best)) best = s;
    }
    if (best?.kind === 'violation' && violationCell < 0) violationCell = i;
    g.fillStyle = !best ? KIND_COLOUR.untouched : best.kind === 'live' ? liveColour(best.op) : KIND_COLOUR[best.kind];
    g.fillRect((i % COLUMNS) * CELL_PX, Math.floor(i / COLUMNS) * CELL_PX, CELL_PX - 1, CELL_PX - 1);
  }
  if (violationCell >= 0) {
    g.strokeStyle = '#000';
    g.lineWidth = 2;
    g.strokeRect((violationCell % COLUMNS) * CELL_PX - 2, Math.floor(violationCell / COLUMNS) * CELL_PX - 2, CELL_PX + 3, CELL_PX + 3);
  }
  $('heap-scale').textContent =
    `heap ${hex(map.heapStart)}–${hex(map.heapEnd - 1)}, ${bytes(size)}: 1 cell = ${cell} B, 1 row = ${bytes(cell * COLUMNS)}`;
  const total = (kind: HeapSpan['kind']) => map.spans.filter((s) => s.kind === kind).reduce((n, s) => n + s.end - s.start, 0);
  const live = map.spans.filter((s) => s.kind === 'live');
  $('heap-summary').textContent =
    `live ${bytes(total('live'))} in ${live.length} blocks · metadata ${bytes(total('metadata'))} · free ${bytes(total('free'))} · never written ${bytes(total('untouched'))}`;
  const list = $('blocks');
  list.replaceChildren(
    ...live.slice(0, 40).map((s) => {
      const li = el('li');
      const swatch = el('span', '', 'swatch');
      swatch.style.background = liveColour(s.op);
      li.append(swatch, `${hex(s.start)} ${bytes(s.end - s.start)} — op ${s.op ?? '?'} ${s.label ?? ''}`);
      return li;
    }),
  );
  if (live.length > 40) list.append(el('li', `… and ${live.length - 40} more`));
}

function drawStack(run: Run, f: Frame): void {
  const span = run.stackTop - run.stackLimit;
  const used = run.stackTop - f.lowestSP;
  $('stack-fill').style.height = `${(100 * Math.min(used, span)) / span}%`;
  // Past the limit (stack-collision): the stack is in what lies below it.
  $('stack-bar').classList.toggle('overflow', used > span);
  $('stack-text').textContent =
    `top ${hex(run.stackTop)} · lowest SP ${hex(f.lowestSP)} (${used} B used) · limit ${hex(run.stackLimit)} ` +
    (used > span ? `(crossed by ${used - span} B)` : `(${bytes(span)} of stack, ${bytes(span - used)} to spare)`);
}

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];

function drawRegisters(f: { registers: ArrayLike<number>; xpsr: number }): void {
  const rows = [...REG_NAMES.map((n, i) => [n, hex(f.registers[i]!)]), ['xpsr', hex(f.xpsr)]];
  $('registers').replaceChildren(
    ...rows.map(([n, v]) => {
      const tr = el('tr');
      tr.append(el('th', n), el('td', v));
      return tr;
    }),
  );
}

function drawViolation(result: ScenarioResult): void {
  const box = $('violation');
  const v = result.violation ?? result.caught;
  box.hidden = !v;
  if (!v) return;
  box.className = result.ok ? 'caught' : 'broken';
  const fields: [string, string | undefined][] = [
    ['rule', v.rule],
    ['operation', String(v.operation)],
    ['pc', v.pc === undefined ? undefined : hex(v.pc)],
    ['symbol', v.symbol],
    ['source', v.source],
    ['address', v.address === undefined ? undefined : hex(v.address)],
    ['size', v.size === undefined ? undefined : `${v.size} B`],
    ['access', v.access],
    ['region', v.region],
  ];
  const dl = el('dl');
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    const dd = el('dd', value);
    dd.dataset.field = name;
    dl.append(el('dt', name), dd);
  }
  box.replaceChildren(el('h3', result.ok ? `caught as expected: the ${v.rule} rule` : `the ${v.rule} rule broke`), el('p', v.message), dl);
}

function drawListing(run: Run): void {
  const box = $('listing');
  box.hidden = run.listing.length === 0;
  box.querySelector('pre')!.replaceChildren(
    ...run.listing.map((l) => {
      const line = el(
        'div',
        `${l.here ? '▶' : ' '} ${hex(l.address).slice(2)}  ${l.text.padEnd(32)} ${l.source ?? ''}`,
        l.here ? 'here' : '',
      );
      return line;
    }),
  );
}

const BAND_COLOUR: Record<BandKind, string> = {
  vectors: '#90a4ae',
  'alloc-code': '#7a5cff',
  code: '#5c6bc0',
  rodata: '#9fa8da',
  'data-image': '#b0bec5',
  data: '#4db6ac',
  'alloc-state': '#ab47bc',
  bss: '#80cbc4',
  heap: '#66bb6a',
  stack: '#ff9800',
  unused: '#eceff1',
};

/** Each memory as a bar to scale (a band of a few bytes still gets a sliver), bands listed beside it. */
function drawMemoryMap(map: ImageMap): void {
  const box = $('memory-map');
  box.replaceChildren(
    ...map.memories.map((mem) => {
      const div = el('div', '', 'memory');
      const bar = el('div', '', 'memory-bar');
      const list = el('table');
      const bands = map.bands.filter((b) => b.memory === mem.name).sort((a, b) => b.start - a.start);
      for (const b of bands) {
        const seg = el('div');
        seg.style.flexGrow = String(b.size / mem.size);
        seg.style.minHeight = '2px';
        seg.style.background = BAND_COLOUR[b.kind];
        seg.title = `${b.name}: ${hex(b.start)}–${hex(b.end - 1)}, ${bytes(b.size)}`;
        bar.append(seg);
        const tr = el('tr');
        const sw = el('span', '', 'swatch');
        sw.style.background = BAND_COLOUR[b.kind];
        const name = el('td');
        name.append(sw, b.name);
        tr.append(
          name,
          el('td', `${hex(b.start)}–${hex(b.end - 1)}`),
          el('td', bytes(b.size)),
          el('td', [b.startSymbol, b.note].filter(Boolean).join(' · '), 'dim'),
        );
        list.append(tr);
      }
      div.append(el('h3', `${mem.name} ${hex(mem.base)}, ${bytes(mem.size)} (high addresses on top)`), bar, list);
      return div;
    }),
  );
}

// ---- stepping by instruction ---------------------------------------------------------------

let trace: InstructionTrace | null = null;
let step = 0;

const mode = (ipsr: number) => (ipsr === 0 ? 'Thread' : ipsr >= 16 ? `IRQ ${ipsr - 16} handler` : `exception ${ipsr}`);

/** The instruction at index i of the trace, with a dozen around it; where the mode changes, an interrupt arrived or returned. */
function showStep(i: number): void {
  if (!trace || trace.steps.length === 0) return;
  step = Math.max(0, Math.min(i, trace.steps.length - 1));
  const t = trace,
    st = t.steps[step]!;
  const number = step < t.skippedAt ? step + 1 : step + 1 + t.skipped;
  $('insn-label').textContent = `instruction ${number} of ${t.steps.length + t.skipped} in op ${t.op} · ${mode(st.ipsr)}`;
  $<HTMLInputElement>('insn-slider').value = String(step);
  const lines: HTMLElement[] = [];
  for (let k = Math.max(0, step - 6); k <= Math.min(t.steps.length - 1, step + 6); k++) {
    const x = t.steps[k]!;
    if (k > 0 && k === t.skippedAt && t.skipped > 0)
      lines.push(el('div', `… ${t.skipped.toLocaleString('en')} more instructions …`, 'gap'));
    const prev = k > 0 ? t.steps[k - 1]! : undefined;
    if (prev && prev.ipsr !== x.ipsr)
      lines.push(
        el('div', x.ipsr !== 0 ? `— ${mode(x.ipsr)} entered: an interrupt arrived —` : `— back to ${mode(x.ipsr)} —`, 'exception'),
      );
    lines.push(el('div', `${k === step ? '▶' : ' '} ${hex(x.pc).slice(2)}  ${x.text.padEnd(32)} ${x.where}`, k === step ? 'here' : ''));
  }
  $('insn-listing').replaceChildren(...lines);
  drawRegisters({ registers: st.regs, xpsr: st.xpsr });
}

/** The run on screen again, in the worker, recording the instructions of the operation on screen. */
async function traceCurrentOp(): Promise<void> {
  if (!current || !asked) return;
  const f = current.frames[at]!;
  const status = $('status');
  status.textContent = 'tracing…';
  try {
    trace = (await ask({ kind: 'trace', ...asked, op: f.op })) as InstructionTrace;
  } catch (e) {
    if (!superseded(e)) status.textContent = problem(e);
    return;
  }
  status.textContent = 'done';
  const slider = $<HTMLInputElement>('insn-slider');
  slider.max = String(Math.max(0, trace.steps.length - 1));
  $('instructions').hidden = false;
  // Where the run stopped, the last instruction is the interesting one; elsewhere, the first.
  showStep(at === current.frames.length - 1 ? trace.steps.length - 1 : 0);
}

// ---- the stepper ---------------------------------------------------------------------------

let current: Run | null = null;
/** What the run on screen was asked with, to trace one of its operations. */
let asked: { scenario: string; mcu: string; src: Source; params: Params } | null = null;
let at = 0;

function show(i: number): void {
  if (!current) return;
  at = Math.max(0, Math.min(i, current.frames.length - 1));
  const f = current.frames[at]!;
  $('frame-label').textContent = `${at + 1} / ${current.frames.length}: ${f.title}`;
  $<HTMLInputElement>('frame-slider').value = String(at);
  drawHeap(f.map);
  drawStack(current, f);
  drawRegisters(f);
  $('instructions').hidden = true;
  $('heap-panel').classList.toggle('at-violation', f.map.violation !== undefined);
}

function showRun(run: Run): void {
  current = run;
  const r = run.result;
  const verdict = $('verdict');
  verdict.textContent = r.ok
    ? r.caught
      ? `ok: ${r.scenario} was caught by the ${r.caught.rule} rule, as it must be`
      : `ok: ${r.operations} operations, every check held`
    : `FAIL: ${r.violation!.rule} rule at op ${r.violation!.operation}`;
  verdict.className = r.ok ? 'ok' : 'fail';
  $('replay').textContent = r.replay;
  drawViolation(r);
  drawListing(run);
  drawMemoryMap(run.memoryMap);
  $('map-section').hidden = false;
  const slider = $<HTMLInputElement>('frame-slider');
  slider.max = String(run.frames.length - 1);
  $('result').hidden = false;
  show(run.frames.length - 1);
}

// ---- built-in runs and the user's ELF ------------------------------------------------------

const MAX_OPS = 10_000;

/** A field of the form that cannot mean what it says (or an image this build lacks), named in one line as the CLI would. */
class InputError extends Error {}

/** The form's numbers, refused when they are not whole numbers in range (seeds: what the PRNG takes). */
function params(): { seed: number; ops: number; heap: number } {
  const num = (id: string, max: number) => {
    const text = $<HTMLInputElement>(id).value.trim();
    if (!/^\d+$/.test(text) || Number(text) > max) throw new InputError(`${id} '${text}' is not a whole number from 0 to ${max}`);
    return Number(text);
  };
  // A frame per operation, each a heap map: 10,000 operations keep a run's memory, and what the worker posts back, small.
  return { seed: num('seed', 0xffff_ffff), ops: num('ops', MAX_OPS), heap: num('heap', 16 * 1024 * 1024) };
}

/** An error the worker reported, already in the one line the page shows. */
class WorkerError extends Error {
  constructor(
    message: string,
    readonly badElf: boolean,
  ) {
    super(message);
  }
}

/** The run in the worker was stopped from the page. */
class Stopped extends Error {
  constructor() {
    super('stopped');
  }
}

/** What to say about a failed request: nothing when it was stopped for a newer one, which speaks for itself. */
const superseded = (e: unknown) => e instanceof Stopped && pending !== null;

/** One line for what went wrong, as the CLI says it. */
function problem(e: unknown): string {
  if (e instanceof InputError || e instanceof WorkerError || e instanceof Stopped) return e.message;
  return `sramlab bug: ${(e as Error).message}`;
}

// The machine runs in a worker; one request at a time is pending. Stop ends the worker and
// starts a fresh one (a run cannot be interrupted from outside any other way).
let worker: Worker;
let nextId = 0;
let pending: { id: number; ok: (v: unknown) => void; fail: (e: Error) => void } | null = null;

function startWorker(): void {
  worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = ({ data }: MessageEvent<WorkerReply>) => {
    const p = pending;
    if (!p || p.id !== data.id) return;
    pending = null;
    $('stop').hidden = true;
    if (data.ok) p.ok(data.value);
    else p.fail(new WorkerError(data.error, data.badElf));
  };
  worker.onerror = (e) => {
    const p = pending;
    pending = null;
    $('stop').hidden = true;
    p?.fail(new Error(e.message));
  };
}

type Ask = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** Sends a request; one still running is stopped first (its answer would be thrown away). */
function ask(q: Ask): Promise<unknown> {
  stop();
  const id = ++nextId;
  return new Promise((ok, fail) => {
    pending = { id, ok, fail };
    $('stop').hidden = false;
    worker.postMessage({ ...q, id } as WorkerRequest);
  });
}

function stop(): void {
  if (!pending) return;
  worker.terminate();
  const p = pending;
  pending = null;
  $('stop').hidden = true;
  startWorker();
  p.fail(new Stopped());
}

const images = new Map<string, Uint8Array>();

/** A built-in allocator's image for a scenario: its committed one, or the scenario's own build of it (catalogue.variants). */
async function builtIn(alloc: string, mcu: string, scenario: string): Promise<Source> {
  const variant = catalogue.variants[scenario]?.[`${alloc}-${mcu}`];
  const file = variant?.file ?? `images/${alloc}-${mcu}.elf`;
  let elf = images.get(file);
  if (!elf) {
    const r = await fetch(file);
    if (!r.ok) throw new InputError(`no image ${file.replace(/^images\//, '')} in this build`);
    elf = new Uint8Array(await r.arrayBuffer());
    images.set(file, elf);
  }
  return { label: alloc, elf, user: false, ...(variant ? { variant: { scenario, expect: variant.expect } } : {}) };
}

/** Lets the page paint between the rows of a check. */
const paint = () => new Promise((r) => setTimeout(r, 0));

/** Runs what the form says; frame: the frame to open (after that operation), else where the run stopped. */
async function runSelected(frame: number | 'last' = 'last'): Promise<void> {
  const status = $('status');
  status.textContent = 'running…';
  try {
    const mcu = $<HTMLSelectElement>('mcu').value;
    const scenario = $<HTMLSelectElement>('scenario').value;
    const src = await builtIn($<HTMLSelectElement>('alloc').value, mcu, scenario);
    const q = { scenario, mcu, src, params: params() };
    const run = (await ask({ kind: 'run', ...q })) as Run;
    asked = q;
    showRun(run);
    if (frame !== 'last') show(current!.frames.findIndex((f) => f.op === frame));
    status.textContent = 'done';
  } catch (e) {
    if (!superseded(e)) status.textContent = problem(e);
  }
}

async function checkUpload(file: File): Promise<void> {
  const out = $('check-result');
  const status = $('check-status');
  const userElf: Source = { label: file.name, elf: new Uint8Array(await file.arrayBuffer()), user: true };
  status.textContent = `checking ${file.name}…`;
  out.replaceChildren();
  await paint();
  const mcu = $<HTMLSelectElement>('check-mcu').value;
  const rows: HTMLElement[] = [];
  let failed = 0;
  try {
    for (const { name } of catalogue.scenarios) {
      const tr = el('tr');
      tr.dataset.scenario = name;
      if (CHECK_SKIPS[name]) {
        tr.append(el('td', name), el('td', 'SKIP', 'skip'), el('td', CHECK_SKIPS[name]));
        rows.push(tr);
        continue;
      }
      // As `sramlab check`: the heap is 16 KiB or the image's whole region where that is smaller.
      const q = { ...params(), heap: undefined };
      const src = userElf;
      const result = (await ask({ kind: 'check', scenario: name, mcu, src, params: q })) as ScenarioResult;
      const v = result.violation;
      if (!result.ok) failed++;
      const where = v
        ? [
            v.rule,
            v.pc !== undefined ? `pc ${hex(v.pc)}` : '',
            v.symbol ?? '',
            v.address !== undefined ? `address ${hex(v.address)}` : '',
            v.message,
          ]
            .filter(Boolean)
            .join(' · ')
        : '';
      const view = el('button', 'view');
      // Frames are recorded only when asked: a whole check stays as fast as the CLI's.
      view.addEventListener('click', async () => {
        try {
          const run = (await ask({ kind: 'run', scenario: name, mcu, src, params: q })) as Run;
          asked = { scenario: name, mcu, src, params: q };
          showRun(run);
        } catch (e) {
          status.textContent = problem(e);
        }
      });
      const td = el('td', where);
      tr.append(el('td', name), el('td', result.ok ? 'ok' : 'FAIL', result.ok ? 'ok' : 'fail'), td);
      td.append(' ', view);
      rows.push(tr);
      out.replaceChildren(...rows);
      await paint();
    }
    status.textContent = `${file.name} on ${mcu}: ${failed === 0 ? 'every check held' : `${failed} scenario${failed === 1 ? '' : 's'} broke a rule`}`;
    status.className = failed === 0 ? 'ok' : 'fail';
  } catch (e) {
    status.textContent = e instanceof WorkerError && e.badElf ? `${file.name}: ${e.message}` : problem(e);
    status.className = 'fail';
  }
}

// ---- the lessons ---------------------------------------------------------------------------

/** "Lesson 3: fragmentation" is offered as "3. Fragmentation", the name the lessons tell a reader to pick. */
const lessonLabel = (title: string): string => title.replace(/^Lesson (\d+): (.)/, (_, n: string, c: string) => `${n}. ${c.toUpperCase()}`);

/** Sets the form to a lesson's preset, shows the lesson beside the machine, and runs it. */
async function openLesson(file: string): Promise<void> {
  const lesson = LESSON_TEXTS.find((l) => l.file === file);
  if (!lesson) return;
  const preset: LessonPreset = lessonPreset(lesson.markdown);
  for (const b of document.querySelectorAll<HTMLButtonElement>('#lesson-list button'))
    b.classList.toggle('current', b.dataset.lesson === file);
  $<HTMLSelectElement>('mcu').value = preset.mcu;
  $<HTMLSelectElement>('alloc').value = preset.alloc;
  $<HTMLSelectElement>('scenario').value = preset.scenario;
  $<HTMLInputElement>('seed').value = String(preset.seed);
  $<HTMLInputElement>('ops').value = String(preset.ops);
  $<HTMLInputElement>('heap').value = String(preset.heap);
  $('lesson-watch').textContent = `Watch: ${preset.watch}`;
  $('lesson-text').replaceChildren(
    ...renderMarkdown(lesson.markdown, (href) => (LESSON_TEXTS.some((l) => l.file === href) ? () => void openLesson(href) : null)),
  );
  $('lesson').hidden = false;
  $('lesson').scrollTop = 0;
  document.body.classList.add('lesson-open');
  // The lesson's own address (replaceState: no hashchange, so no second run).
  history.replaceState(null, '', `#${file}`);
  await runSelected(preset.frame);
}

function setUpLessons(): void {
  $('lesson-list').replaceChildren(
    ...LESSON_TEXTS.map(({ file, markdown }) => {
      const b = el('button', lessonLabel(lessonTitle(markdown))) as HTMLButtonElement;
      b.type = 'button';
      b.dataset.lesson = file;
      b.addEventListener('click', () => void openLesson(file));
      return b;
    }),
  );
  // An address ending in #<lesson file> opens that lesson, on load and when the hash changes.
  const fromHash = () => {
    const file = decodeURIComponent(location.hash.slice(1));
    if (LESSON_TEXTS.some((l) => l.file === file)) void openLesson(file);
  };
  window.addEventListener('hashchange', fromHash);
  $('lesson-close').addEventListener('click', () => {
    history.replaceState(null, '', location.pathname);
    $('lesson').hidden = true;
    document.body.classList.remove('lesson-open');
    for (const b of document.querySelectorAll('#lesson-list button')) b.classList.remove('current');
  });
}

// ---- set-up --------------------------------------------------------------------------------

let catalogue: Catalogue;

function options(select: HTMLSelectElement, items: { name: string; description?: string; summary?: string }[]): void {
  select.replaceChildren(
    ...items.map((i) => {
      const o = el('option', i.name) as HTMLOptionElement;
      o.value = i.name;
      o.title = i.description ?? i.summary ?? '';
      return o;
    }),
  );
}

async function start(): Promise<void> {
  startWorker();
  catalogue = (await (await fetch('catalogue.json')).json()) as Catalogue;
  options($('mcu'), catalogue.profiles);
  options($('check-mcu'), catalogue.profiles);
  options($('alloc'), catalogue.allocators);
  options($('scenario'), catalogue.scenarios);
  $('run').addEventListener('click', () => void runSelected());
  setUpLessons();
  $('step-first').addEventListener('click', () => show(0));
  $('step-prev').addEventListener('click', () => show(at - 1));
  $('step-next').addEventListener('click', () => show(at + 1));
  $('step-last').addEventListener('click', () => show(Infinity));
  $<HTMLInputElement>('frame-slider').addEventListener('input', (e) => show(Number((e.target as HTMLInputElement).value)));
  $('trace-op').addEventListener('click', () => void traceCurrentOp());
  $('stop').addEventListener('click', stop);
  $('insn-prev').addEventListener('click', () => showStep(step - 1));
  $('insn-next').addEventListener('click', () => showStep(step + 1));
  $('insn-first').addEventListener('click', () => showStep(0));
  $('insn-last').addEventListener('click', () => showStep(Infinity));
  $<HTMLInputElement>('insn-slider').addEventListener('input', (e) => showStep(Number((e.target as HTMLInputElement).value)));
  const input = $<HTMLInputElement>('elf-input');
  input.addEventListener('change', () => {
    if (input.files?.[0]) void checkUpload(input.files[0]);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void checkUpload(f);
  });
  $('status').textContent = 'ready';
  if (location.hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

void start();
